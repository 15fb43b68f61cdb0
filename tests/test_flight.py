"""The simulator of flight through air against its independent reference (closed form without
drag, scipy's solve_ivp with it), across the envelope: landing, time, reach and gradients."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
import torch

from app import cancel
from app.physics import reference
from app.physics.flight import Air, simulate
from tests.conftest import GRAVITY, closed_form_landing

SHOTS = 120


def envelope(n: int, seed: int, drag: bool = True) -> tuple[torch.Tensor, torch.Tensor, Air]:
    """Random shots and conditions: launch height 0-3 m, height difference within +-3 m,
    wind within +-5 m/s, drag in [0, 0.2] 1/m (0 when `drag` is False)."""
    g = torch.Generator().manual_seed(seed)

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=g, dtype=torch.float64)

    velocity, angle = uniform(0.5, 10.0), uniform(0.03, 1.54)  # m/s, rad
    launch = uniform(0.0, 3.0)
    air = Air(launch, launch + uniform(-3.0, 3.0), uniform(-5.0, 5.0), uniform(0.0, 0.2) * drag)
    return velocity, angle, air


def references(velocity: torch.Tensor, angle: torch.Tensor, air: Air) -> list[reference.Landing]:
    rows = zip(
        velocity.tolist(),
        angle.tolist(),
        air.launch_height.tolist(),
        air.target_height.tolist(),
        air.wind.tolist(),
        air.drag.tolist(),
        strict=True,
    )
    return [reference.landing(*row, GRAVITY) for row in rows]


@pytest.mark.parametrize("drag", [False, True])
def test_landing_and_flight_time_match_the_reference(drag: bool) -> None:
    velocity, angle, air = envelope(SHOTS, seed=1, drag=drag)
    flight = simulate(velocity, angle, air, GRAVITY)
    expected = references(velocity, angle, air)
    reached = [not math.isnan(r.distance) for r in expected]
    assert flight.reaches.tolist() == reached and 0.3 < sum(reached) / SHOTS < 1
    for got, time, want in zip(
        flight.landing_distance.tolist(), flight.flight_time.tolist(), expected, strict=True
    ):
        if math.isnan(want.distance):
            assert math.isnan(got) and math.isnan(time)
        else:
            assert abs(got - want.distance) <= 5e-7, (got, want)
            assert abs(time - want.flight_time) <= 1e-6, (time, want)


def test_flat_ground_without_air_is_the_closed_form() -> None:
    velocity = torch.tensor([1.0, 5.0, 9.9, 10.0], dtype=torch.float64)
    angle = torch.tensor([0.1, 0.7, math.pi / 4, 1.5], dtype=torch.float64)
    zero = torch.zeros(4, dtype=torch.float64)
    flight = simulate(velocity, angle, Air(zero, zero, zero, zero), GRAVITY)
    for v, a, got in zip(
        velocity.tolist(), angle.tolist(), flight.landing_distance.tolist(), strict=True
    ):
        assert got == pytest.approx(closed_form_landing(v, a), abs=1e-9)


def test_wind_acts_only_through_drag() -> None:
    velocity, angle, air = envelope(20, seed=2, drag=False)
    calm = Air(air.launch_height, air.target_height, torch.zeros(20, dtype=torch.float64), air.drag)
    windy = simulate(velocity, angle, air, GRAVITY).landing_distance
    assert torch.equal(
        windy.isnan(), simulate(velocity, angle, calm, GRAVITY).landing_distance.isnan()
    )
    assert torch.allclose(
        windy, simulate(velocity, angle, calm, GRAVITY).landing_distance, equal_nan=True
    )


def test_drag_shortens_and_tailwind_lengthens_a_shot() -> None:
    one = torch.ones(1, dtype=torch.float64)
    v, a = 8 * one, 0.7 * one

    def landing(wind: float, drag: float) -> float:
        return simulate(
            v, a, Air(0 * one, 0 * one, wind * one, drag * one), GRAVITY
        ).landing_distance.item()

    assert landing(0, 0.1) < landing(0, 0)
    assert landing(-5, 0.1) < landing(0, 0.1) < landing(5, 0.1)


def test_a_shot_that_never_gets_as_high_as_the_target_does_not_land() -> None:
    one = torch.ones(1, dtype=torch.float64)
    flight = simulate(2 * one, 0.5 * one, Air(0 * one, 3 * one, 0 * one, 0.05 * one), GRAVITY)
    assert not flight.reaches.item() and math.isnan(flight.landing_distance.item())
    assert flight.apex_height.item() < 3


def test_gradients_match_finite_differences_of_the_reference() -> None:
    velocity, angle, air = envelope(12, seed=3)
    v, a = velocity.clone().requires_grad_(), angle.clone().requires_grad_()
    flight = simulate(v, a, air, GRAVITY)
    flight.landing_distance.nansum().backward()
    assert v.grad is not None and a.grad is not None
    h = 1e-6
    for i in torch.nonzero(flight.reaches).flatten().tolist():
        shot = [velocity[i].item(), angle[i].item()]
        conditions = [air.launch_height[i], air.target_height[i], air.wind[i], air.drag[i]]
        rest = [c.item() for c in conditions] + [GRAVITY]
        nudged = [
            [shot[0] + h, shot[1]],
            [shot[0] - h, shot[1]],
            [shot[0], shot[1] + h],
            [shot[0], shot[1] - h],
        ]
        lands = [reference.landing(*controls, *rest).distance for controls in nudged]
        assert v.grad[i].item() == pytest.approx(
            (lands[0] - lands[1]) / (2 * h), rel=1e-4, abs=1e-6
        )
        assert a.grad[i].item() == pytest.approx(
            (lands[2] - lands[3]) / (2 * h), rel=1e-4, abs=1e-6
        )


def test_the_batched_reference_agrees_with_the_one_shot_reference() -> None:
    velocity, angle, air = envelope(SHOTS, seed=4)
    air = Air(
        air.launch_height, air.target_height, air.wind, air.drag * (torch.arange(SHOTS) % 5 > 0)
    )
    columns = [t.numpy() for t in (velocity, angle, *vars(air).values())]
    flown = reference.landings(*columns, GRAVITY, chunk=32)
    for i, want in enumerate(references(velocity, angle, air)):
        assert abs(flown.apex_height[i] - want.apex_height) <= 1e-9
        if math.isnan(want.distance):
            assert math.isnan(flown.distance[i]) and math.isnan(flown.flight_time[i])
        else:
            assert abs(flown.distance[i] - want.distance) <= 1e-9
            assert abs(flown.flight_time[i] - want.flight_time) <= 1e-9


def test_the_batched_reference_flies_long_shots_on_a_longer_horizon() -> None:
    # A first horizon a twentieth of the usual: both shots are still in the air at its end.
    shot = [np.array([x, x]) for x in (10.0, 1.45, 3.0, 0.0, -5.0, 0.2)]
    flown = reference.landings(*shot, GRAVITY, stretch=0.05)
    want = reference.landing(*(float(x[0]) for x in shot), GRAVITY)
    assert np.all(np.abs(flown.distance - want.distance) <= 1e-9)
    assert np.all(np.abs(flown.flight_time - want.flight_time) <= 1e-9)
    assert np.all(np.abs(flown.apex_height - want.apex_height) <= 1e-9)


def test_a_grazing_shot_is_seen_coming_down() -> None:
    """A steep shot that climbs only a millimetre above a raised target falls back below it
    within one step: all three integrators must still see it land, where it does."""
    conditions = (0.5423262737892308, 3.3323593364246373, 4.804901461149383, 0.13070058495485126)
    velocity, angle = 9.335, 1.5531  # apex about 1.1 mm above the target's height
    one = reference.landing(velocity, angle, *conditions, GRAVITY)
    assert 0 < one.apex_height - conditions[1] < 2e-3 and 0.9 < one.distance < 1.0
    columns = [np.array([x]) for x in (velocity, angle, *conditions)]
    assert reference.landings(*columns, GRAVITY).distance[0] == pytest.approx(
        one.distance, abs=1e-9
    )
    tensors = [torch.tensor([x], dtype=torch.float64) for x in (velocity, angle, *conditions)]
    flight = simulate(tensors[0], tensors[1], Air(*tensors[2:]), GRAVITY)
    assert flight.reaches.item() and abs(flight.landing_distance.item() - one.distance) < 1e-3
    # A hair slower it no longer gets up there: no landing, from any of them.
    low = reference.landing(velocity - 0.005, angle, *conditions, GRAVITY)
    assert math.isnan(low.distance) and low.apex_height < conditions[1]


def test_a_pass_given_up_on_stops_inside_the_flight_forward_and_backward() -> None:
    """A large batch's simulator pass takes seconds: work given up on must stop within it,
    at the checkpoints between RK4 steps, and in the backward pass that follows too."""
    velocity, angle, air = envelope(SHOTS, seed=11)
    velocity.requires_grad_()
    token = threading.Event()
    with cancel.watching(token):
        landing = simulate(velocity, angle, air, GRAVITY).landing_distance
        token.set()  # given up on between the forward and the backward pass
        with pytest.raises(cancel.Cancelled):
            torch.autograd.grad(landing.nansum(), velocity)
        with pytest.raises(cancel.Cancelled):
            simulate(velocity, angle, air, GRAVITY)
    # Outside `watching` the same work runs whole: training and benchmarks never stop.
    landing = simulate(velocity, angle, air, GRAVITY).landing_distance
    (slope,) = torch.autograd.grad(landing.nansum(), velocity)
    assert torch.isfinite(slope).all() and bool((slope != 0).any())
