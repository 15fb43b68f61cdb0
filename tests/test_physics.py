"""Physics against closed forms in plain floats, and against finite differences."""

from __future__ import annotations

import math

import pytest
import torch
from torch.autograd import gradcheck

from app.physics import vacuum as physics
from app.physics.vacuum import Cannon
from tests.conftest import GRAVITY, closed_form_landing

VELOCITIES = [0.1, 1.0, 3.3, 7.0, 10.0]  # m/s
ANGLES = [1e-6, 0.1, 0.5, math.pi / 4, 1.2, math.pi / 2 - 1e-6]  # rad
SHOTS = [(v, a) for v in VELOCITIES for a in ANGLES]


def grid(dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    v, a = zip(*SHOTS, strict=True)
    return torch.tensor(v, dtype=dtype), torch.tensor(a, dtype=dtype)


@pytest.mark.parametrize("dtype, rtol", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
def test_closed_forms(dtype: torch.dtype, rtol: float) -> None:
    v, a = grid(dtype)
    landing = physics.landing_distance(v, a, GRAVITY)
    time = physics.flight_time(v, a, GRAVITY)
    apex = physics.apex_height(v, a, GRAVITY)
    # The oracle gets the inputs as the dtype holds them (pi/2 - 1e-6 rounds in float32).
    for i, (speed, angle) in enumerate(zip(v.tolist(), a.tolist(), strict=True)):
        assert landing[i].item() == pytest.approx(
            closed_form_landing(speed, angle), rel=rtol, abs=0
        )
        assert time[i].item() == pytest.approx(2 * speed * math.sin(angle) / GRAVITY, rel=rtol)
        assert apex[i].item() == pytest.approx(
            (speed * math.sin(angle)) ** 2 / (2 * GRAVITY), rel=rtol
        )
    assert landing.dtype == time.dtype == apex.dtype == dtype


def test_trajectory_starts_at_origin_lands_at_range_and_peaks_at_apex() -> None:
    v, a = grid(torch.float64)
    x, y = physics.trajectory(v, a, GRAVITY, points=2001)
    assert x.shape == y.shape == (len(SHOTS), 2001)
    assert torch.allclose(x[:, 0], torch.zeros(len(SHOTS), dtype=torch.float64))
    assert torch.allclose(
        y[:, [0, -1]], torch.zeros(len(SHOTS), 2, dtype=torch.float64), atol=1e-12
    )
    assert torch.allclose(x[:, -1], physics.landing_distance(v, a, GRAVITY), rtol=1e-12)
    assert torch.allclose(y.max(-1).values, physics.apex_height(v, a, GRAVITY), rtol=1e-5)


def test_trajectory_batches_over_any_shape() -> None:
    v = torch.full((3, 4), 5.0)
    a = torch.full((3, 4), 0.6)
    x, y = physics.trajectory(v, a, GRAVITY, points=7)
    assert x.shape == y.shape == (3, 4, 7)


def test_max_range_is_batched_and_differentiable() -> None:
    v = torch.tensor([1.0, 5.0, 10.0], dtype=torch.float64, requires_grad=True)
    reach = physics.max_range(v, GRAVITY)
    assert torch.allclose(reach, v.detach() ** 2 / GRAVITY, rtol=1e-15)
    assert gradcheck(lambda v: physics.max_range(v, GRAVITY), (v,))
    assert physics.max_range(v.float(), GRAVITY).dtype == torch.float32


def test_max_range_is_the_45_degree_shot_at_full_velocity(cannon: Cannon) -> None:
    assert cannon.max_range == pytest.approx(100 / 9.81, rel=1e-15)
    full = cannon.landing_distance(
        torch.tensor(10.0, dtype=torch.float64), torch.tensor(math.pi / 4, dtype=torch.float64)
    )
    assert full.item() == pytest.approx(cannon.max_range, rel=1e-15)
    angles = torch.linspace(0.01, math.pi / 2 - 0.01, 1001, dtype=torch.float64)
    assert (
        cannon.landing_distance(torch.full_like(angles, 10.0), angles).max().item()
        <= cannon.max_range
    )


@pytest.mark.parametrize(
    "function", [physics.landing_distance, physics.flight_time, physics.apex_height]
)
def test_gradients_match_finite_differences(function: object) -> None:
    v = torch.tensor([0.5, 3.0, 9.9], dtype=torch.float64, requires_grad=True)
    a = torch.tensor([0.2, 0.8, 1.4], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda v, a: function(v, a, GRAVITY), (v, a))  # type: ignore[operator]


def test_trajectory_gradients_match_finite_differences() -> None:
    v = torch.tensor([2.0, 8.0], dtype=torch.float64, requires_grad=True)
    a = torch.tensor([0.3, 1.1], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda v, a: physics.trajectory(v, a, GRAVITY, points=5), (v, a))


def test_float32_agrees_with_float64() -> None:
    v32, a32 = grid(torch.float32)
    v64, a64 = v32.double(), a32.double()
    for function in (physics.landing_distance, physics.flight_time, physics.apex_height):
        assert torch.allclose(
            function(v32, a32, GRAVITY).double(), function(v64, a64, GRAVITY), rtol=1e-5, atol=1e-9
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"gravity": 0.0},
        {"gravity": math.inf},
        {"max_velocity": -1.0},
        {"min_angle": 0.9},
        {"max_angle": 0.5},
        {"max_angle": 2.0},
    ],
)
def test_cannon_refuses_impossible_limits(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Cannon(**kwargs)


def test_reachability_and_firing_limits(cannon: Cannon) -> None:
    targets = torch.tensor(
        [cannon.max_range, 1e-300, 0.0, cannon.max_range * (1 + 1e-12), -1.0, math.nan],
        dtype=torch.float64,
    )
    assert cannon.is_reachable(targets).tolist() == [True, True, False, False, False, False]
    assert cannon.can_fire(10.0, 0.5) and not cannon.can_fire(10.0 + 1e-9, 0.5)
    assert (
        not cannon.can_fire(5.0, 0.0)
        and not cannon.can_fire(5.0, math.pi / 2)
        and not cannon.can_fire(0.0, 0.5)
    )
