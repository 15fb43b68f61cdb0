"""The one training loop: backpropagate the miss through a physics into the inverse network.

target -> network -> (θ, v) -> physics -> landing, loss on the miss: the article's
"autoencoder", with the physics as a fixed, differentiable decoder. What differs between
models is the `Physics`: which targets a batch holds and how their miss is measured (the
vacuum's closed form, app/training/vacuum.py; the flight simulator through air,
app/training/air.py). The loop, the optimiser, its schedule and the velocity penalty are one.

Many (θ, v) land on the same spot. The network is steered to the lowest launch velocity
that reaches each target by a small penalty on (v / v_max)^2. The penalty starts strong, so
the network settles on that branch early, and decays geometrically, so its pull on the miss
at the end is negligible. Nothing about the shot it picks is written into the code: it is
what the loss prefers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import Tensor
from tqdm import tqdm

from app.model.network import InverseNetwork


class Schedule(Protocol):
    """The fields of a training config the loop reads (both configs have them)."""

    @property
    def steps(self) -> int: ...  # Adam steps, one fresh batch each
    @property
    def learning_rate(self) -> float: ...  # peak Adam rate, cosine-decayed to 1% of it
    @property
    def velocity_weight_start(self) -> float: ...  # the (v / v_max)^2 penalty's weight at 0
    @property
    def velocity_weight_end(self) -> float: ...  # ... at the last step


class Physics(Protocol):
    def losses(
        self, network: InverseNetwork, sampler: torch.Generator, done: float
    ) -> tuple[Tensor, Tensor]:
        """A fresh batch drawn with `sampler`: its miss loss and its velocity loss, scalars.
        `done` is the share of training behind this step, 0 at the first and 1 at the last."""
        ...


@dataclass
class Run:
    network: InverseNetwork
    losses: list[float] = field(default_factory=list)  # the miss loss, every step
    skipped_steps: int = 0  # steps whose gradient was not finite (none expected)
    seconds: float = 0.0


def done(schedule: Schedule, step: int) -> float:
    """The share of training behind `step`: 0 at the first, 1 at the last."""
    return step / max(schedule.steps - 1, 1)


def geometric(start: float, end: float, done: float) -> float:
    """From start (done = 0) to end (done = 1), by a constant factor a step."""
    return math.exp(math.log(start) + done * (math.log(end) - math.log(start)))


def velocity_weight(schedule: Schedule, step: int) -> float:
    """Geometric decay from velocity_weight_start to velocity_weight_end."""
    return geometric(
        schedule.velocity_weight_start, schedule.velocity_weight_end, done(schedule, step)
    )


def optimise(
    network: InverseNetwork,
    physics: Physics,
    schedule: Schedule,
    sampler: torch.Generator,
    progress: bool = True,
    desc: str = "training",
) -> Run:
    """Adam on the physics' losses, deterministic for a given sampler on a given machine."""
    optimiser = torch.optim.Adam(network.parameters(), lr=schedule.learning_rate)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimiser, T_max=schedule.steps, eta_min=schedule.learning_rate / 100
    )
    run, start = Run(network), time.perf_counter()
    bar = tqdm(range(schedule.steps), desc=desc, unit="step", disable=not progress)
    for step in bar:
        miss_loss, velocity_loss = physics.losses(network, sampler, done(schedule, step))
        loss = miss_loss + velocity_weight(schedule, step) * velocity_loss

        optimiser.zero_grad(set_to_none=True)
        torch.autograd.backward(loss)  # typed, unlike Tensor.backward
        # The norm, unclipped (an infinite bound scales by exactly 1): a step on a non-finite
        # gradient would ruin every weight, so it is skipped and counted instead.
        norm = torch.nn.utils.clip_grad_norm_(network.parameters(), math.inf)
        if torch.isfinite(norm):
            optimiser.step()
        else:
            run.skipped_steps += 1
        cosine.step()
        run.losses.append(miss_loss.item())
        if step % 100 == 0:
            bar.set_postfix(miss_loss=f"{miss_loss.item():.2e}")
    run.seconds = time.perf_counter() - start
    return run
