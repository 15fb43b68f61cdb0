"""The peers the air pipeline is measured against (benchmarks.air), per target.

1. Gradient descent from a random start through the same simulator (app/physics/flight.py), the
   "Newtonian" way of the trebuchet demo: Adam (torch.optim.Adam, learning rate LEARNING_RATE,
   default betas) on the scaled controls u = (v / v_max, θ / (π/2)), started uniformly at
   random inside [0.05, 0.95]^2 (seeded) and clamped to [1e-3, 1 - 1e-3] after every step,
   minimising ((landing - d) / d_max)^2 with d_max the vacuum maximum range (the scaling only
   sets the units; Adam is invariant to it). Where a shot never comes down through the
   target's height the landing is undefined; there the loss is the squared shortfall of the
   apex below the target height, which pushes the shot higher. It stops when the simulator's
   miss is within the tolerance, or at the step cap; each answer is then landed by the
   reference. Run one target at a time (what one request would cost) and batched over all
   the subset's targets at once (one Adam per target, each frozen once it hits).
2. SciPy root finding with the reference integrator (app/reference.landing, solve_ivp
   DOP853 at 1e-12) in a Python loop, default tolerances:
   a. `scipy.optimize.least_squares` over (v, θ) within the cannon's limits from the fixed
      start (5 m/s, π/4 rad), method 'trf', finite-difference Jacobian; the residual is
      landing - d, or where the shot never comes down at the target's height, the apex's
      shortfall below it minus d (continuous in spirit, always negative: too short);
   b. `scipy.optimize.brentq` on the velocity in [1 mm/s, v_max] at the fixed angle π/4,
      the residual landing - d with a shot that never comes down counted as -d; it fails
      (no sign change) where the target is out of reach at 45°, which counts as a miss.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import brentq, least_squares
from torch import Tensor

from app.physics import reference
from app.physics.flight import Air, simulate
from app.physics.vacuum import Cannon

LEARNING_RATE = 0.02  # Adam on the scaled controls; see benchmarks.air's docstring
START_BOX = (0.05, 0.95)  # where random starts lie, in scaled controls
LS_START = (5.0, math.pi / 4)  # least_squares' fixed start (m/s, rad)
BRENTQ_ANGLE = math.pi / 4  # rad


@dataclass
class PeerResult:
    """One peer's answers for the subset, (N,) each, landed by the reference."""

    name: str
    mode: str  # "one at a time" or "batched"
    velocity: np.ndarray  # m/s
    angle: np.ndarray  # rad
    steps: np.ndarray  # optimiser steps (GD) or residual evaluations (SciPy)
    seconds: float  # wall time for all N targets
    miss: np.ndarray  # m, by the reference; inf where the shot never comes down there

    def per_target_s(self) -> float:
        return self.seconds / len(self.velocity)


def pick(air: Air, rows: Tensor | slice) -> Air:
    return Air(*(t[rows] for t in vars(air).values()))


def reference_miss(
    cannon: Cannon, distance: Tensor, air: Air, velocity: np.ndarray, angle: np.ndarray
) -> np.ndarray:
    """|landing - d| by the batched reference, inf where the shot never comes down there."""
    flown = reference.landings(
        velocity,
        angle,
        air.launch_height.numpy(),
        air.target_height.numpy(),
        air.wind.numpy(),
        air.drag.numpy(),
        cannon.gravity,
    )
    miss = np.abs(flown.distance - distance.numpy())
    return np.where(np.isfinite(miss), miss, np.inf)


def descend(
    cannon: Cannon,
    distance: Tensor,
    air: Air,
    start: Tensor,
    tolerance: float,
    max_steps: int,
) -> tuple[Tensor, Tensor]:
    """Adam from `start` (N, 2) scaled controls for every row at once; each row is frozen once
    the simulator's miss is within the tolerance. Returns the final scaled controls and the
    steps each row took."""
    scale = torch.tensor([cannon.max_velocity, math.pi / 2], dtype=torch.float64)
    u = start.clone().requires_grad_()
    optimiser = torch.optim.Adam([u], lr=LEARNING_RATE)
    steps = torch.zeros(len(distance), dtype=torch.int64)
    d_max = cannon.max_range
    for _ in range(max_steps + 1):
        controls = u * scale
        flight = simulate(controls[:, 0], controls[:, 1], air, cannon.gravity)
        landing = flight.landing_distance
        miss = (landing - distance).abs()
        active = ~(miss <= tolerance)  # NaN (never comes down there) stays active
        if not bool(active.any()) or int(steps.max()) >= max_steps:
            break
        short = (air.target_height - flight.apex_height).clamp_min(0) + 1.0
        loss_rows = torch.where(
            flight.reaches, ((torch.nan_to_num(landing) - distance) / d_max) ** 2, short**2
        )
        optimiser.zero_grad()
        torch.autograd.backward((loss_rows * active).sum())
        assert u.grad is not None
        u.grad[~active] = 0.0
        frozen = u.detach()[~active].clone()
        optimiser.step()
        with torch.no_grad():
            u.clamp_(1e-3, 1 - 1e-3)
            u[~active] = frozen  # Adam's momentum must not move a row that has hit
        steps += active
    return u.detach() * scale, steps


