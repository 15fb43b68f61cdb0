"""The Python client in three dimensions (issue 13): `aim_at`, `aim_many_at` and `verify_at`,
blocking and async, against the real server; every shot it is given is flown again by the
reference (app/physics/reference.py's `intercept`), and bad input is refused before it is
sent, as the client's own InvalidRequest."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
from cannon_client import (
    AsyncCannonClient,
    BatchIntercept,
    BatchUnreachableTarget,
    CannonClient,
    Constraints,
    InterceptResponse,
    InterceptVerdict,
    InvalidRequest,
    UnreachableTarget,
)

from app.physics import reference
from tests.conftest import GRAVITY

SCENE: dict[str, Any] = {
    "target_velocity": (0.5, 1.5, 0.0),
    "target_acceleration": (0.0, -0.5, 0.2),
    "wind": (1.0, -2.0),
    "launch_height": 1.0,
    "drag": 0.05,
}


def lands(shot: InterceptResponse | InterceptVerdict, target: tuple[float, ...]) -> None:
    """The reference meets the target with this shot within the answer's tolerance, where
    the answer says."""
    truth = reference.intercept(
        shot.velocity,
        shot.angle,
        shot.azimuth,
        (*target, 0.0)[:3],
        SCENE["target_velocity"],
        SCENE["target_acceleration"],
        SCENE["wind"],
        SCENE["drag"],
        SCENE["launch_height"],
        GRAVITY,
    )
    assert shot.hit and truth.miss <= shot.tolerance
    near = max(1e-7, shot.tolerance / 100)  # the service verifies finer than its tolerance
    assert shot.intercept_time == pytest.approx(truth.time, abs=near)
    assert shot.intercept_point is not None
    there = shot.intercept_point
    assert (there.x, there.y, there.z) == pytest.approx(truth.point, abs=near)


def test_aim_at_verify_at_and_aim_many_at(server_url: str) -> None:
    with CannonClient(server_url) as cannon:
        shot = cannon.aim_at((5.0, 2.0, 0.5), tolerance=1e-6, **SCENE)
        assert isinstance(shot, InterceptResponse)
        lands(shot, (5.0, 2.0, 0.5))
        check = cannon.verify_at(
            shot.angle, shot.velocity, shot.azimuth, (5.0, 2.0, 0.5), tolerance=1e-6, **SCENE
        )
        assert isinstance(check, InterceptVerdict) and check.hit
        assert check.intercept_time == pytest.approx(shot.intercept_time, abs=1e-9)
        many = cannon.aim_many_at([(4.0, -1.0), (0.0, 0.0), (-3.0, 3.0, 1.5)], **SCENE)
        assert [type(item) for item in many] == [
            BatchIntercept,
            BatchUnreachableTarget,
            BatchIntercept,
        ]
        for item, target in zip(many, [(4.0, -1.0), (0.0, 0.0), (-3.0, 3.0, 1.5)], strict=True):
            if isinstance(item, BatchIntercept):
                lands(item, target)
        held = cannon.aim_at((3.0, 3.0), hold=Constraints(velocity=9.0, arc="high"), **SCENE)
        assert held.velocity == 9.0
        lands(held, (3.0, 3.0))


def test_a_number_wind_blows_along_the_line_of_fire(server_url: str) -> None:
    """wind=-3 toward a target on (1.8, 2.4): the vector (-1.8, -2.4) m/s, in /aim and /verify."""
    with CannonClient(server_url) as cannon:
        by_number = cannon.aim_at((1.8, 2.4), wind=-3.0, drag=0.1, tolerance=1e-6)
        by_vector = cannon.aim_at((1.8, 2.4), wind=(-1.8, -2.4), drag=0.1, tolerance=1e-6)
        assert by_number.velocity == pytest.approx(by_vector.velocity, rel=1e-9)
        assert by_number.azimuth == pytest.approx(math.atan2(4.0, 3.0), abs=1e-12)
        check = cannon.verify_at(
            by_number.angle, by_number.velocity, by_number.azimuth, (1.8, 2.4), wind=-3.0, drag=0.1
        )
        assert check.miss is not None and check.miss <= 1e-6


def test_the_async_client_aims_in_3d(server_url: str) -> None:
    async def run() -> None:
        async with AsyncCannonClient(server_url, batch_size=2) as cannon:
            shot = await cannon.aim_at((5.0, 2.0, 0.5), tolerance=1e-6, **SCENE)
            lands(shot, (5.0, 2.0, 0.5))
            check = await cannon.verify_at(
                shot.angle, shot.velocity, shot.azimuth, (5.0, 2.0, 0.5), **SCENE
            )
            assert check.hit
            targets = [(4.0, -1.0), (2.0, 2.0), (-3.0, 3.0, 1.5)]
            many = await cannon.aim_many_at(targets, tolerance=1e-6, **SCENE)  # two requests
            assert len(many) == 3
            for item, target in zip(many, targets, strict=True):
                assert isinstance(item, BatchIntercept)
                lands(item, target)

    asyncio.run(run())


def test_errors_are_typed(server_url: str) -> None:
    with CannonClient(server_url) as cannon:
        with pytest.raises(UnreachableTarget) as far:
            cannon.aim_at((30.0, 40.0), drag=0.1)
        assert far.value.max_range is not None and 0 < far.value.max_range < 50
        with pytest.raises(InvalidRequest) as outside:
            cannon.aim_at((5.0, 2.0), target_velocity=(3.0, 3.0, 0.0))
        assert outside.value.status == 422 and "envelope" in str(outside.value)
        for bad in (
            {"target": (5.0,)},
            {"target": (5.0, math.nan)},
            {"target": (5.0, 1.0), "wind": (1.0, 2.0, 3.0)},
            {"target": (5.0, 1.0), "target_velocity": (1.0, 2.0)},
            {"target": (5.0, 1.0), "drag": True},
            {"target": (5.0, 1.0), "launch_height": 4.0},
        ):
            with pytest.raises(InvalidRequest):
                cannon.aim_at(**bad)
