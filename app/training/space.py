"""The 3D physics for the training loop (app/training/loop.py): moving targets in any wind.

target, its motion, the air -> network -> (elevation, azimuth, v) -> app/physics/space_flight.py
-> where the shot comes down through the target's height, loss on the horizontal miss there
relative to the target's distance. The loop's decaying penalty on (v / v_max)^2 steers the
network to the lowest launch velocity that meets each target, as for the air model.

Targets must be reachable, and with a moving target no table says which are: each is built
from a real shot (the way ballistic-solver's benchmark builds its cases). Draw a shot and a
scene, fly the shot to where it comes down through a height, and put a target there at that
moment, moving as drawn; a target the shot would meet elsewhere first (rising to meet it) is
left out. Only the network's shot is flown with gradients. The card's figures are computed
here too, on held-out targets, each proposal flown by the independent reference.
"""

from __future__ import annotations

import math
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from app.model.network import (
    ACCELERATION_LIMIT,
    SPACE,
    SPEED_LIMIT,
    InverseNetwork,
    NetworkConfig,
)
from app.model.store import save_model
from app.physics import reference_space as reference
from app.physics import space_flight as flight
from app.physics.envelope import ENVELOPE
from app.physics.vacuum import Cannon
from app.training.loop import Run, geometric, optimise

VALIDATION_SEED = 2026  # held-out targets: a generator no training run uses
BUILT = 1e-6  # of the unit length: the most a building shot may miss its own target by


@dataclass(frozen=True)
class SpaceTrainConfig:
    seed: int = 0  # seeds initialisation and the sampling of targets
    steps: int = 20_000  # Adam steps, one fresh batch of targets each (12,000: median 0.140%)
    batch_size: int = 3072  # targets drawn per step; about half are kept
    learning_rate: float = 3e-3  # peak Adam rate, cosine-decayed to 1% of it
    velocity_weight_start: float = 0.1  # the (v / v_max)^2 penalty's weight at step 0 ...
    velocity_weight_end: float = 1e-4  # ... and at the last, as for the air model
    miss_floor: float = 0.01  # vacuum ranges added to the distance the miss is divided by
    # (0.05, the air model's, weighed the short targets' misses, the hardest, at half of the
    # goal's measure: median 0.101% against 0.099% after 20,000 steps)
    miss_smoothing: float = 1e-5  # |relative miss|, smoothed into a parabola below this
    # The loss on a relative miss r is s log(1 + r / s): r itself below the scale s, its
    # logarithm above. s decays geometrically like the penalty: at first every miss pulls as
    # in the air model's |r|; at the end a target missed by far more than s pulls little, so
    # the hard few (p99 8-15% in these runs) stop steering the many, whose median is the goal
    # (after 12,000 steps: median 0.140% against |r|'s 0.160%).
    miss_scale_start: float = 1.0
    miss_scale_end: float = 1e-3
    nearest: float = 0.02  # vacuum ranges: targets nearer at firing are left out
    edge_fraction: float = 0.1  # share of drags and winds drawn on the envelope's bound
    simulator_steps: int = 16  # RK4 steps of the network's shot
    building_steps: int = 24  # RK4 steps of the shot a target is built from
    threads: int = 1  # torch threads: on a shared 2-core machine one is faster and steadier
    validation_targets: int = 2000  # held-out targets checked against the reference

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def uniform(n: int, low: float, high: float, generator: torch.Generator) -> Tensor:
    return low + (high - low) * torch.rand(n, generator=generator, dtype=torch.float64)


def in_ball(n: int, radius: float, dims: int, generator: torch.Generator) -> Tensor:
    """(dims, n) vectors uniform in a ball of that radius."""
    direction = torch.randn(dims, n, generator=generator, dtype=torch.float64)
    direction = direction / direction.norm(dim=0).clamp_min(1e-300)
    fraction = torch.rand(n, generator=generator, dtype=torch.float64).pow(1 / dims)
    scaled: Tensor = direction * radius * fraction
    return scaled


