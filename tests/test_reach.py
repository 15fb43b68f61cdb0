"""Reach through air, found numerically by the compiled kernel (app/physics/kernel/reach.py): the best
angle and the farthest and nearest landings, held to the reference integrator; and the torch
best angle training uses (app/training/reach.py) agreeing with it."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from app.physics import reference
from app.physics.flight import Air
from app.physics.kernel import reach as kernel_reach
from app.physics.kernel import solve
from app.physics.vacuum import Cannon
from app.training.reach import best_angle as torch_best_angle
from tests.conftest import GRAVITY

CANNON = Cannon()
LIMITS = np.array([GRAVITY, CANNON.max_velocity, CANNON.min_angle, CANNON.max_angle])


def best_angle(velocity: float, conditions: tuple[float, ...]) -> tuple[float, float]:
    """The kernel's best angle (rad) at a velocity (m/s), and how far it carries (m)."""
    air = np.array(conditions)
    angle = solve.best_angle(velocity, air, kernel_reach.STEPS, LIMITS)
    return angle, reference.landing(velocity, angle, *conditions, GRAVITY).distance


def test_the_best_angle_carries_at_least_as_far_as_any_on_a_fine_grid() -> None:
    rows = [
        (0.0, 0.0, 0.0, 0.1),
        (2.0, 0.5, -3.0, 0.15),
        (1.0, 2.5, 4.0, 0.05),
        (3.0, 0.0, 0.0, 0.0),
    ]
    torch_angles, _ = torch_best_angle(
        torch.full((len(rows),), 9.0, dtype=torch.float64),
        Air(*(torch.tensor(c, dtype=torch.float64) for c in zip(*rows, strict=True))),
        CANNON,
    )
    for i, conditions in enumerate(rows):
        angle, at_best = best_angle(9.0, conditions)
        _, farthest = kernel_reach.reach(solve.LOW, 9.0, np.array(conditions), LIMITS)
        assert farthest == pytest.approx(at_best, abs=1e-9)
        assert angle == pytest.approx(torch_angles[i].item(), abs=1e-3)  # training's agrees
        grid = [
            reference.landing(9.0, 0.01 + 0.005 * j, *conditions, GRAVITY).distance
            for j in range(311)
        ]
        assert at_best >= max(d for d in grid if not math.isnan(d)) - 1e-9


def test_without_air_the_best_angle_is_the_closed_form() -> None:
    # Flat ground: 45 degrees. From 3 m up: tan(theta) = v / sqrt(v^2 + 2 g h).
    angle, farthest = best_angle(8.0, (0.0, 0.0, 0.0, 0.0))
    assert angle == pytest.approx(math.pi / 4, abs=1e-6)
    assert farthest == pytest.approx(64 / GRAVITY, rel=1e-9)
    angle, _ = best_angle(8.0, (3.0, 0.0, 0.0, 0.0))
    assert angle == pytest.approx(math.atan(8 / math.sqrt(64 + 2 * GRAVITY * 3)), abs=1e-6)


def test_nearest_landings() -> None:
    def nearest(*conditions: float) -> float:
        return kernel_reach.nearest_of_all(np.array(conditions), LIMITS)

    assert nearest(0.0, 0.0, 0.0, 0.0) == pytest.approx(0.0, abs=1e-6)  # lands at the cannon
    # From 3 m up in a 5 m/s tailwind the wind carries any shot forward as it falls.
    drift = reference.landing(1e-3, 1.5, 3.0, 0.0, 5.0, 0.2, GRAVITY).distance
    assert 0.5 < nearest(3.0, 0.0, 5.0, 0.2) <= drift + 1e-6
    assert math.isinf(nearest(0.0, 3.0, -5.0, 0.2))  # no 10 m/s shot climbs 3 m against drag


def test_the_ends_of_each_constraint() -> None:
    air = (1.5, 0.0, -2.0, 0.1)
    conditions = np.array(air)
    near, far = kernel_reach.reach(solve.LOW, 9.0, conditions, LIMITS)
    flattest = reference.landing(9.0, solve.EDGE, *air, GRAVITY).distance
    assert near == pytest.approx(flattest, abs=1e-9) and far > near
    near_high, far_high = kernel_reach.reach(solve.HIGH, 9.0, conditions, LIMITS)
    steepest = reference.landing(9.0, math.pi / 2 - solve.EDGE, *air, GRAVITY).distance
    assert near_high == pytest.approx(steepest, abs=1e-9) and far_high == far
    near_angle, far_angle = kernel_reach.reach(solve.ANGLE, 0.8, conditions, LIMITS)
    fastest = reference.landing(10.0, 0.8, *air, GRAVITY).distance
    slowest = reference.landing(solve.SLOWEST, 0.8, *air, GRAVITY).distance  # blown back
    assert far_angle == pytest.approx(fastest, abs=1e-9)
    assert near_angle == pytest.approx(slowest, abs=1e-9) and near_angle < 0
    # A raised target: the slowest shots never climb to it, so the near end is the slowest
    # shot at that angle that still comes down through its height.
    raised = np.array([0.0, 2.0, 0.0, 0.05])
    near_raised, _ = kernel_reach.reach(solve.ANGLE, 1.2, raised, LIMITS)
    slower = reference.landing(0.999 * 6.5, 1.2, 0.0, 2.0, 0.0, 0.05, GRAVITY)
    assert near_raised > 0.1 and (math.isnan(slower.distance) or slower.distance > 0)
    assert kernel_reach.reach(solve.FREE, 0.0, np.array([0.0, 3.0, -5.0, 0.2]), LIMITS) == (
        math.inf,
        -math.inf,
    )
