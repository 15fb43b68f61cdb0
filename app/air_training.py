"""Train the air network by backpropagating through the flight simulator.

target (d, Δh, wind, drag) -> network -> (θ, v) -> app.flight.simulate -> landing, loss on
the miss relative to the distance. As for the vacuum network (app/training.py) a penalty on
(v / v_max)^2, decaying from strong to negligible, steers it to the lowest launch velocity
that reaches each target: through air that is the best-angle shot at the velocity whose
maximum range is the distance. Nothing about that shot is written into the code.

Targets must be reachable. Before training, the maximum range at full velocity is found
numerically (app/reach.py) on a grid of conditions; distances are drawn up to just below
its trilinear interpolation at each sampled condition.
"""

from __future__ import annotations

import itertools
import math
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from tqdm import tqdm

from app import reference
from app.air_network import AirNetwork, AirNetworkConfig
from app.envelope import ENVELOPE, Envelope
from app.flight import Air, simulate
from app.model_store import save_air_model
from app.physics import Cannon
from app.reach import best_angle

VALIDATION_SEED = 2026  # held-out targets: a generator no training run uses
Conditions = tuple[Tensor, Tensor, Tensor]  # height difference m, wind m/s, drag 1/m; (N,) each


@dataclass(frozen=True)
class AirTrainConfig:
    seed: int = 0  # seeds initialisation and the sampling of targets
    steps: int = 8_000  # Adam steps, one fresh batch of targets each
    batch_size: int = 2048  # targets per step; the simulator's cost barely grows with it
    learning_rate: float = 2e-3  # peak Adam rate, cosine-decayed to 1% of it
    velocity_weight_start: float = 0.1  # weight of the (v / v_max)^2 penalty at step 0
    velocity_weight_end: float = 1e-6  # ... at the last step, far below the misses aimed for
    miss_floor: float = 0.05  # vacuum ranges added to the distance the miss is divided by,
    # so the loss is relative for all but the shortest shots and never divides by ~0
    miss_smoothing: float = 1e-5  # the loss is |relative miss| (robust: a few hard targets
    # must not drown the rest), smoothed into a parabola below this to settle without jitter
    reach_fraction: float = 0.995  # distances drawn up to this fraction of the maximum range
    min_reach: float = 0.01  # vacuum ranges: conditions reaching less are left out
    edge_fraction: float = 0.1  # share of each condition drawn exactly on an envelope bound
    simulator_steps: int = 32  # RK4 steps: ~1e-5 m off the reference, 2x faster than 64
    table_shape: tuple[int, int, int] = (25, 21, 21)  # max-range grid: Δh, wind, drag
    threads: int = 1  # torch threads: on a shared 2-core machine one is faster and steadier
    validation_targets: int = 2000  # held-out targets checked against app/reference.py

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AirTrainResult:
    network: AirNetwork
    losses: list[float] = field(default_factory=list)  # miss term of the loss, every step
    skipped_steps: int = 0  # steps whose gradient was not finite (none expected)
    seconds: float = 0.0


def max_range(cannon: Cannon, conditions: Conditions, chunk: int = 1024) -> Tensor:
    """Farthest landing (m) at full velocity under each condition, -inf if nothing reaches."""
    ranges = []
    for start in range(0, conditions[0].shape[0], chunk):  # chunks bound best_angle's memory
        dh, wind, drag = (c[start : start + chunk].double() for c in conditions)
        full = torch.full_like(dh, cannon.max_velocity)
        ranges.append(best_angle(full, Air(torch.zeros_like(dh), dh, wind, drag), cannon)[1])
    return torch.cat(ranges)