def draw(
    n: int, cannon: Cannon, generator: torch.Generator, edge_fraction: float, building_steps: int
) -> tuple[flight.Scene, Tensor, Tensor, Tensor]:
    """n targets built from shots: their scenes, whether each is kept (N,) bool, and the
    velocity (N,) m/s and elevation (N,) rad of the shot that built it. A shot's azimuth is 0: the network sees
    every target along its own bearing, so nothing depends on it."""
    env, length = ENVELOPE.at(cannon), cannon.max_range
    speed, g = cannon.max_velocity, cannon.gravity
    velocity = speed * uniform(n, 0.01, 1.0, generator).sqrt()
    elevation = uniform(n, cannon.min_angle + 0.02, cannon.max_angle - 0.02, generator)
    launch = uniform(n, *env.launch_height, generator)
    meet_at = launch + uniform(n, *env.height_difference, generator)
    wind = in_ball(n, env.wind[1], 2, generator)
    drag = uniform(n, *env.drag, generator)
    edge = torch.rand(n, generator=generator) < edge_fraction
    drag = torch.where(edge & (torch.rand(n, generator=generator) < 0.5), 0.0, drag)
    wind = torch.where(edge, wind * env.wind[1] / wind.norm(dim=0).clamp_min(1e-300), wind)
    u = in_ball(n, SPEED_LIMIT * speed, 3, generator)
    a = in_ball(n, ACCELERATION_LIMIT * g, 3, generator)
    zero, still = torch.zeros_like(velocity), torch.zeros(3, n, dtype=torch.float64)
    with torch.no_grad():
        point = torch.stack((zero, zero, meet_at))
        there = flight.simulate(
            velocity, elevation, zero, flight.Scene(launch, wind, drag, point, still, still),
            g, building_steps,
        )  # fmt: skip
        t = there.time
        point = torch.stack((there.miss[0], there.miss[1], meet_at))  # the shot, there
        target = point - u * t - a * t * t / 2
        scene = flight.Scene(launch, wind, drag, target, u, a)
        again = flight.simulate(velocity, elevation, zero, scene, g, building_steps)
    keep = there.reaches & again.reaches & (again.miss.norm(dim=0) <= BUILT * length)
    keep &= (target[2] - launch - env.height_difference[0]) >= 0
    keep &= (target[2] - launch - env.height_difference[1]) <= 0
    keep &= torch.isfinite(target).all(dim=0)
    return scene, keep, velocity, elevation


@dataclass(frozen=True)
class Moving:
    """The 3D physics for the training loop: targets built from shots, the network's shot
    flown by the simulator."""

    config: SpaceTrainConfig

    def losses(
        self, network: InverseNetwork, sampler: torch.Generator, done: float
    ) -> tuple[Tensor, Tensor]:
        config, cannon = self.config, network.cannon
        scene, keep, _, _ = draw(
            config.batch_size, cannon, sampler, config.edge_fraction, config.building_steps
        )
        distance = torch.hypot(scene.target[0], scene.target[1])  # (B,) m at firing
        kept = (keep & (distance >= config.nearest * cannon.max_range)).nonzero().flatten()
        scene, distance = pick(scene, kept), distance[kept]  # only those are flown
        elevation, azimuth, velocity = network.aim_at(scene)  # (B,) each, float32
        met = flight.simulate(
            velocity.double(), elevation.double(), azimuth.double(), scene, cannon.gravity,
            config.simulator_steps,
        )  # fmt: skip
        # Masked before the square root: a NaN in an unused branch still poisons gradients.
        gap = torch.where(met.reaches, (met.miss**2).sum(dim=0), 1.0)
        relative = gap / (distance + config.miss_floor * cannon.max_range) ** 2
        smooth = config.miss_smoothing
        scale = geometric(config.miss_scale_start, config.miss_scale_end, done)
        miss = (relative + smooth**2).sqrt() - smooth  # (B,) |relative miss|, smoothed
        miss_term = torch.where(
            met.reaches,
            scale * torch.log1p(miss / scale),
            1.0 + met.shortfall / cannon.max_range,  # never down: pulled up as before
        )
        velocity_term = (velocity.double() / cannon.max_velocity) ** 2
        return miss_term.mean(), velocity_term.mean()


def pick(scene: flight.Scene, chosen: Tensor) -> flight.Scene:
    """The scenes of the targets `chosen` (K,) int64."""
    fields = flight.Scene.__dataclass_fields__
    return flight.Scene(*(getattr(scene, f)[..., chosen] for f in fields))


