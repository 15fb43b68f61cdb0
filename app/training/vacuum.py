"""Train the inverse network by backpropagating through the physics.

target d -> network -> (θ, v) -> physics -> landing R, loss on the normalised miss (R - d) / R_max:
the article's "autoencoder", with the physics as a fixed, differentiable decoder.

Many (θ, v) land on the same spot. The network is steered to the lowest launch velocity
that reaches each target (which is the 45-degree shot in a vacuum) by a small penalty on
(v / v_max)^2. The penalty starts strong, so the network settles on that branch early, and
decays geometrically, so its pull on the miss at the end is negligible. Nothing about 45
degrees is written into the code: it is what the loss prefers.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from tqdm import tqdm

from app.model.network import InverseNetwork, NetworkConfig
from app.physics.vacuum import Cannon


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0  # seeds initialisation and the sampling of targets
    steps: int = 15_000  # Adam steps, one fresh batch of targets each
    batch_size: int = 1024  # targets per step, uniform in [0, max range]
    learning_rate: float = 3e-3  # peak Adam rate, cosine-decayed to 1% of it
    velocity_weight_start: float = 0.1  # weight of the (v / v_max)^2 penalty at step 0
    velocity_weight_end: float = 1e-6  # ... at the last step; it shifts misses by ~5 µm
    validation_points: int = 10_001  # dense grid of targets for the model card's figures

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainResult:
    network: InverseNetwork
    losses: list[float] = field(default_factory=list)  # miss term of the loss, every step
    seconds: float = 0.0


def velocity_weight(config: TrainConfig, step: int) -> float:
    """Geometric decay from velocity_weight_start to velocity_weight_end."""
    fraction = step / max(config.steps - 1, 1)
    log_start, log_end = (
        math.log(config.velocity_weight_start),
        math.log(config.velocity_weight_end),
    )
    return math.exp(log_start + fraction * (log_end - log_start))


def train(
    cannon: Cannon,
    config: TrainConfig | None = None,
    network_config: NetworkConfig | None = None,
    progress: bool = True,
) -> TrainResult:
    """Train a fresh network, deterministic for a given seed on a given machine."""
    config = config or TrainConfig()
    torch.manual_seed(config.seed)
    sampler = torch.Generator().manual_seed(config.seed)
    network = InverseNetwork(cannon, network_config)
    optimiser = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimiser, T_max=config.steps, eta_min=config.learning_rate / 100
    )
    result = TrainResult(network)
    strata = torch.arange(config.batch_size, dtype=torch.float32)  # (B,)
    start = time.perf_counter()
    bar = tqdm(range(config.steps), desc="training", unit="step", disable=not progress)
    for step in bar:
        # Stratified: one target in each of B equal slices of the range, so every batch
        # covers the whole range evenly.
        jitter = torch.rand(config.batch_size, generator=sampler)  # (B,)
        target = (strata + jitter) / config.batch_size * cannon.max_range  # (B,) m
        angle, velocity = network(target)  # (B,), (B,)
        landing = cannon.landing_distance(velocity, angle)  # (B,) m
        miss_loss = (((landing - target) / cannon.max_range) ** 2).mean()
        velocity_loss = ((velocity / cannon.max_velocity) ** 2).mean()
        loss = miss_loss + velocity_weight(config, step) * velocity_loss

        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        schedule.step()

        result.losses.append(miss_loss.item())
        if step % 100 == 0:
            rms_miss = math.sqrt(miss_loss.item()) * cannon.max_range
            bar.set_postfix(rms_miss_m=f"{rms_miss:.2e}")
    result.seconds = time.perf_counter() - start
    return result


def network_misses(network: InverseNetwork, target: torch.Tensor) -> torch.Tensor:
    """|landing - target| (m) of the network's proposals, verified in float64. (N,) -> (N,)"""
    with torch.no_grad():
        angle, velocity = network(target.float())
    landing: torch.Tensor = network.cannon.landing_distance(velocity.double(), angle.double())
    return (landing - target.double()).abs()


def validate(
    network: InverseNetwork, points: int = TrainConfig.validation_points
) -> dict[str, float]:
    """The network alone on an even grid of `points` targets in (0, max range], and on 1,000
    targets from 1e-300 m to 1 mm below that grid, verified in float64. Misses in metres."""
    max_range = network.cannon.max_range
    miss = network_misses(
        network, torch.linspace(max_range / points, max_range, points, dtype=torch.float64)
    )
    tiny = network_misses(network, torch.logspace(-300, -3, 1000, dtype=torch.float64))
    return {
        "points": points,
        "median_miss_m": miss.median().item(),
        "p99_miss_m": miss.quantile(0.99).item(),
        "max_miss_m": miss.max().item(),
        "within_5cm": (miss <= 0.05).double().mean().item(),
        "within_1mm": (miss <= 1e-3).double().mean().item(),
        "max_miss_below_1mm_m": tiny.max().item(),
    }
