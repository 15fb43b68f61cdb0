"""How far a shot can carry through air, found numerically: there is no closed form.

At a fixed launch velocity the landing distance rises with the angle up to one best angle,
then falls (the low and the high arc). `best_angle` finds that angle for a batch of shots: a
coarse grid of angles, then rounds of a parabola through three points around the best so far,
each round on a finer spacing. No gradients are needed, and every round is one batched
simulation.
"""

from __future__ import annotations

import torch
from torch import Tensor

from app.flight import Air, simulate
from app.physics import Cannon

GRID = 25  # angles of the first, coarse look
ROUNDS = 5  # parabola rounds; each shrinks the spacing 6-fold
EDGE = 1e-6  # rad kept off the open angle limits


def landing_or_worst(velocity: Tensor, angle: Tensor, air: Air, cannon: Cannon) -> Tensor:
    """Landing distance (m), with -inf where the shot never comes down through the height."""
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