def train_space(
    cannon: Cannon,
    config: SpaceTrainConfig | None = None,
    network_config: NetworkConfig | None = None,
    progress: bool = True,
) -> Run:
    """Train a fresh network, deterministic for a given seed on a given machine."""
    config = config or SpaceTrainConfig()
    threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        torch.manual_seed(config.seed)
        sampler = torch.Generator().manual_seed(config.seed)
        network = InverseNetwork(cannon, network_config or SPACE)
        return optimise(network, Moving(config), config, sampler, progress, "training 3D")
    finally:
        torch.set_num_threads(threads)


def held_out(
    cannon: Cannon, n: int, seed: int = VALIDATION_SEED, steps: int = 128
) -> tuple[flight.Scene, Tensor]:
    """n targets built as in training (their shots flown with `steps` RK4 steps), from a
    generator training never uses, without edge snapping and from 0.05 vacuum ranges out:
    their scenes and their shots' velocities."""
    generator = torch.Generator().manual_seed(seed)
    scene, keep, velocity, _ = draw(4 * n, cannon, generator, 0.0, steps)
    keep &= torch.hypot(scene.target[0], scene.target[1]) >= 0.05 * cannon.max_range
    chosen = keep.nonzero().flatten()[:n]
    return pick(scene, chosen), velocity[chosen]


def validate_space(network: InverseNetwork, n: int) -> dict[str, float | None]:
    """The network alone on n held-out targets, each proposal flown by the independent
    reference (app/physics/reference_space.py, DOP853 at 1e-12). Misses horizontal, in metres
    and relative to the target's distance at firing; a shot that never comes down through
    the target's height counts as an infinite miss. `slower` is the share of proposals no
    faster than the shot the target was built from (the lowest meets it at most as fast)."""
    cannon = network.cannon
    scene, built = held_out(cannon, n)
    with torch.no_grad():
        elevation, azimuth, velocity = network.aim_at(scene)
    rows = zip(
        velocity.tolist(), elevation.tolist(), azimuth.tolist(), scene.target.T.tolist(),
        scene.velocity.T.tolist(), scene.acceleration.T.tolist(), scene.wind.T.tolist(),
        scene.drag.tolist(), scene.launch_height.tolist(), strict=True,
    )  # fmt: skip
    miss = np.array(
        [reference.intercept(*row, gravity=cannon.gravity).miss for row in rows]  # type: ignore[misc]
    )
    reached = np.isfinite(miss)
    miss = np.where(reached, miss, math.inf)
    relative = miss / np.hypot(scene.target[0].numpy(), scene.target[1].numpy())
    figures = {
        "targets": len(miss),
        "median_miss_m": float(np.median(miss)),
        "p99_miss_m": float(np.quantile(miss, 0.99)),
        "median_relative_miss": float(np.median(relative)),
        "p99_relative_miss": float(np.quantile(relative, 0.99)),
        "within_0.1%": float(np.mean(relative <= 1e-3)),
        "within_1%": float(np.mean(relative <= 1e-2)),
        "reached": float(np.mean(reached)),
        "slower": float(np.mean(velocity.double().numpy() <= built.numpy() * (1 + 1e-3))),
    }
    return {k: v if math.isfinite(v) else None for k, v in figures.items()}


def train_and_save_space(
    out: Path,
    config: SpaceTrainConfig | None = None,
    cannon: Cannon | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Train, validate against the reference, and save weights and card; return the card."""
    config = config or SpaceTrainConfig()
    cannon = cannon or Cannon()
    started = time.perf_counter()
    result = train_space(cannon, config, progress=progress)
    seconds = time.perf_counter() - started
    start = time.perf_counter()
    figures = validate_space(result.network, config.validation_targets)
    card: dict[str, Any] = {
        "name": "cannon-aim 3D inverse network",
        "inputs": (
            "along the target's bearing at firing: its distance, its height difference, the "
            "wind along and across, the drag, the target's velocity and acceleration along, "
            "across and up"
        ),
        "solution_choice": (
            "the lowest launch velocity that meets the target where the shot comes down "
            "through its height (learned through a decaying velocity penalty)"
        ),
        "training": {
            **config.as_dict(),
            "final_miss_loss": result.losses[-1],
            "skipped_steps": result.skipped_steps,
            "seconds": round(seconds, 1),
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "validation": {
            **figures,
            "against": "app/physics/reference_space.py (solve_ivp DOP853, tolerances 1e-12)",
            "seconds": round(time.perf_counter() - start, 1),
        },
    }
    return save_model(result.network, out, card)
