"""Gradient-based refinement of launch controls on the true physics.

Why not fixed-rate gradient descent on (R - d)^2: it is badly scaled here. The gradient
vanishes as the miss does and its size swings with v and θ, so one learning rate either
crawls near the target or overshoots far from it. Measured from random starts
(tests/test_refinement.py): with the best of six rates from 1e-4 to 0.1, 200 plain steps
bring only about a third of the targets within 1e-6 m.

Instead each step is the Gauss-Newton step on the scalar miss r(z) = R(z) - d: the smallest
change dz with r + ∇r·dz = 0, that is dz = -r ∇r / |∇r|^2, with ∇r from autograd through the
physics. It converges quadratically where ∇r is well away from 0. At the maximum range ∇r
vanishes in the angle and the plain step only halves the angle's error, so the line search
also tries the doubled step, exact for that double root. Every accepted step shrinks |r|,
and steps are projected onto the cannon's limits. From the same random starts every target
is within 1e-6 m in at most 7 steps.

Controls are scaled to z = (v / v_max, (θ - θ_min) / (θ_max - θ_min)), both in (0, 1], so the
minimum-norm step treats velocity and angle alike. Everything is batched: each row refines
independently and stops once its own miss is within its tolerance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from app import cancel
from app.physics.vacuum import Cannon

EDGE = 1e-9  # keeps scaled controls off the open ends: v > 0 and θ strictly inside its limits
# Step scales tried by the line search. 2 makes the step exact where the miss has a double
# root (the maximum range, where R ~ R_max - c (θ - π/4)^2); 1 is the Gauss-Newton step;
# the halvings guard against overshoot far from the solution.
SCALES = 2.0 ** -torch.arange(-1, 31, dtype=torch.float64)  # (S,)


@dataclass(frozen=True)
class Refined:
    angle: Tensor  # (N,) rad
    velocity: Tensor  # (N,) m/s
    landing_distance: Tensor  # (N,) m
    iterations: Tensor  # (N,) int64, Gauss-Newton steps taken by each row


def _scale(cannon: Cannon) -> tuple[Tensor, Tensor]:
    """Offset and span that map scaled controls z to (velocity, angle)."""
    offset = torch.tensor([0.0, cannon.min_angle], dtype=torch.float64)
    span = torch.tensor(
        [cannon.max_velocity, cannon.max_angle - cannon.min_angle], dtype=torch.float64
    )
    return offset, span


# Landing distance (m) of shots (velocity m/s, angle rad; shape (..., n)) aimed at the targets
# in `rows` (n,): the vacuum's closed form, or a flight through each target's own air.
Landing = Callable[[Tensor, Tensor, Tensor], Tensor]


def vacuum_landing(cannon: Cannon) -> Landing:
    return lambda velocity, angle, _rows: cannon.landing_distance(velocity, angle)


def _landing(land: Landing, z: Tensor, offset: Tensor, span: Tensor, rows: Tensor) -> Tensor:
    """Scaled controls z (..., n, 2) -> landing distance (..., n) m."""
    controls = offset + span * z  # (..., n, 2): velocity, angle
    return land(controls[..., 0], controls[..., 1], rows)


def _projected_step(residual: Tensor, grad: Tensor, z: Tensor, low: Tensor, high: Tensor) -> Tensor:
    """Minimum-norm Gauss-Newton step, ignoring directions blocked by an active limit."""
    step = -residual[:, None] * grad / (grad**2).sum(-1, keepdim=True).clamp_min(1e-300)
    blocked = ((z >= high) & (step > 0)) | ((z <= low) & (step < 0))  # (n, 2)
    grad = grad.masked_fill(blocked, 0.0)
    return -residual[:, None] * grad / (grad**2).sum(-1, keepdim=True).clamp_min(1e-300)


def refine(
    cannon: Cannon,
    distance: Tensor,
    angle: Tensor,
    velocity: Tensor,
    tolerance: Tensor | float,
    max_iterations: int,
    physics: Landing | None = None,
    scales: Tensor = SCALES,
) -> Refined:
    """Refine (angle, velocity) until |landing - distance| <= tolerance, row by row.

    Shapes: distance, angle, velocity, tolerance (N,) -> Refined with (N,) fields, float64.
    `physics` gives the landing (the vacuum's by default); it gives -inf for a shot that never
    comes down at the target, which the line search then never picks. `scales` are the step
    sizes it tries, all in one evaluation.
    """
    land = physics or vacuum_landing(cannon)
    everyone = torch.arange(distance.shape[0])
    distance = distance.double()
    tolerance = torch.as_tensor(tolerance, dtype=torch.float64).expand_as(distance)
    low = torch.tensor([EDGE, EDGE], dtype=torch.float64)
    high = torch.tensor([1.0, 1.0 - EDGE], dtype=torch.float64)
    offset, span = _scale(cannon)
    controls = torch.stack([velocity.double(), angle.double()], dim=-1)  # (N, 2)
    z = ((controls - offset) / span).clamp(low, high)  # (N, 2)
    landing = _landing(land, z, offset, span, everyone)  # (N,) m
    iterations = torch.zeros_like(distance, dtype=torch.int64)

    for _ in range(max_iterations):
        cancel.checkpoint()  # between steps: work given up on stops here
        rows = ((landing - distance).abs() > tolerance).nonzero().squeeze(-1)  # (n,)
        if rows.numel() == 0:
            break
        with torch.enable_grad():
            z_rows = z[rows].requires_grad_(True)  # (n, 2)
            landing_rows = _landing(land, z_rows, offset, span, rows)
            (grad,) = torch.autograd.grad(landing_rows.sum(), z_rows)  # (n, 2) dR/dz
        z_rows = z_rows.detach()
        residual = landing_rows.detach() - distance[rows]  # (n,) m
        step = _projected_step(residual, grad, z_rows, low, high)

        # Line search over step scales 2, 1, 1/2, ..., all in one batched evaluation: each
        # row keeps the scale with the smallest miss, if it beats the current one.
        trial = (z_rows + scales[:, None, None] * step).clamp(low, high)  # (S, n, 2)
        trial_landing = _landing(land, trial, offset, span, rows)  # (S, n)
        trial_miss, best = (trial_landing - distance[rows]).abs().min(dim=0)  # (n,), (n,)
        improved = trial_miss < residual.abs()  # (n,)
        picked = torch.arange(rows.numel())
        new_z = torch.where(improved[:, None], trial[best, picked], z_rows)
        new_landing = torch.where(improved, trial_landing[best, picked], landing_rows.detach())
        z[rows], landing[rows] = new_z, new_landing
        iterations[rows] += 1

    controls = offset + span * z
    return Refined(
        angle=controls[:, 1],
        velocity=controls[:, 0],
        landing_distance=landing,
        iterations=iterations,
    )
