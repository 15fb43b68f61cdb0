"""Roots of a landing distance in one control, between two ends: the fixed-velocity and
fixed-angle shots through air, where the landing is monotone along one arc but can jump where
shots stop coming down at the target's height."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from app import cancel
from app.reach import reach_boundary


def ends(near_end: Tensor, far_end: Tensor, landing_at: Callable[[Tensor], Tensor]) -> Tensor:
    """The nearest landing (m) between two controls: at `near_end` if that shot comes down at
    the target, else at the last control toward `far_end` that does."""
    near = landing_at(near_end)
    missing = ~torch.isfinite(near)
    if bool(missing.any()):
        near = torch.where(missing, reach_boundary(far_end, near_end, landing_at), near)
    return near


def bracketed_root(
    landing_at: Callable[[Tensor], Tensor],
    start: Tensor,
    end: Tensor,
    distance: Tensor,
    tolerance: float,
    max_iterations: int,
) -> tuple[Tensor, Tensor]:
    """The control x between `start` and `end` (N,) where landing_at(x) = distance, within
    `tolerance` m: Newton with the simulator's gradient, bisecting when Newton leaves the
    bracket. Assumes the landing is monotone between the two (one arc). Returns x and the
    steps each row took."""
    with torch.no_grad():  # no root between the ends (the other arc, say): nothing to do
        from_start = landing_at(start) - distance
        from_end = landing_at(end) - distance
        # -inf (never comes down at the target) counts as short, like a negative residual
        bracketed = (from_start < 0) != (from_end < 0)
    below = torch.where(from_start < 0, start, end)  # the end landing short of the target
    above = torch.where(from_start < 0, end, start)  # the end landing beyond it
    x = (below + above) / 2
    steps = torch.zeros_like(distance, dtype=torch.int64)
    for _ in range(max_iterations):
        cancel.checkpoint()  # between steps: work given up on stops here
        with torch.enable_grad():
            xg = x.clone().requires_grad_()
            landing = landing_at(xg)
            (slope,) = torch.autograd.grad(
                torch.where(torch.isfinite(landing), landing, 0).sum(), xg
            )
        residual = landing.detach() - distance
        # A bracket shrunk to nothing without a root: the landing jumps there, from a shot
        # that never comes down at the target's height to one that overshoots.
        open_ = (above - below).abs() > 1e-12 * (1 + above.abs())
        active = ~(residual.abs() <= tolerance) & bracketed & open_
        if not bool(active.any()):
            break
        short = residual < 0  # -inf (never comes down at the target) counts as short
        below, above = torch.where(active & short, x, below), torch.where(active & ~short, x, above)
        newton = x - residual / slope
        inside = torch.isfinite(newton) & ((newton - below) * (newton - above) < 0)
        x = torch.where(active, torch.where(inside, newton, (below + above) / 2), x)
        steps += active
    return x, steps