def warm_up(cannon: Cannon) -> None:
    """Pay the one-off costs before timing: Adam's first step imports torch._dynamo (seconds),
    SciPy's first calls set up their machinery. On a shot in level air, not a measured one."""
    level = Air(*(torch.tensor([x], dtype=torch.float64) for x in (0.0, 0.0, 0.0, 0.1)))
    start = torch.full((1, 2), 0.5, dtype=torch.float64)
    descend(cannon, torch.tensor([3.0], dtype=torch.float64), level, start, 0.0, 2)
    least_squares(
        lambda x: [reference.landing(x[0], x[1], 0.0, 0.0, 0.0, 0.1, cannon.gravity).distance - 3],
        LS_START,
        max_nfev=2,
    )


def gradient_descent(
    cannon: Cannon,
    distance: Tensor,
    air: Air,
    tolerance: float,
    max_steps: int,
    seed: int,
    batched: bool,
) -> PeerResult:
    """Peer 1, one target at a time or all at once (same random starts either way)."""
    generator = torch.Generator().manual_seed(seed)
    low, high = START_BOX
    start = low + (high - low) * torch.rand(
        len(distance), 2, generator=generator, dtype=torch.float64
    )
    began = time.perf_counter()
    if batched:
        controls, steps = descend(cannon, distance, air, start, tolerance, max_steps)
    else:
        parts = [
            descend(
                cannon,
                distance[i : i + 1],
                pick(air, slice(i, i + 1)),
                start[i : i + 1],
                tolerance,
                max_steps,
            )
            for i in range(len(distance))
        ]
        controls = torch.cat([p[0] for p in parts])
        steps = torch.cat([p[1] for p in parts])
    seconds = time.perf_counter() - began
    v, a = controls[:, 0].numpy(), controls[:, 1].numpy()
    return PeerResult(
        "gradient descent (Adam), random start",
        "batched" if batched else "one at a time",
        v,
        a,
        steps.numpy(),
        seconds,
        reference_miss(cannon, distance, air, v, a),
    )


Conditions = tuple[float, float, float, float]  # launch height, target height, wind, drag


def conditions_of(air: Air, i: int) -> Conditions:
    return (
        float(air.launch_height[i]),
        float(air.target_height[i]),
        float(air.wind[i]),
        float(air.drag[i]),
    )


def least_squares_aim(cannon: Cannon, distance: Tensor, air: Air) -> PeerResult:
    """Peer 2a: scipy least_squares over (v, θ) per target with the reference."""
    n = len(distance)
    v, a, evaluations = np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64)
    lower = [1e-3, cannon.min_angle + 1e-6]
    upper = [cannon.max_velocity, cannon.max_angle - 1e-6]
    began = time.perf_counter()
    for i in range(n):
        d, conditions = float(distance[i]), conditions_of(air, i)

        def residual(x: np.ndarray, d: float = d, c: Conditions = conditions) -> float:
            flown = reference.landing(x[0], x[1], c[0], c[1], c[2], c[3], cannon.gravity)
            if math.isfinite(flown.distance):
                return flown.distance - d
            return -(c[1] - flown.apex_height) - d  # never that high: short, by the apex's gap

        fit = least_squares(lambda x, r=residual: [r(x)], LS_START, bounds=(lower, upper))
        v[i], a[i], evaluations[i] = fit.x[0], fit.x[1], fit.nfev
    seconds = time.perf_counter() - began
    return PeerResult(
        "SciPy least_squares (v, θ), reference",
        "one at a time",
        v,
        a,
        evaluations,
        seconds,
        reference_miss(cannon, distance, air, v, a),
    )


def brentq_aim(cannon: Cannon, distance: Tensor, air: Air) -> PeerResult:
    """Peer 2b: scipy brentq on the velocity at θ = π/4 per target with the reference."""
    n = len(distance)
    v, evaluations = np.full(n, cannon.max_velocity), np.zeros(n, dtype=np.int64)
    began = time.perf_counter()
    for i in range(n):
        d, conditions = float(distance[i]), conditions_of(air, i)

        def residual(x: float, d: float = d, c: Conditions = conditions) -> float:
            flown = reference.landing(x, BRENTQ_ANGLE, c[0], c[1], c[2], c[3], cannon.gravity)
            return flown.distance - d if math.isfinite(flown.distance) else -d

        try:
            root, info = brentq(residual, 1e-3, cannon.max_velocity, full_output=True)
            v[i], evaluations[i] = root, info.function_calls
        except ValueError:  # no sign change: out of reach at this angle
            evaluations[i] = 2
    seconds = time.perf_counter() - began
    a = np.full(n, BRENTQ_ANGLE)
    return PeerResult(
        "SciPy brentq on v at θ = π/4, reference",
        "one at a time",
        v,
        a,
        evaluations,
        seconds,
        reference_miss(cannon, distance, air, v, a),
    )
