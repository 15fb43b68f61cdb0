"""How far a shot can carry through air, found numerically: there is no closed form.

At a fixed launch velocity the landing distance rises with the angle up to one best angle,
then falls (the low and the high arc). `best_angle` finds that angle for a batch of shots: a
coarse grid of angles, then rounds of a parabola through three points around the best so far,
each round on a finer spacing. No gradients are needed, and every round is one batched
simulation.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from app import cancel
from app.physics.flight import Air, simulate
from app.physics.vacuum import Cannon

GRID = 25  # angles of the first, coarse look
ROUNDS = 5  # parabola rounds; each shrinks the spacing 6-fold
EDGE = 1e-6  # rad kept off the open angle limits


def landing_or_worst(velocity: Tensor, angle: Tensor, air: Air, cannon: Cannon) -> Tensor:
    """Landing distance (m), with -inf where the shot never comes down through the height.

    Every search and refinement through air passes here once a round: the cancellation
    checkpoint here frees the core of work given up on within one simulator pass."""
    cancel.checkpoint()
    flight = simulate(velocity, angle, air, cannon.gravity)
    return torch.where(flight.reaches, flight.landing_distance, -torch.inf)


def repeat(air: Air, times: int) -> Air:
    """Each shot's conditions `times` times over, shot-major: (N,) -> (N * times,)."""
    return Air(*(t.repeat_interleave(times) for t in vars(air).values()))


@torch.no_grad()
def best_angle(velocity: Tensor, air: Air, cannon: Cannon) -> tuple[Tensor, Tensor]:
    """The angle (rad) that carries farthest at each velocity (m/s), and how far (m; -inf if no
    angle reaches the target height). Shapes (N,) -> (N,), (N,)."""
    n = velocity.shape[0]
    low, high = cannon.min_angle + EDGE, cannon.max_angle - EDGE
    grid = torch.linspace(low, high, GRID, dtype=velocity.dtype)  # (G,) rad
    reach = landing_or_worst(
        velocity.repeat_interleave(GRID), grid.repeat(n), repeat(air, GRID), cannon
    ).view(n, GRID)
    best = reach.argmax(dim=1)  # (N,)
    angle, spacing = grid[best], (high - low) / (GRID - 1)
    for _ in range(ROUNDS):
        around = (angle.unsqueeze(1) + spacing * torch.tensor([-1.0, 0.0, 1.0])).clamp(low, high)
        y = landing_or_worst(
            velocity.repeat_interleave(3), around.flatten(), repeat(air, 3), cannon
        ).view(n, 3)
        # Vertex of the parabola through the three points, kept within them.
        curve = y[:, 0] - 2 * y[:, 1] + y[:, 2]
        step = torch.where(curve < 0, 0.5 * (y[:, 0] - y[:, 2]) / curve, 0.0)
        step = torch.nan_to_num(step, nan=0.0, posinf=0.0, neginf=0.0).clamp(-1, 1)
        candidate = (angle + step * spacing).clamp(low, high)
        best_of_three = around.gather(1, y.argmax(dim=1, keepdim=True)).squeeze(1)
        angle = torch.where(curve < 0, candidate, best_of_three)
        spacing /= 6
    return angle, landing_or_worst(velocity, angle, air, cannon)


def landing_or_nearest(velocity: Tensor, angle: Tensor, air: Air, cannon: Cannon) -> Tensor:
    """Landing distance (m), with +inf where the shot never comes down at the target height."""
    flight = simulate(velocity, angle, air, cannon.gravity)
    return torch.where(flight.reaches, flight.landing_distance, torch.inf)


@torch.no_grad()
def nearest_landing(air: Air, cannon: Cannon) -> Tensor:
    """The nearest landing (m) any shot reaches, over all velocities and angles: a grid
    (velocities spaced geometrically from 1 mm/s, so that near-zero shots count), then two
    finer grids around the best point. +inf where nothing reaches. (N,) -> (N,)"""
    n, size = air.wind.shape[0], 16
    low_v, low_a = math.log(1e-3), cannon.min_angle + EDGE
    span_v, span_a = math.log(cannon.max_velocity) - low_v, cannon.max_angle - EDGE - low_a
    centre = torch.full((n, 2), 0.5, dtype=torch.float64)  # (N, 2): log-velocity, angle in 0..1
    width = 1.0
    for _ in range(3):
        offsets = torch.linspace(-width / 2, width / 2, size, dtype=torch.float64)
        grid = torch.stack(torch.meshgrid(offsets, offsets, indexing="ij"), -1).view(-1, 2)
        points = (centre.unsqueeze(1) + grid).clamp(0, 1)  # (N, size^2, 2)
        velocity = torch.exp(low_v + span_v * points[..., 0])
        angle = low_a + span_a * points[..., 1]
        landing = landing_or_nearest(
            velocity.flatten(), angle.flatten(), repeat(air, size * size), cannon
        ).view(n, -1)
        nearest, best = landing.min(dim=1)
        centre = points[torch.arange(n), best]
        width = 4 * width / size
    # The grid can step over a narrow minimum: the slowest steep shot that still climbs to a
    # raised target, drifting least. Bisect to it at a few steep angles and keep the nearest.
    steep = torch.tensor([low_a + span_a, 1.45, 1.3], dtype=torch.float64)  # rad
    angle = steep.repeat(n)  # (N * 3,)
    air3 = repeat(air, 3)
    slowest = reach_boundary(
        torch.full_like(angle, cannon.max_velocity),
        torch.full_like(angle, 1e-3),
        lambda v: landing_or_worst(v, angle, air3, cannon),
    ).view(n, 3)
    slowest = torch.where(torch.isfinite(slowest), slowest, torch.inf)
    return torch.minimum(nearest, slowest.min(dim=1).values)


@torch.no_grad()
def reach_boundary(
    inside: Tensor, outside: Tensor, landing_at: Callable[[Tensor], Tensor], rounds: int = 30
) -> Tensor:
    """Bisect between a control that reaches the target height (`inside`) and one that does
    not (`outside`) to the last that does; returns its landing (m). (N,) -> (N,)"""
    for _ in range(rounds):
        middle = (inside + outside) / 2
        reaches = torch.isfinite(landing_at(middle))
        inside, outside = (
            torch.where(reaches, middle, inside),
            torch.where(reaches, outside, middle),
        )
    return landing_at(inside)
