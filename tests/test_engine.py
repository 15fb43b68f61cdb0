"""The engine: one loader and one self-check for both models, and the one place that picks
the vacuum's closed-form path or the compiled physics through air; the replies built on it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.aiming.air import Constraint
from app.aiming.engine import Engine
from app.api import replies
from app.api.errors import ApiError
from app.api.schemas import AimBatchRequest, AimRequest, VerifyQuery
from app.config import Settings
from app.physics import reference
from tests.conftest import GRAVITY


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(Settings())


def test_both_models_load_and_pass_one_self_check(engine: Engine) -> None:
    assert engine.self_check() is None
    assert engine.version == engine.card["version"] != engine.air_version


@pytest.mark.parametrize(
    ("fields", "vacuum"),
    [
        ({}, True),
        ({"wind": 3.0}, True),  # wind without drag changes nothing
        ({"launch_height": 1.5, "target_height": 1.5}, True),  # flat, raised
        ({"drag": 0.1}, False),
        ({"target_height": 1.0}, False),
        ({"velocity": 9.0}, False),
        ({"angle": 0.7}, False),
    ],
)
def test_the_engine_picks_the_path(engine: Engine, fields: dict[str, float], vacuum: bool) -> None:
    assert engine.in_vacuum(AimRequest(distance=4.0, **fields)) is vacuum
    assert engine.in_vacuum(AimBatchRequest(distances=[4.0], **fields)) is vacuum
    if "velocity" not in fields and "angle" not in fields:
        query = VerifyQuery(angle=0.7, velocity=9.0, distance=4.0, **fields)
        assert engine.in_vacuum(query) is vacuum


def test_replies_answer_both_ways_and_land_by_the_reference(engine: Engine) -> None:
    for fields in ({}, {"drag": 0.1, "wind": -3.0, "launch_height": 1.5}):
        body = AimRequest(distance=4.0, tolerance=1e-6, **fields)
        reply = replies.way(engine, body).first_try(body, 1e-6) or replies.way(
            engine, body
        ).aim_one(body, 1e-6)
        shot = json.loads(reply.content)
        conditions = (fields.get("launch_height", 0.0), 0.0, fields.get("wind", 0.0))
        truth = reference.landing(
            shot["velocity"], shot["angle"], *conditions, fields.get("drag", 0.0), GRAVITY
        )
        assert shot["hit"] and abs(truth.distance - 4.0) <= 1e-6
        assert list(reply.misses) == [shot["miss"]]


def test_out_of_reach_is_a_422_with_the_range_either_way(engine: Engine) -> None:
    with pytest.raises(ApiError) as vacuum:
        far = AimRequest(distance=11.0)
        replies.way(engine, far).first_try(far, 0.05)
    assert vacuum.value.extra["max_range"] == pytest.approx(100 / GRAVITY)
    air = AimRequest(distance=9.0, drag=0.1, wind=-2.0)
    missed = replies.way(engine, air).first_try(air, 0.05)
    assert missed is None  # missed: the reach is searched next
    with pytest.raises(ApiError) as through_air:
        replies.way(engine, air).aim_one(air, 0.05)
    assert through_air.value.detail[0]["type"] == "unreachable_target"
    assert 4.0 < through_air.value.extra["max_range"] < 100 / GRAVITY


def test_one_aimer_and_one_result_type_for_every_condition(engine: Engine) -> None:
    """engine.aim answers a vacuum batch and an air batch alike: Shots, verified, with the
    targets out of reach in their places, not hit; engine.reach says what is reachable."""
    calm = engine.aim([2.0, 11.0, 7.5], tolerance=1e-6)
    assert list(calm.hit) == [True, False, True] and np.isnan(calm.velocity[1])
    landing = calm.velocity**2 * np.sin(2 * calm.angle) / GRAVITY
    assert np.allclose(landing[[0, 2]], [2.0, 7.5], atol=1e-6)
    assert np.allclose(
        calm.flight_time[[0, 2]], 2 * calm.velocity[[0, 2]] * np.sin(calm.angle[[0, 2]]) / GRAVITY
    )
    vacuum_reach = engine.reach()
    assert vacuum_reach.holds([2.0, 11.0, 0.0]).tolist() == [True, False, False]

    # Per-target conditions, and a fixed velocity: the compiled physics through air.
    conditions = ([1.5, 0.0], [0.0, 0.5], [-3.0, 2.0], [0.1, 0.05])
    held = Constraint(velocity=9.0, arc="high")
    windy = engine.aim([4.0, 5.0], conditions, held, tolerance=1e-6)
    assert windy.hit.all() and np.all(windy.velocity == 9.0)
    for i in range(2):
        row = [c[i] for c in conditions]
        truth = reference.landing(9.0, windy.angle[i], *row, GRAVITY)
        assert abs(truth.distance - windy.distance[i]) <= 1e-6
        assert windy.apex_height[i] == pytest.approx(truth.apex_height, abs=1e-9)
    assert engine.reach(tuple(c[0] for c in conditions), held).holds(4.0).all()


def test_the_full_reply_refuses_a_vacuum_target_out_of_reach_too(engine: Engine) -> None:
    """aim_one on its own (the worker's path) gives the same 422 as first_try."""
    with pytest.raises(ApiError) as refused:
        far = AimRequest(distance=11.0)
        replies.way(engine, far).aim_one(far, 0.05)
    assert refused.value.detail[0]["type"] == "unreachable_target"