@dataclass(frozen=True)
class RangeTable:
    """Maximum range on a grid over the envelope, interpolated trilinearly in 1 / range.

    The range falls with drag roughly like 1 / (1 + c k): interpolating the range itself
    overshot it by up to 2% at 11 drag points, where 1 / range stays within 0.02% on 21
    points for 99% of conditions (measured against `max_range` at 2,000 random ones).
    """

    bounds: tuple[tuple[float, float], ...]  # (low, high) of Δh, wind, drag
    inverse: Tensor  # (Δh, wind, drag) grid of 1 / max range, 1/m; 1000 where nothing reaches

    @classmethod
    def build(cls, cannon: Cannon, shape: tuple[int, int, int], envelope: Envelope) -> RangeTable:
        bounds = (envelope.height_difference, envelope.wind, envelope.drag)
        axes = [
            torch.linspace(*b, n, dtype=torch.float64) for b, n in zip(bounds, shape, strict=True)
        ]
        grid = torch.meshgrid(*axes, indexing="ij")
        reach = max_range(cannon, (grid[0].flatten(), grid[1].flatten(), grid[2].flatten()))
        return cls(bounds, 1 / reach.clamp_min(1e-3).view(shape))  # finite: 0 * inf is NaN

    def __call__(self, dh: Tensor, wind: Tensor, drag: Tensor) -> Tensor:
        """Maximum range (m), (N,) each -> (N,); about 0 where nothing reaches."""
        cells = []
        for value, (low, high), n in zip(
            (dh, wind, drag), self.bounds, self.inverse.shape, strict=True
        ):
            at = ((value - low) / (high - low) * (n - 1)).clamp(0, n - 1)
            index = at.floor().clamp(max=n - 2).long()
            cells.append((index, at - index))
        total = torch.zeros_like(dh)
        for corner in itertools.product((0, 1), repeat=3):
            weight = torch.ones_like(dh)
            for (_, part), side in zip(cells, corner, strict=True):
                weight = weight * (part if side else 1 - part)
            i, j, k = (index + side for (index, _), side in zip(cells, corner, strict=True))
            total = total + weight * self.inverse[i, j, k]
        return 1 / total


def sample_conditions(
    n: int, generator: torch.Generator, envelope: Envelope, edge_fraction: float = 0.0
) -> Conditions:
    """Uniform over the envelope, with `edge_fraction` of each drawn on a bound (no drag, the
    strongest wind...), where the network must be as good as inside."""
    drawn = []
    for low, high in (envelope.height_difference, envelope.wind, envelope.drag):
        value = low + (high - low) * torch.rand(n, generator=generator, dtype=torch.float64)
        on_edge = torch.rand(n, generator=generator, dtype=torch.float64) < edge_fraction
        bound = torch.where(torch.rand(n, generator=generator) < 0.5, low, high).double()
        drawn.append(torch.where(on_edge, bound, value))
    return drawn[0], drawn[1], drawn[2]


def air_losses(
    network: AirNetwork, distance: Tensor, conditions: Conditions, config: AirTrainConfig
) -> tuple[Tensor, Tensor]:
    """Per target (N,): the miss term and (v / v_max)^2. The physics runs in float64, where
    the simulator's guards (1e-300) hold."""
    cannon, (dh, wind, drag) = network.cannon, conditions
    angle, velocity = network(distance, dh, wind, drag)  # (N,), (N,) float32
    air = Air(torch.zeros_like(dh), dh, wind, drag)
    flight = simulate(
        velocity.double(), angle.double(), air, cannon.gravity, config.simulator_steps
    )
    # Mask the input, not only the output: a NaN landing in an unused torch.where branch
    # would still turn its gradient into NaN.
    landing = torch.where(flight.reaches, flight.landing_distance, distance)
    miss = (landing - distance) / (distance + config.miss_floor * cannon.max_range)
    # A shot that never gets as high as the target is pulled up by its shortfall (m).
    shortfall = (dh - flight.apex_height).clamp_min(0.0)
    smooth = config.miss_smoothing
    miss_term = torch.where(flight.reaches, (miss**2 + smooth**2).sqrt() - smooth, 1.0 + shortfall)
    return miss_term, (velocity.double() / cannon.max_velocity) ** 2


