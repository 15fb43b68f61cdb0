"""The air's physics for the training loop (app/training/loop.py): the flight simulator.

target (d, Δh, wind, drag) -> network -> (θ, v) -> app.physics.flight.simulate -> landing, loss
on the miss relative to the distance. The loop's decaying penalty on (v / v_max)^2 steers the
network to the lowest launch velocity that reaches each target: through air that is the
best-angle shot at the velocity whose maximum range is the distance. Nothing about that shot
is written into the code.

Targets must be reachable. Before training, the farthest landing (app/training/reach.py's
best angle at full velocity) and the nearest (with a tailwind every shot drifts forward) are
found on grids of conditions (app/training/reach_tables.py); distances are drawn between
their interpolations at each condition. Here too the model card's figures are computed, on
held-out targets flown by the independent reference.
"""

from __future__ import annotations

import math
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from app.model.network import AIR, InverseNetwork, NetworkConfig
from app.model.store import save_model
from app.physics import reference
from app.physics.envelope import ENVELOPE, Envelope, Reference, unit_length
from app.physics.flight import Air, simulate
from app.physics.vacuum import Cannon
from app.training.loop import Run, optimise
from app.training.reach import best_angle
from app.training.reach_tables import Conditions, ReachTable, max_range, nearest

VALIDATION_SEED = 2026  # held-out targets: a generator no training run uses
SMALLEST = 0.01  # m at the reference cannon: the nearest held-out target, as in benchmarks/air.py


def smallest(cannon: Cannon) -> float:
    """SMALLEST (m) at the cannon's scale."""
    return SMALLEST * unit_length(cannon) / unit_length(Reference())


@dataclass(frozen=True)
class AirTrainConfig:
    seed: int = 0  # seeds initialisation and the sampling of targets
    steps: int = 15_000  # Adam steps, one fresh batch of targets each, as for the vacuum (the
    # held-out median miss was 3.0 mm after 5,000 steps, 1.7 mm after 10,000, 1.2 mm after 15,000)
    batch_size: int = 2048  # targets per step; the simulator's cost barely grows with it
    learning_rate: float = 5e-3  # peak Adam rate, cosine-decayed to 1% of it (2e-3 learned
    # slower: median miss 0.30% against 0.14% after 2,500 steps)
    velocity_weight_start: float = 0.1  # weight of the (v / v_max)^2 penalty at step 0
    velocity_weight_end: float = 1e-4  # ... at the last step. The miss term is |miss|, whose
    # pull (O(1)) outweighs it at any miss, so it only slides shots along the landing's level
    # set towards the least velocity; ending at 1e-6 froze them 5% above it (median)
    miss_floor: float = 0.05  # vacuum ranges added to the distance the miss is divided by,
    # so the loss is relative for all but the shortest shots and never divides by ~0
    miss_smoothing: float = 1e-5  # the loss is |relative miss| (robust: a few hard targets
    # must not drown the rest), smoothed into a parabola below this to settle without jitter
    reach_fraction: float = 0.995  # distances drawn up to this fraction of the maximum range
    near_margin: float = 0.1  # distances start this fraction above the nearest landing: its
    # interpolation was 8% short of it at worst (against `nearest` at 300 random conditions)
    min_reach: float = 0.01  # vacuum ranges: conditions whose reachable span is less are left out
    edge_fraction: float = 0.1  # share of each condition drawn exactly on an envelope bound
    simulator_steps: int = 16  # RK4 steps: within 1e-4 of the reference relative to the
    # landing, typically 2e-7, far below the misses aimed for; 3x faster than the default 64
    table_shape: tuple[int, int, int] = (25, 21, 21)  # max-range grid: Δh, wind, drag
    near_table_shape: tuple[int, int, int] = (13, 6, 11)  # nearest-landing grid, tailwinds
    threads: int = 1  # torch threads: on a shared 2-core machine one is faster and steadier
    validation_targets: int = 2000  # held-out targets checked against app/physics/reference.py

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    network: InverseNetwork, distance: Tensor, conditions: Conditions, config: AirTrainConfig
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


@dataclass(frozen=True)
class Through:
    """The air's physics for the training loop: conditions drawn over the envelope, distances
    stratified between each condition's nearest and farthest landing (the tables), flown
    by the simulator."""

    table: ReachTable
    config: AirTrainConfig

    def losses(
        self, network: InverseNetwork, sampler: torch.Generator, done: float
    ) -> tuple[Tensor, Tensor]:
        config, cannon = self.config, network.cannon
        envelope = ENVELOPE.at(cannon)  # in metres for the cannon trained on
        conditions = sample_conditions(config.batch_size, sampler, envelope, config.edge_fraction)
        near, far = self.table(conditions)  # (B,) m each
        # A margin above the nearest: the interpolated one may fall a little short of it.
        low, high = near * (1 + config.near_margin), config.reach_fraction * far
        keep = (high - low >= config.min_reach * cannon.max_range).double()  # (B,)
        # Stratified: one distance in each of B equal slices of the reachable span, so every
        # batch has short and long shots alike.
        strata = torch.arange(config.batch_size, dtype=torch.float64)
        jitter = torch.rand(config.batch_size, generator=sampler, dtype=torch.float64)
        distance = low + (strata + jitter) / config.batch_size * (high - low).clamp_min(0.0)
        miss_term, velocity_term = air_losses(network, distance, conditions, config)
        return (miss_term * keep).sum() / keep.sum(), (velocity_term * keep).sum() / keep.sum()


