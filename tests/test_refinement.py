"""Refinement on the true physics: from the network's proposals and from poor starts."""

from __future__ import annotations

import math

import torch

from app.aiming.refinement import refine
from app.aiming.vacuum import VacuumPath
from app.physics.vacuum import Cannon
from tests.conftest import closed_form_landing

TOLERANCE = 1e-6  # m, the smallest the API accepts


def targets(cannon: Cannon) -> torch.Tensor:
    """A dense grid, random unseen targets, and the hard ends: near 0 and at maximum range."""
    rng = torch.Generator().manual_seed(7)
    dense = torch.linspace(0, cannon.max_range, 20_001, dtype=torch.float64)[1:]
    unseen = torch.rand(20_000, generator=rng, dtype=torch.float64) * cannon.max_range
    near_zero = torch.logspace(-300, -1, 300, dtype=torch.float64)
    ends = torch.tensor(
        [5e-324, cannon.max_range, cannon.max_range * (1 - 1e-15), cannon.max_range - 1e-7]
    )
    return torch.cat([dense, unseen, near_zero, ends.double()])


def assert_hits_within_limits(
    cannon: Cannon, d: torch.Tensor, angle: torch.Tensor, velocity: torch.Tensor
) -> None:
    """Independent check in plain floats: every shot lands within TOLERANCE, inside the limits."""
    for target, a, v in zip(d.tolist(), angle.tolist(), velocity.tolist(), strict=True):
        assert abs(closed_form_landing(v, a) - target) <= TOLERANCE, (target, a, v)
        assert 0 < v <= cannon.max_velocity and cannon.min_angle < a < cannon.max_angle


def test_from_the_network_every_target_hits_within_ten_iterations(
    aimer: VacuumPath, cannon: Cannon
) -> None:
    d = targets(cannon)
    angle, velocity = aimer.propose(d)
    result = refine(cannon, d, angle, velocity, TOLERANCE, max_iterations=50)
    assert result.iterations.max().item() <= 10
    assert_hits_within_limits(cannon, d, result.angle, result.velocity)


def test_from_poor_starts_every_target_hits(cannon: Cannon) -> None:
    rng = torch.Generator().manual_seed(11)
    n = 5_000
    d = torch.cat(
        [
            torch.rand(n, generator=rng, dtype=torch.float64) * cannon.max_range,
            torch.tensor([cannon.max_range, 1e-12], dtype=torch.float64),
        ]
    )
    starts = {
        "random": (
            torch.rand(n + 2, generator=rng, dtype=torch.float64) * math.pi / 2,
            torch.rand(n + 2, generator=rng, dtype=torch.float64) * 10,
        ),
        "flat and slow": (
            torch.full((n + 2,), 1e-3, dtype=torch.float64),
            torch.full((n + 2,), 0.01, dtype=torch.float64),
        ),
        "steep and fast": (
            torch.full((n + 2,), 1.57, dtype=torch.float64),
            torch.full((n + 2,), 10.0, dtype=torch.float64),
        ),
        "max range shot": (
            torch.full((n + 2,), math.pi / 4, dtype=torch.float64),
            torch.full((n + 2,), 10.0, dtype=torch.float64),
        ),
        "out of limits": (
            torch.full((n + 2,), 3.0, dtype=torch.float64),
            torch.full((n + 2,), 50.0, dtype=torch.float64),
        ),
    }
    # Measured: at most 7 steps from random starts, 5 or 6 from the fixed ones.
    for angle, velocity in starts.values():
        result = refine(cannon, d, angle, velocity, TOLERANCE, max_iterations=50)
        assert result.iterations.max().item() <= 7
        assert_hits_within_limits(cannon, d, result.angle, result.velocity)


def test_rows_stop_at_their_own_tolerance(cannon: Cannon) -> None:
    d = torch.tensor([5.0, 5.0], dtype=torch.float64)
    start = (
        torch.tensor([0.3, 0.3], dtype=torch.float64),
        torch.tensor([6.0, 6.0], dtype=torch.float64),
    )
    result = refine(cannon, d, *start, torch.tensor([0.5, 1e-6], dtype=torch.float64), 50)
    assert result.iterations[0] < result.iterations[1]
    misses = (result.landing_distance - d).abs()
    assert misses[0] <= 0.5 and misses[1] <= 1e-6


def test_iterations_are_bounded(cannon: Cannon) -> None:
    d = torch.tensor([3.0], dtype=torch.float64)
    result = refine(
        cannon,
        d,
        torch.tensor([0.01], dtype=torch.float64),
        torch.tensor([0.1], dtype=torch.float64),
        1e-6,
        2,
    )
    assert result.iterations.item() == 2
    assert abs(result.landing_distance.item() - 3.0) > 1e-6


def test_fixed_rate_gradient_descent_is_badly_scaled(cannon: Cannon) -> None:
    """Why Gauss-Newton: plain descent at its best fixed rate misses most targets after 200 steps."""
    rng = torch.Generator().manual_seed(3)
    n = 2_000
    d = torch.rand(n, generator=rng, dtype=torch.float64) * cannon.max_range
    v0 = torch.rand(n, generator=rng, dtype=torch.float64) * 10
    a0 = torch.rand(n, generator=rng, dtype=torch.float64) * math.pi / 2
    best = 0.0
    for rate in (1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1):
        v, a = v0.clone().requires_grad_(), a0.clone().requires_grad_()
        for _ in range(200):
            loss = ((cannon.landing_distance(v, a) - d) ** 2).sum()
            grad_v, grad_a = torch.autograd.grad(loss, (v, a))
            with torch.no_grad():
                v.sub_(rate * grad_v).clamp_(1e-9, 10.0)
                a.sub_(rate * grad_a).clamp_(1e-9, math.pi / 2 - 1e-9)
        hits = ((cannon.landing_distance(v, a) - d).abs() <= TOLERANCE).double().mean().item()
        best = max(best, hits)
    newton = refine(cannon, d, a0, v0, TOLERANCE, 200)
    newton_hits = ((newton.landing_distance - d).abs() <= TOLERANCE).double().mean().item()
    assert best < 0.5 and newton_hits == 1.0 and newton.iterations.max().item() <= 7