def train_air(
    cannon: Cannon,
    config: AirTrainConfig | None = None,
    network_config: AirNetworkConfig | None = None,
    progress: bool = True,
    table: RangeTable | None = None,
) -> AirTrainResult:
    """Train a fresh network, deterministic for a given seed on a given machine."""
    config = config or AirTrainConfig()
    threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        torch.manual_seed(config.seed)
        sampler = torch.Generator().manual_seed(config.seed)
        start = time.perf_counter()
        table = table or RangeTable.build(cannon, config.table_shape, ENVELOPE)
        network = AirNetwork(cannon, network_config)
        result = AirTrainResult(network)
        run(network, table, config, sampler, result, progress)
        result.seconds = time.perf_counter() - start
        return result
    finally:
        torch.set_num_threads(threads)


def run(
    network: AirNetwork,
    table: RangeTable,
    config: AirTrainConfig,
    sampler: torch.Generator,
    result: AirTrainResult,
    progress: bool,
) -> None:
    """The optimisation loop of `train_air`."""
    optimiser = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimiser, T_max=config.steps, eta_min=config.learning_rate / 100
    )
    # Stratified: one distance in each of B equal slices of (0, reach], so every batch has
    # short and long shots alike.
    strata = torch.arange(config.batch_size, dtype=torch.float64)
    weights = config.velocity_weight_start, config.velocity_weight_end, config.steps
    bar = tqdm(range(config.steps), desc="training air", unit="step", disable=not progress)
    for step in bar:
        conditions = sample_conditions(config.batch_size, sampler, ENVELOPE, config.edge_fraction)
        reach = table(*conditions)  # (B,) m
        keep = (reach >= config.min_reach * network.cannon.max_range).double()  # (B,)
        fraction = (
            strata + torch.rand(config.batch_size, generator=sampler, dtype=torch.float64)
        ) / config.batch_size
        distance = fraction * config.reach_fraction * reach  # (B,) m
        miss_term, velocity_term = air_losses(network, distance, conditions, config)
        miss_loss = (miss_term * keep).sum() / keep.sum()
        velocity_loss = (velocity_term * keep).sum() / keep.sum()
        loss = miss_loss + velocity_weight_at(weights, step) * velocity_loss

        optimiser.zero_grad(set_to_none=True)
        torch.autograd.backward(loss)  # typed, unlike Tensor.backward
        norm = torch.nn.utils.clip_grad_norm_(network.parameters(), math.inf)
        if torch.isfinite(norm):
            optimiser.step()
        else:
            result.skipped_steps += 1
        schedule.step()
        result.losses.append(miss_loss.item())
        if step % 100 == 0:
            bar.set_postfix(rms_rel_miss=f"{math.sqrt(miss_loss.item()):.2e}")


def velocity_weight_at(weights: tuple[float, float, int], step: int) -> float:
    """app.training.velocity_weight's geometric decay (start, end, steps)."""
    start, end, steps = weights
    fraction = step / max(steps - 1, 1)
    return math.exp(math.log(start) + fraction * (math.log(end) - math.log(start)))


def held_out_targets(
    cannon: Cannon, n: int, seed: int = VALIDATION_SEED
) -> tuple[Tensor, Conditions]:
    """n reachable targets across the envelope, from a generator training never uses: uniform
    conditions (no edge snapping) and distances uniform in (0, 0.995 x their exact max range].
    Shapes: distance (n,) m and conditions (n,) each, float64."""
    generator = torch.Generator().manual_seed(seed)
    drawn = sample_conditions(2 * n, generator, ENVELOPE)  # a few reach nothing
    reach = max_range(cannon, drawn)  # exact (best_angle), not the table
    fraction = 1 - torch.rand(2 * n, generator=generator, dtype=torch.float64)  # (0, 1]
    distance = fraction * AirTrainConfig.reach_fraction * reach
    chosen = (reach > 0).nonzero().flatten()[:n]
    return distance[chosen], (drawn[0][chosen], drawn[1][chosen], drawn[2][chosen])


