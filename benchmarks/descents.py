"""Aiming without the service's pipeline, for the comparison in benchmarks.approaches.

The held-out targets and the random starts the comparison draws, the judge of every answer
(`true_miss`, by app.physics.vacuum in float64, and `within_limits`), and the approaches other than
the service's own: plain gradient descent on the surrogate (approach 1) and on the true
physics (approach 2), the closed form in a vacuum (4), and the SciPy peers, brentq and
least_squares in plain floats, one target at a time (5a, 5b). benchmarks.descent_figures
draws the descents' paths with the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from scipy import optimize
from torch import Tensor

from app.physics.vacuum import Cannon
from benchmarks.surrogate import TrainedSurrogate

TINY_TARGET = 1e-3  # m, the near end of the range in the held-out set
TOLERANCE = 0.05  # m, the article's 5 cm and the service's default
GD_LEARNING_RATE = 3e-3
GD_STEPS = 5_000
FIXED_START = (5.0, math.pi / 4)  # (m/s, rad): the middle of the control box
EDGE = 1e-9  # keeps clamped controls inside the open limits

Forward = Callable[[Tensor, Tensor], Tensor]  # (velocity m/s, angle rad) -> distance m


# ---------------------------------------------------------------- targets, starts, judging


def held_out_targets(cannon: Cannon, n: int, seed: int) -> Tensor:
    """n distances uniform in (0, max_range] from `seed`, then 1 mm and max_range. (n + 2,)"""
    generator = torch.Generator().manual_seed(seed)
    drawn = (1 - torch.rand(n, generator=generator, dtype=torch.float64)) * cannon.max_range
    ends = torch.tensor([TINY_TARGET, cannon.max_range], dtype=torch.float64)
    return torch.cat([drawn, ends])


def random_starts(cannon: Cannon, n: int, seed: int) -> tuple[Tensor, Tensor]:
    """Random controls within the limits: velocity (n,) m/s, angle (n,) rad, float64."""
    generator = torch.Generator().manual_seed(seed + 1)  # not the targets' stream
    velocity = (1 - torch.rand(n, generator=generator, dtype=torch.float64)) * cannon.max_velocity
    span = cannon.max_angle - cannon.min_angle
    angle = cannon.min_angle + span * torch.rand(n, generator=generator, dtype=torch.float64)
    return velocity, clamp_angle(cannon, angle)


def clamp_angle(cannon: Cannon, angle: Tensor) -> Tensor:
    return angle.clamp(cannon.min_angle + EDGE, cannon.max_angle - EDGE)


def clamp_velocity(cannon: Cannon, velocity: Tensor) -> Tensor:
    return velocity.clamp(EDGE, cannon.max_velocity)


def true_miss(cannon: Cannon, distance: Tensor, velocity: Tensor, angle: Tensor) -> Tensor:
    """|landing - target| (m) by app.physics.vacuum in float64. (N,) -> (N,)"""
    landing = cannon.landing_distance(velocity.double(), angle.double())
    return (landing - distance.double()).abs()


def within_limits(cannon: Cannon, velocity: Tensor, angle: Tensor) -> bool:
    """Whether every (velocity, angle) is a shot the cannon can fire."""
    return all(
        cannon.can_fire(v, a) for v, a in zip(velocity.tolist(), angle.tolist(), strict=True)
    )


# ---------------------------------------------------------------- the approaches


@dataclass
class Descent:
    velocity: Tensor  # (N,) m/s, final
    angle: Tensor  # (N,) rad, final
    iterations: Tensor  # (N,) int64, steps each row took
    path: Tensor | None  # (steps + 1, N, 2) of (velocity, angle), when recorded


def gradient_descent(
    cannon: Cannon,
    forward: Forward,
    distance: Tensor,
    velocity: Tensor,
    angle: Tensor,
    *,
    tolerance: float = TOLERANCE,
    learning_rate: float = GD_LEARNING_RATE,
    max_steps: int = GD_STEPS,
    record: bool = False,
) -> Descent:
    """Plain fixed-rate gradient descent on (forward(v, θ) - d)^2, row by row.

    Each row stops once |forward - d| <= tolerance by `forward`'s own account: for the
    physics that is the true miss, for the surrogate what the surrogate believes. Controls
    are clamped to the cannon's limits after every step. Batched: rows are independent.
    """
    distance = distance.double()
    velocity = clamp_velocity(cannon, velocity.double().clone())
    angle = clamp_angle(cannon, angle.double().clone())
    iterations = torch.zeros_like(distance, dtype=torch.int64)
    path = [torch.stack([velocity, angle], -1)] if record else []
    rows = torch.arange(distance.numel())  # rows still descending
    for _ in range(max_steps):
        v = velocity[rows].requires_grad_(True)
        a = angle[rows].requires_grad_(True)
        with torch.enable_grad():
            residual = forward(v, a) - distance[rows]  # (n,) m
            # The gradient of row i's loss involves only row i, so one backward serves all.
            grad_v, grad_a = torch.autograd.grad((residual**2).sum(), (v, a))
        active = residual.detach().abs() > tolerance  # (n,)
        rows, grad_v, grad_a = rows[active], grad_v[active], grad_a[active]
        if rows.numel() == 0:
            break
        velocity[rows] = clamp_velocity(cannon, velocity[rows] - learning_rate * grad_v)
        angle[rows] = clamp_angle(cannon, angle[rows] - learning_rate * grad_a)
        iterations[rows] += 1
        if record:
            path.append(torch.stack([velocity, angle], -1))
    return Descent(
        velocity=velocity,
        angle=angle,
        iterations=iterations,
        path=torch.stack(path) if record else None,
    )


def surrogate_descent(
    cannon: Cannon,
    surrogate: TrainedSurrogate,
    distance: Tensor,
    max_steps: int = GD_STEPS,
    record: bool = False,
) -> Descent:
    """Approach 1: gradient descent on the surrogate from FIXED_START, until the surrogate
    believes it is within 5 cm."""
    n = distance.numel()
    velocity = torch.full((n,), FIXED_START[0], dtype=torch.float64)
    angle = torch.full((n,), FIXED_START[1], dtype=torch.float64)
    return gradient_descent(
        cannon, surrogate, distance, velocity, angle, max_steps=max_steps, record=record
    )


def newtonian_descent(
    cannon: Cannon,
    distance: Tensor,
    velocity: Tensor,
    angle: Tensor,
    tolerance: float = TOLERANCE,
    max_steps: int = GD_STEPS,
    record: bool = False,
) -> Descent:
    """Approach 2: gradient descent on the true physics from the given starts."""
    return gradient_descent(
        cannon,
        cannon.landing_distance,
        distance,
        velocity,
        angle,
        tolerance=tolerance,
        max_steps=max_steps,
        record=record,
    )


def closed_form(cannon: Cannon, distance: Tensor) -> tuple[Tensor, Tensor]:
    """Approach 4: the lowest-velocity shot, θ = π/4, v = sqrt(d g), clamped to v_max in case
    rounding at the maximum range pushes it over. Returns velocity, angle (N,)."""
    distance = distance.double()
    velocity = (distance * cannon.gravity).sqrt().clamp(max=cannon.max_velocity)
    return velocity, torch.full_like(distance, math.pi / 4)


def brentq_aim(cannon: Cannon, distance: float) -> tuple[float, float, int, int]:
    """Approach 5a for one target: (velocity, angle, iterations, function calls)."""
    v, g = cannon.max_velocity, cannon.gravity

    def miss(angle: float) -> float:
        return v * v * math.sin(2 * angle) / g - distance

    high = math.pi / 4
    if miss(high) <= 0:  # the target is at (or, by rounding, just past) the maximum range
        return v, high, 0, 1
    angle, result = optimize.brentq(miss, 0.0, high, full_output=True)
    return v, max(angle, cannon.min_angle + EDGE), result.iterations, result.function_calls


def least_squares_aim(cannon: Cannon, distance: float) -> tuple[float, float, int, int]:
    """Approach 5b for one target: (velocity, angle, nfev, nfev)."""
    g = cannon.gravity

    def miss(x: Any) -> list[float]:
        return [x[0] * x[0] * math.sin(2 * x[1]) / g - distance]

    result = optimize.least_squares(
        miss,
        FIXED_START,
        bounds=([EDGE, cannon.min_angle + EDGE], [cannon.max_velocity, cannon.max_angle - EDGE]),
    )
    velocity, angle = (float(x) for x in result.x)
    return velocity, angle, int(result.nfev), int(result.nfev)
