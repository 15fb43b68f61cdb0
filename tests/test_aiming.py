"""The pipeline: predict -> verify -> refine, single and batched, and the shot check."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from app.aiming.vacuum import (
    OutsideLimitsError,
    ToleranceError,
    UnreachableTargetError,
    VacuumPath,
    check_shot,
)
from app.physics.vacuum import Cannon
from tests.conftest import GRAVITY, closed_form_landing

MAX_RANGE = 100 / GRAVITY  # m


@settings(max_examples=300, deadline=None)
@given(
    distance=st.floats(min_value=0, max_value=MAX_RANGE, exclude_min=True),
    tolerance=st.floats(min_value=1e-6, max_value=1.0),
)
def test_every_reachable_target_is_hit(
    aimer: VacuumPath, distance: float, tolerance: float
) -> None:
    answer = aimer.aim(distance, tolerance)
    assert answer.hit
    assert abs(closed_form_landing(answer.velocity, answer.angle) - distance) <= tolerance
    assert answer.miss == pytest.approx(abs(answer.landing_distance - distance), abs=1e-15)
    assert 0 < answer.velocity <= 10 and 0 < answer.angle < math.pi / 2


@pytest.mark.parametrize("distance", [0.0, -1.0, MAX_RANGE * (1 + 1e-12), 11.0, math.inf, math.nan])
def test_unreachable_targets_are_refused(aimer: VacuumPath, distance: float) -> None:
    with pytest.raises(UnreachableTargetError) as error:
        aimer.aim(distance, 0.05)
    assert error.value.max_range == pytest.approx(MAX_RANGE)
    assert "10.19" in str(error.value)


@pytest.mark.parametrize("bad", [0.0, -2.0, 10.5, math.nan])
def test_solve_answers_a_batch_with_unreachable_targets_in_their_places(
    aimer: VacuumPath, bad: float
) -> None:
    shots = aimer.solve([1.0, bad, 3.0], 0.05)
    assert shots.hit.tolist() == [True, False, True]
    assert math.isnan(shots.angle[1]) and math.isnan(shots.landing_distance[1])


@pytest.mark.parametrize("tolerance", [0.0, -1.0, 1e-7, math.nan])
def test_tolerance_below_the_minimum_is_refused(aimer: VacuumPath, tolerance: float) -> None:
    with pytest.raises(ToleranceError):
        aimer.aim(5.0, tolerance)


def test_refine_false_returns_the_verified_proposal(aimer: VacuumPath) -> None:
    answer = aimer.aim(6.0, 1e-6, do_refine=False)
    angle, velocity = aimer.propose(torch.tensor([6.0], dtype=torch.float64))  # torch module
    assert answer.angle == pytest.approx(angle.item(), abs=1e-6)
    assert answer.velocity == pytest.approx(velocity.item(), rel=1e-5)
    assert not answer.refined and answer.iterations == 0
    assert answer.landing_distance == pytest.approx(
        closed_form_landing(answer.velocity, answer.angle), rel=1e-12
    )
    assert answer.hit == (answer.miss <= 1e-6)


def test_a_proposal_within_tolerance_is_not_refined(aimer: VacuumPath) -> None:
    answer = aimer.aim(5.0, 1.0)
    assert answer.hit and not answer.refined and answer.iterations == 0


def test_a_tight_tolerance_refines(aimer: VacuumPath) -> None:
    answer = aimer.aim(5.0, 1e-6)
    assert answer.hit and answer.refined and 1 <= answer.iterations <= 10


def test_solve_is_batched_and_matches_single_answers(aimer: VacuumPath, cannon: Cannon) -> None:
    distances = torch.linspace(0.01, cannon.max_range, 257, dtype=torch.float64)
    batch = aimer.solve(distances, 1e-6)
    assert batch.hit.all() and batch.angle.shape == (257,)
    # float32 matrix products may round differently for a batch than for one row.
    for i in (0, 100, 256):
        single = aimer.aim(distances[i].item(), 1e-6)
        assert single.hit
        assert single.angle == pytest.approx(batch.angle[i].item(), abs=1e-6)
        assert single.velocity == pytest.approx(batch.velocity[i].item(), abs=1e-6)


def test_check_shot_agrees_with_closed_forms(cannon: Cannon) -> None:
    for velocity, angle in [(0.5, 0.1), (8.0, 0.785), (10.0, 1.5), (3.3, 1e-6)]:
        shot = check_shot(cannon, angle, velocity, 5.0, 0.05)
        assert shot.landing_distance == pytest.approx(
            closed_form_landing(velocity, angle), rel=1e-9
        )
        assert shot.flight_time == pytest.approx(2 * velocity * math.sin(angle) / GRAVITY, rel=1e-9)
        assert shot.apex_height == pytest.approx(
            (velocity * math.sin(angle)) ** 2 / (2 * GRAVITY), rel=1e-9
        )
        assert shot.miss == pytest.approx(abs(shot.landing_distance - 5.0), rel=1e-12)
        assert shot.hit == (shot.miss <= 0.05)


@pytest.mark.parametrize(
    "velocity, angle", [(10.5, 0.5), (0.0, 0.5), (5.0, 0.0), (5.0, math.pi / 2), (5.0, 2.0)]
)
def test_check_shot_refuses_shots_the_cannon_cannot_fire(
    cannon: Cannon, velocity: float, angle: float
) -> None:
    with pytest.raises(OutsideLimitsError, match="m/s"):
        check_shot(cannon, angle, velocity, 5.0, 0.05)