def train_air(
    cannon: Cannon,
    config: AirTrainConfig | None = None,
    network_config: NetworkConfig | None = None,
    progress: bool = True,
    table: ReachTable | None = None,
) -> Run:
    """Train a fresh network, deterministic for a given seed on a given machine; the reach
    tables' time is counted in the run's seconds."""
    config = config or AirTrainConfig()
    threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        torch.manual_seed(config.seed)
        sampler = torch.Generator().manual_seed(config.seed)
        start = time.perf_counter()
        table = table or ReachTable.build(cannon, config, ENVELOPE.at(cannon))
        network = InverseNetwork(cannon, network_config or AIR)
        run = optimise(network, Through(table, config), config, sampler, progress, "training air")
        run.seconds = time.perf_counter() - start
        return run
    finally:
        torch.set_num_threads(threads)


def held_out_targets(
    cannon: Cannon, n: int, seed: int = VALIDATION_SEED
) -> tuple[Tensor, Conditions]:
    """n reachable targets across the envelope, from a generator training never uses: uniform
    conditions (no edge snapping) and distances uniform between the nearest landing (at
    least 1 cm) and 0.995 of the maximum range, both found for each condition (not taken
    from the tables).
    Shapes: distance (n,) m and conditions (n,) each, float64."""
    generator = torch.Generator().manual_seed(seed)
    drawn = sample_conditions(2 * n, generator, ENVELOPE.at(cannon))  # a few reach nothing
    far = AirTrainConfig.reach_fraction * max_range(cannon, drawn)
    near = nearest(cannon, drawn).clamp_min(smallest(cannon))
    fraction = 1 - torch.rand(2 * n, generator=generator, dtype=torch.float64)  # (0, 1]
    distance = near + fraction * (far - near)
    chosen = (far > near).nonzero().flatten()[:n]
    return distance[chosen], (drawn[0][chosen], drawn[1][chosen], drawn[2][chosen])


def lowest_velocity(
    cannon: Cannon, distance: Tensor, conditions: Conditions, guess: Tensor, rounds: int = 6
) -> Tensor:
    """The least velocity (m/s) whose best-angle shot carries `distance`: secant steps on
    v -> max range at v (app/training/reach.py, the simulator), from `guess`. (N,) -> (N,)"""
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


def validate_air(
    network: InverseNetwork, n: int = AirTrainConfig.validation_targets
) -> dict[str, float | None]:
    """The network alone on n held-out reachable targets, each proposal flown by the
    independent reference (app/physics/reference.py: solve_ivp, float64). Misses in metres and
    relative to the distance; a proposal that never comes down through the target's height
    counts as an infinite miss (the maxima are over the others; `reached` says how many).
    Velocity excess: v / v_least - 1, with v_least the least velocity that reaches the target,
    found with the simulator."""
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
    miss = (torch.tensor(landings, dtype=torch.float64) - distance).abs()  # NaN: never down
    reached = torch.isfinite(miss)
    miss = torch.where(reached, miss, math.inf)  # counts against the quantiles
    relative = miss / distance
    least = lowest_velocity(cannon, distance, (dh, wind, drag), velocity.double())
    excess = velocity.double() / least - 1
    figures = {
        "targets": n,
        "median_miss_m": miss.median().item(),
        "p99_miss_m": miss.quantile(0.99).item(),
        "max_miss_m": miss[reached].max().item(),  # of the shots that come down at the target
        "median_relative_miss": relative.median().item(),
        "p99_relative_miss": relative.quantile(0.99).item(),
        "max_relative_miss": relative[reached].max().item(),
        "within_0.1%": (relative <= 1e-3).double().mean().item(),
        "within_1%": (relative <= 1e-2).double().mean().item(),
        "reached": reached.double().mean().item(),
        "median_velocity_excess": excess.nanmedian().item(),
        "p99_velocity_excess": excess.nanquantile(0.99).item(),
    }
    # Strict JSON has no infinity: a quantile past the unreached shots is written as null.
    return {k: v if math.isfinite(v) else None for k, v in figures.items()}


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
            "against": "app/physics/reference.py (solve_ivp DOP853, tolerances 1e-12; closed form without drag)",
            "seconds": round(time.perf_counter() - start, 1),
        },
    }
    return save_model(result.network, out, card)