def lowest_velocity(
    cannon: Cannon, distance: Tensor, conditions: Conditions, guess: Tensor, rounds: int = 6
) -> Tensor:
    """The least velocity (m/s) whose best-angle shot carries `distance`: secant steps on
    v -> max range at v (app/reach.py, the simulator), from `guess`. (N,) -> (N,)"""
    air = Air(torch.zeros_like(distance), *conditions)
    previous, now = guess * 0.98, guess
    gap_previous = best_angle(previous, air, cannon)[1] - distance
    for _ in range(rounds):
        gap = best_angle(now, air, cannon)[1] - distance
        step = gap * (now - previous) / (gap - gap_previous)
        step = torch.where(torch.isfinite(step), step, 0.0)  # converged, or -inf reach
        previous, gap_previous = now, gap
        now = (now - step).clamp(1e-3, cannon.max_velocity)
    return now


def validate_air(network: AirNetwork, n: int = AirTrainConfig.validation_targets) -> dict[str, Any]:
    """The network alone on n held-out reachable targets, each proposal flown by the
    independent reference (app/reference.py: solve_ivp, float64). Misses in metres and
    relative to the distance; a proposal that never comes down through the target's height
    counts as an infinite miss. Velocity excess: how far above the least velocity that
    reaches the target the proposal is, found with the simulator."""
    cannon = network.cannon
    distance, (dh, wind, drag) = held_out_targets(cannon, n)
    with torch.no_grad():
        angle, velocity = network(distance, dh, wind, drag)
    landings = [
        reference.landing(v, a, 0.0, h, w, k, cannon.gravity).distance
        for v, a, h, w, k in zip(
            velocity.tolist(),
            angle.tolist(),
            dh.tolist(),
            wind.tolist(),
            drag.tolist(),
            strict=True,
        )
    ]
    miss = torch.nan_to_num(
        (torch.tensor(landings, dtype=torch.float64) - distance).abs(), nan=math.inf
    )
    relative = miss / distance
    least = lowest_velocity(cannon, distance, (dh, wind, drag), velocity.double())
    excess = velocity.double() / least - 1
    return {
        "targets": n,
        "median_miss_m": miss.median().item(),
        "p99_miss_m": miss.quantile(0.99).item(),
        "max_miss_m": miss.max().item(),
        "median_relative_miss": relative.median().item(),
        "p99_relative_miss": relative.quantile(0.99).item(),
        "max_relative_miss": relative.max().item(),
        "within_0.1%": (relative <= 1e-3).double().mean().item(),
        "within_1%": (relative <= 1e-2).double().mean().item(),
        "reached": math.fsum(torch.isfinite(miss).double().tolist()) / n,
        "median_velocity_excess": excess.nanmedian().item(),
        "p99_velocity_excess": excess.nanquantile(0.99).item(),
    }


def train_and_save_air(
    out: Path,
    config: AirTrainConfig | None = None,
    cannon: Cannon | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Train, validate against the reference, and save weights and card to `out` (and
    out.with_suffix(".json")); return the card."""
    config = config or AirTrainConfig()
    cannon = cannon or Cannon()
    result = train_air(cannon, config, progress=progress)
    start = time.perf_counter()
    figures = validate_air(result.network, config.validation_targets)
    card: dict[str, Any] = {
        "name": "cannon-aim air inverse network",
        "inputs": "distance, height difference (target minus launch), wind, drag",
        "solution_choice": (
            "the lowest launch velocity that reaches the target (learned through a decaying "
            "velocity penalty): the best-angle shot at the velocity whose maximum range "
            "through the air is the distance"
        ),
        "training": {
            **config.as_dict(),
            "final_miss_loss": result.losses[-1],
            "skipped_steps": result.skipped_steps,
            "seconds": round(result.seconds, 1),
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "validation": {
            **figures,
            "against": "app/reference.py (solve_ivp DOP853, tolerances 1e-12; closed form without drag)",
            "seconds": round(time.perf_counter() - start, 1),
        },
    }
    return save_air_model(result.network, out, card)
