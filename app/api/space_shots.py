"""GET /trajectory3d: the flight of a shot in three dimensions and the target's path over it,
what the page's side view and view from above draw (issue 13).

It takes GET /verify's 3D query (the shot: velocity, elevation, azimuth; the target at firing,
its velocity and acceleration; the wind's x and y, drag, launch height, `intercept`) and
`points`. Where and when the shot meets the target comes from the engine's verification
(`Engine.verify_at`: the compiled DOP853 at 1e-12, what /verify answers); the points between
launch and that moment from app/physics/space_trace.py (RK4 over exactly that time, its last
point on the verified intercept), the target's from its closed form at the same times.

Like /trajectory it refuses a shot outside the cannon's limits, a scene outside what the model
covers at this cannon's scale, and a shot that never comes down at the target's height, each a
422 in the API's words. It is guarded like /trajectory (app/api/guard.py AIMING). It is the
page's drawing and left out of the OpenAPI schema, as the page itself is: a served answer
there is a contract every client must model (tests/test_client_contract.py), and no client
draws.
"""

from __future__ import annotations

import math
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from app.aiming.engine import Engine
from app.aiming.space import Scene
from app.api.deps import EngineDep, SettingsDep
from app.api.errors import ApiError
from app.api.replies import never_lands
from app.api.space_responses import Point
from app.api.space_schemas import VerifyAtQuery
from app.api.strict import StrictRoute
from app.physics import space_trace

router = APIRouter(route_class=StrictRoute)
MAX_POINTS = 1000  # as /trajectory: more than any screen can show


class TrajectoryAtQuery(VerifyAtQuery):
    model_config = ConfigDict(extra="forbid")

    points: Annotated[
        int,
        Field(
            ge=2,
            le=MAX_POINTS,
            description=f"How many points along the flight, evenly spaced in time (s), from launch to the intercept: 2 to {MAX_POINTS}.",
        ),
    ] = 100

    def scene(self) -> Scene:
        return Scene(
            launch_height=self.launch_height,
            wind=(self.wind_x, self.wind_y),
            drag=self.drag,
            target_velocity=(
                self.target_velocity_x,
                self.target_velocity_y,
                self.target_velocity_z,
            ),
            target_acceleration=(
                self.target_acceleration_x,
                self.target_acceleration_y,
                self.target_acceleration_z,
            ),
        )


class TrajectoryAtResponse(BaseModel):
    angle: float = Field(description="Elevation in radians (rad), as given.")
    azimuth: float = Field(
        description="Azimuth in radians (rad), counter-clockwise from +x toward +y, in (-pi, pi]."
    )
    velocity: float = Field(description="Launch velocity in metres per second (m/s), as given.")
    points: int = Field(description="How many points the flight has (a count).")
    time: list[float] = Field(description="The points' times in seconds (s) after firing.")
    x: list[float] = Field(description="The shot's x at each time, in metres (m).")
    y: list[float] = Field(description="The shot's y at each time, in metres (m).")
    z: list[float] = Field(description="The shot's height above the ground at each time (m).")
    target_x: list[float] = Field(description="The target's x at each time, in metres (m).")
    target_y: list[float] = Field(description="The target's y at each time, in metres (m).")
    target_z: list[float] = Field(
        description="The target's height above the ground at each time (m)."
    )
    intercept_time: float = Field(
        description='When the shot comes down through the target\'s height, in seconds (s) after firing (intercept "any": when it passes closest).'
    )
    intercept_point: Point = Field(description="The shot then, in metres (m).")
    miss: float = Field(
        description='Horizontal distance between the shot and the target then, in metres (m) (intercept "any": their 3D distance).'
    )
    tolerance: float = Field(description="The largest miss that is a hit, in metres (m).")
    hit: bool = Field(description="Whether the miss is within the tolerance.")
    apex_height: float = Field(description="Highest point of the flight above the ground (m).")


@router.get("/trajectory3d", response_model=TrajectoryAtResponse, include_in_schema=False)
async def trajectory3d(
    query: Annotated[TrajectoryAtQuery, Query()], engine: EngineDep, settings: SettingsDep
) -> TrajectoryAtResponse:
    """The flight of a 3D shot to where it meets the target, and the target's path then."""
    cannon = engine.air.cannon
    if not cannon.can_fire(query.velocity, query.angle):
        raise ApiError(422, ["query"], cannon.limits(), "outside_cannon_limits")
    if why := engine.outside_scene(query.scene(), [query.target]):
        raise ApiError(422, ["query"], why, "outside_envelope")
    # The verification is microseconds, the RK4 a few milliseconds of Python: off the loop.
    return await run_in_threadpool(flight, engine, query, settings.tolerance(query.tolerance))


def flight(engine: Engine, query: TrajectoryAtQuery, tolerance: float) -> TrajectoryAtResponse:
    scene = query.scene()
    met = engine.verify_at(
        query.velocity, query.angle, query.azimuth, query.target, scene, tolerance, query.intercept
    ).row(0)
    end = met["intercept_time"]
    if not math.isfinite(end):
        raise never_lands(query.target_z, met["apex_height"])
    shot = space_trace.trace(
        query.velocity,
        query.angle,
        query.azimuth,
        query.launch_height,
        scene.wind,
        query.drag,
        engine.air.cannon.gravity,
        end,
        query.points,
    )
    times = np.linspace(0.0, end, query.points)  # s: the RK4's points, the last at `end`
    target = space_trace.target_path(
        query.target, scene.target_velocity, scene.target_acceleration, times
    )
    x, y, z = met["intercept_point"]
    return TrajectoryAtResponse(
        angle=query.angle,
        azimuth=met["azimuth"],
        velocity=query.velocity,
        points=query.points,
        time=times.tolist(),
        x=shot[:, 0].tolist(),
        y=shot[:, 1].tolist(),
        z=shot[:, 2].tolist(),
        target_x=target[:, 0].tolist(),
        target_y=target[:, 1].tolist(),
        target_z=target[:, 2].tolist(),
        intercept_time=end,
        intercept_point=Point(x=x, y=y, z=z),
        miss=met["miss"],
        tolerance=tolerance,
        hit=met["hit"],
        apex_height=met["apex_height"],
    )
