"""Reach through air, found numerically: the best angle and the farthest and nearest landings,
held to the reference integrator; and the bracketed root the fixed constraints use."""

from __future__ import annotations

import math

import pytest
import torch

from app import reference
from app.flight import Air
from app.physics import Cannon
from app.reach import best_angle, nearest_landing
from app.roots import bracketed_root
from tests.conftest import GRAVITY

CANNON = Cannon()


def air_of(*rows: tuple[float, float, float, float]) -> Air:
    columns = zip(*rows, strict=True)
    return Air(*(torch.tensor(c, dtype=torch.float64) for c in columns))


def test_the_best_angle_carries_at_least_as_far_as_any_on_a_fine_grid() -> None:
    rows = [
        (0.0, 0.0, 0.0, 0.1),
        (2.0, 0.5, -3.0, 0.15),
        (1.0, 2.5, 4.0, 0.05),
        (3.0, 0.0, 0.0, 0.0),
    ]
    velocity = torch.full((len(rows),), 9.0, dtype=torch.float64)
    angle, farthest = best_angle(velocity, air_of(*rows), CANNON)
    for i, conditions in enumerate(rows):
        at_best = reference.landing(9.0, angle[i].item(), *conditions, GRAVITY).distance
        assert farthest[i].item() == pytest.approx(at_best, abs=1e-6)
        grid = [
            reference.landing(9.0, 0.01 + 0.005 * j, *conditions, GRAVITY).distance
            for j in range(311)
        ]
        assert at_best >= max(d for d in grid if not math.isnan(d)) - 1e-9


def test_without_air_the_best_angle_is_the_closed_form() -> None:
    # Flat ground: 45 degrees. From 3 m up: tan(theta) = v / sqrt(v^2 + 2 g h).
    angle, farthest = best_angle(
        torch.tensor([8.0, 8.0], dtype=torch.float64),
        air_of((0.0, 0.0, 0.0, 0.0), (3.0, 0.0, 0.0, 0.0)),
        CANNON,
    )
    assert angle[0].item() == pytest.approx(math.pi / 4, abs=1e-5)
    assert farthest[0].item() == pytest.approx(64 / GRAVITY, rel=1e-9)
    assert angle[1].item() == pytest.approx(
        math.atan(8 / math.sqrt(64 + 2 * GRAVITY * 3)), abs=1e-5
    )


def test_nearest_landings() -> None:
    nearest = nearest_landing(
        air_of((0.0, 0.0, 0.0, 0.0), (3.0, 0.0, 5.0, 0.2), (0.0, 3.0, -5.0, 0.2)), CANNON
    )
    assert nearest[0].item() == pytest.approx(0.0, abs=1e-6)  # a slow shot lands at the cannon
    # From 3 m up in a 5 m/s tailwind the wind carries any shot forward as it falls.
    drift = reference.landing(1e-3, 1.5, 3.0, 0.0, 5.0, 0.2, GRAVITY).distance
    assert 0.5 < nearest[1].item() <= drift + 1e-6
    assert math.isinf(nearest[2].item())  # no 10 m/s shot climbs 3 m against drag 0.2


def test_bracketed_root_finds_the_root_and_gives_up_without_one() -> None:
    def square(x: torch.Tensor) -> torch.Tensor:
        return torch.where(x > 1, x * x, -torch.inf)  # "never comes down" below x = 1

    x, steps = bracketed_root(
        square,
        torch.tensor([0.0, 0.0], dtype=torch.float64),
        torch.tensor([3.0, 3.0], dtype=torch.float64),
        torch.tensor([4.0, 0.5], dtype=torch.float64),  # 2 is a root; 0.5 lies in the jump
        1e-12,
        100,
    )
    assert x[0].item() == pytest.approx(2.0, abs=1e-12) and steps[0] < 15
    assert square(x[1:]).item() > 0.5 + 0.4 and steps[1] < 60  # stopped at the jump
