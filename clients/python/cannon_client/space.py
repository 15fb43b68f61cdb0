"""Aiming in three dimensions at moving targets: the clients' `aim_at`, `aim_many_at` and
`verify_at`, blocking and async. Units: metres (m), m/s, m/s^2, radians (rad), 1/m.

Axes: x and y horizontal, z up, from the ground under the muzzle, which is at `launch_height`.
The azimuth is counter-clockwise from +x toward +y; `angle` is the elevation. `wind` is a
number (m/s along the line of fire, toward the target's bearing at firing; + a tailwind) or
a horizontal vector (x, y) in m/s. `intercept`: "descending" (the default), where the shot
comes down through the target's height, the miss horizontal; "any", at any point of the
flight, the miss the 3D distance of closest approach (m).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from cannon_client import answers, calls
from cannon_client.calls import Call, Meeting, Point, SpaceOptions, Wind
from cannon_client.conditions import Constraints
from cannon_client.odds import Objective, Uncertainty

M = TypeVar("M", bound=BaseModel)


def options(
    tolerance: float | None,
    refine: bool | None,
    hold: Constraints | None,
    intercept: Meeting | None,
    uncertainty: Uncertainty | None = None,
    objective: Objective | None = None,
    **scene: Any,
) -> SpaceOptions:
    made = calls.scene(**scene)
    return SpaceOptions(tolerance, refine, made, hold, intercept, uncertainty, objective)


class SpaceMethods:
    """The blocking client's 3D methods (CannonClient)."""

    batch_size: int

    def send(self, call: Call[M]) -> M:
        raise NotImplementedError

    def aim_at(
        self,
        target: Point,
        *,
        target_velocity: Point | None = None,
        target_acceleration: Point | None = None,
        wind: Wind | None = None,
        launch_height: float | None = None,
        drag: float | None = None,
        tolerance: float | None = None,
        refine: bool | None = None,
        hold: Constraints | None = None,
        intercept: Meeting | None = None,
        uncertainty: Uncertainty | None = None,
        objective: Objective | None = None,
    ) -> answers.InterceptResponse:
        """Elevation (rad), azimuth (rad) and velocity (m/s) that meet `target` (x, y[, z]) m,
        moving at `target_velocity` (m/s) with `target_acceleration` (m/s^2), within
        `tolerance` (m), verified."""
        scene = {"wind": wind, "launch_height": launch_height, "drag": drag}
        scene |= {"target_velocity": target_velocity, "target_acceleration": target_acceleration}
        return self.send(
            calls.aim_at(
                target, options(tolerance, refine, hold, intercept, uncertainty, objective, **scene)
            )
        )

    def aim_many_at(
        self,
        targets: Sequence[Point],
        *,
        target_velocity: Point | None = None,
        target_acceleration: Point | None = None,
        wind: Wind | None = None,
        launch_height: float | None = None,
        drag: float | None = None,
        tolerance: float | None = None,
        refine: bool | None = None,
        hold: Constraints | None = None,
        intercept: Meeting | None = None,
        uncertainty: Uncertainty | None = None,
        objective: Objective | None = None,
    ) -> list[answers.TargetSolution]:
        """One answer per target (x, y[, z]) m, in order, the scene shared; a target no shot
        meets is a BatchUnreachableTarget in its place."""
        scene = {"wind": wind, "launch_height": launch_height, "drag": drag}
        scene |= {"target_velocity": target_velocity, "target_acceleration": target_acceleration}
        made = options(tolerance, refine, hold, intercept, uncertainty, objective, **scene)
        batches = calls.aim_many_at(targets, made, self.batch_size)
        return [item for call in batches for item in self.send(call).solutions]

    def verify_at(
        self,
        angle: float,
        velocity: float,
        azimuth: float,
        target: Point,
        *,
        target_velocity: Point | None = None,
        target_acceleration: Point | None = None,
        wind: Wind | None = None,
        launch_height: float | None = None,
        drag: float | None = None,
        tolerance: float | None = None,
        intercept: Meeting | None = None,
    ) -> answers.InterceptVerdict:
        """Where the shot (elevation rad, m/s, azimuth rad) comes down through the height of
        `target` (x, y[, z]) m, moving as given, and whether it hits within `tolerance` (m)."""
        scene = calls.scene(wind, launch_height, drag, target_velocity, target_acceleration)
        return self.send(
            calls.verify_at(angle, velocity, azimuth, target, tolerance, scene, intercept)
        )


class AsyncSpaceMethods:
    """The async client's 3D methods (AsyncCannonClient): the same, awaited."""

    batch_size: int
    in_flight: int

    async def send(self, call: Call[M]) -> M:
        raise NotImplementedError

    async def aim_at(
        self,
        target: Point,
        *,
        target_velocity: Point | None = None,
        target_acceleration: Point | None = None,
        wind: Wind | None = None,
        launch_height: float | None = None,
        drag: float | None = None,
        tolerance: float | None = None,
        refine: bool | None = None,
        hold: Constraints | None = None,
        intercept: Meeting | None = None,
        uncertainty: Uncertainty | None = None,
        objective: Objective | None = None,
    ) -> answers.InterceptResponse:
        scene = {"wind": wind, "launch_height": launch_height, "drag": drag}
        scene |= {"target_velocity": target_velocity, "target_acceleration": target_acceleration}
        return await self.send(
            calls.aim_at(
                target, options(tolerance, refine, hold, intercept, uncertainty, objective, **scene)
            )
        )

    async def aim_many_at(
        self,
        targets: Sequence[Point],
        *,
        target_velocity: Point | None = None,
        target_acceleration: Point | None = None,
        wind: Wind | None = None,
        launch_height: float | None = None,
        drag: float | None = None,
        tolerance: float | None = None,
        refine: bool | None = None,
        hold: Constraints | None = None,
        intercept: Meeting | None = None,
        uncertainty: Uncertainty | None = None,
        objective: Objective | None = None,
    ) -> list[answers.TargetSolution]:
        """As the blocking one's, but up to `in_flight` requests at once, answers in order."""
        import asyncio

        scene = {"wind": wind, "launch_height": launch_height, "drag": drag}
        scene |= {"target_velocity": target_velocity, "target_acceleration": target_acceleration}
        made = options(tolerance, refine, hold, intercept, uncertainty, objective, **scene)
        batches = calls.aim_many_at(targets, made, self.batch_size)
        gate = asyncio.Semaphore(self.in_flight)

        async def one(call: Call[answers.InterceptBatchResponse]) -> answers.InterceptBatchResponse:
            async with gate:
                return await self.send(call)

        tasks = [asyncio.ensure_future(one(call)) for call in batches]
        try:
            answered = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return [item for answer in answered for item in answer.solutions]

    async def verify_at(
        self,
        angle: float,
        velocity: float,
        azimuth: float,
        target: Point,
        *,
        target_velocity: Point | None = None,
        target_acceleration: Point | None = None,
        wind: Wind | None = None,
        launch_height: float | None = None,
        drag: float | None = None,
        tolerance: float | None = None,
        intercept: Meeting | None = None,
    ) -> answers.InterceptVerdict:
        scene = calls.scene(wind, launch_height, drag, target_velocity, target_acceleration)
        return await self.send(
            calls.verify_at(angle, velocity, azimuth, target, tolerance, scene, intercept)
        )
