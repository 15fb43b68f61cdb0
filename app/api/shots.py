"""The web page that shows a shot, and the two GET endpoints that feed its drawings.

GET /trajectory gives the arc of any shot the cannon can fire; GET /loss-surface the miss
over a grid of (velocity, angle) for one target. Both take /verify's air (heights, wind,
drag). At the conditions' zero (the engine's rule, Engine.calm) they compute with
app/physics/vacuum.py's closed forms in float64 tensors, exactly as before the air came;
through any other air with the service's physics: the compiled DOP853 that verifies (where
the shot comes down, and every cell of the surface) and, for the points of the arc, the
torch RK4 of app/physics/flight.py over that flight time, in enough steps that its last
point lies on the verified landing (tests/test_api_shots_air.py holds both to the reference).
This module only translates HTTP to them and back.

GET / serves the page and GET /web/{name} its script and style sheet, from the files in
app/web/ (package data). They are routes rather than a StaticFiles mount so that the metrics
label them like any route, and they are left out of the OpenAPI schema: they are not API.

Both endpoints are guarded like /verify (app/api/guard.py AIMING): the API key when one is
configured, and the concurrency limit, since a 200 x 200 surface is real work. The page
itself stays open, and sends the key it is given.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import numpy as np
import torch
from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from app.aiming.air import unreachable_detail
from app.aiming.engine import Engine
from app.aiming.vacuum import OutsideLimitsError, UnreachableTargetError, check_shot
from app.api.answers import reach_fields
from app.api.conditions import Conditions
from app.api.deps import EngineDep
from app.api.errors import ApiError
from app.api.replies import VERIFY_RTOL, conditions, never_lands
from app.api.shot_schemas import (
    LOSS_SURFACE_ERRORS,
    TRAJECTORY_ERRORS,
    LossSurfaceQuery,
    LossSurfaceResponse,
    TrajectoryQuery,
    TrajectoryResponse,
)
from app.api.strict import StrictRoute
from app.physics import flight as rk4
from app.physics.kernel import flight
from app.physics.vacuum import Cannon

router = APIRouter(route_class=StrictRoute)

WEB = Path(__file__).resolve().parent.parent / "web"
SCRIPTS = ("page.js", "api.js", "draw.js", "space.js", "draw_space.js")
ASSETS = {name: "text/javascript" for name in SCRIPTS} | {"page.css": "text/css"}
# The page loads nothing from anywhere but this service, and runs no inline script.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    """The page: aim, see the arc to scale, and the loss surface."""
    return FileResponse(WEB / "index.html", media_type="text/html", headers=PAGE_HEADERS)


@router.get("/web/{name}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    """The page's script and style sheet; nothing else under app/web/ is served."""
    if name not in ASSETS:  # a fixed list: no path from the URL ever reaches the disk
        raise HTTPException(404, "Not Found")
    return FileResponse(WEB / name, media_type=ASSETS[name], headers=PAGE_HEADERS)


@router.get("/trajectory", response_model=TrajectoryResponse, responses=TRAJECTORY_ERRORS)
async def trajectory(
    query: Annotated[TrajectoryQuery, Query()], engine: EngineDep
) -> TrajectoryResponse:
    """The arc of a shot through the given air: (x, y) in metres at evenly spaced times from
    launch to where it comes down through the target's height, with that landing (m), how
    long it flies (s) and how high it goes above the ground (m)."""
    cannon = engine.vacuum.cannon
    try:  # the same limits, and the same 422, as GET /verify
        shot = check_shot(cannon, query.angle, query.velocity, 0.0, 1.0)
    except OutsideLimitsError as error:
        raise ApiError(422, ["query"], str(error), "outside_cannon_limits") from error
    if not query.still_and_flat():
        refuse_outside(engine, query)
        # Hundreds of RK4 steps of torch ops, tenths of a second (docs/api.md): off the loop.
        return await run_in_threadpool(air_trajectory, engine.air.cannon, query)
    velocity = torch.tensor(query.velocity, dtype=torch.float64)
    angle = torch.tensor(query.angle, dtype=torch.float64)
    x, y = cannon.trajectory(velocity, angle, query.points)  # at most 1,000 points: inline
    lift = query.launch_height  # flat but raised: the same arc, that much higher
    return TrajectoryResponse(
        angle=query.angle,
        velocity=query.velocity,
        points=query.points,
        x=x.tolist(),
        y=(y + lift).tolist() if lift else y.tolist(),
        landing_distance=shot.landing_distance,
        flight_time=shot.flight_time,
        apex_height=shot.apex_height + lift,
    )


def refuse_outside(engine: Engine, query: Conditions) -> None:
    """A 422 for air the model does not cover at this cannon's scale, as /aim answers."""
    if why := engine.outside(conditions(query)):
        raise ApiError(422, ["query"], why, "outside_envelope")


ARC_STEPS = 256  # RK4 steps over a flight at least: its end within 1e-9 m of DOP853's landing


def air_trajectory(cannon: Cannon, query: TrajectoryQuery) -> TrajectoryResponse:
    """The flight through air: where it comes down by the compiled DOP853 (/verify's), the
    points by RK4 over exactly that flight time, a whole number of steps between points."""
    air = conditions(query)
    distance, time, apex = flight.landing(
        query.velocity, query.angle, *air, cannon.gravity, VERIFY_RTOL
    )
    if not math.isfinite(distance):
        raise never_lands(query.target_height, apex)
    every = math.ceil(ARC_STEPS / (query.points - 1))  # RK4 steps between two points
    one = [torch.tensor([value], dtype=torch.float64) for value in air]
    x, y, *_ = rk4.trace(
        torch.tensor([query.velocity], dtype=torch.float64),
        torch.tensor([query.angle], dtype=torch.float64),
        rk4.Air(*one),
        cannon.gravity,
        torch.tensor([time], dtype=torch.float64),
        (query.points - 1) * every,
    )
    return TrajectoryResponse(
        angle=query.angle,
        velocity=query.velocity,
        points=query.points,
        x=x[::every, 0].tolist(),
        y=y[::every, 0].tolist(),
        landing_distance=distance,
        flight_time=time,
        apex_height=apex,
    )


def grid(cannon: Cannon, query: LossSurfaceQuery) -> tuple[torch.Tensor, torch.Tensor]:
    """The surface's velocities (V,) m/s and angles (A,) rad.

    Velocities are evenly spaced in (0, max velocity], ending at the maximum; angles are the
    centres of equal cells of the open interval (min angle, max angle), so every grid point
    is a shot the cannon can fire.
    """
    steps = torch.arange(1, query.velocities + 1, dtype=torch.float64)
    velocity = cannon.max_velocity * steps / query.velocities  # (V,) m/s
    cells = (torch.arange(query.angles, dtype=torch.float64) + 0.5) / query.angles
    angle = cannon.min_angle + (cannon.max_angle - cannon.min_angle) * cells  # (A,) rad
    return velocity, angle


def loss_grid(cannon: Cannon, query: LossSurfaceQuery) -> LossSurfaceResponse:
    """The miss over (angle, velocity) in one batched pass of the closed form, float64."""
    velocity, angle = grid(cannon, query)
    landing = cannon.landing_distance(velocity.unsqueeze(0), angle.unsqueeze(1))  # (A, V) m
    miss = (landing - query.distance).abs()
    loss = miss**2 if query.loss == "squared" else miss
    return LossSurfaceResponse(
        distance=query.distance,
        loss_kind=query.loss,
        unit="m^2" if query.loss == "squared" else "m",
        velocity=velocity.tolist(),
        angle=angle.tolist(),
        loss=loss.tolist(),
        min_loss=loss.min().item(),
        max_loss=loss.max().item(),
    )


SURFACE_RTOL = 1e-9  # DOP853's tolerance per cell: landings to about 1e-8 m, a third the steps


def air_loss_grid(cannon: Cannon, query: LossSurfaceQuery) -> LossSurfaceResponse:
    """The miss over (angle, velocity) through air, each cell flown by the compiled DOP853;
    null where a shot never comes down through the target's height."""
    velocity, angle = grid(cannon, query)
    air = conditions(query)
    landing = np.array(
        [
            [flight.landing(v, a, *air, cannon.gravity, SURFACE_RTOL)[0] for v in velocity.tolist()]
            for a in angle.tolist()
        ]
    )  # (A, V) m, NaN where it never lands
    miss = np.abs(landing - query.distance)
    loss = miss**2 if query.loss == "squared" else miss
    landed = loss[np.isfinite(loss)]
    if not landed.size:  # a coarse grid whose every shot falls short of the target's height
        raise ApiError(
            422,
            ["query"],
            f"no shot on this {query.angles} x {query.velocities} grid comes down at the "
            f"target's height of {query.target_height} m: ask for a finer grid",
            "never_lands",
        )
    return LossSurfaceResponse(
        distance=query.distance,
        loss_kind=query.loss,
        unit="m^2" if query.loss == "squared" else "m",
        velocity=velocity.tolist(),
        angle=angle.tolist(),
        loss=[[value if math.isfinite(value) else None for value in row] for row in loss.tolist()],
        min_loss=float(landed.min()),
        max_loss=float(landed.max()),
    )


@router.get("/loss-surface", response_model=LossSurfaceResponse, responses=LOSS_SURFACE_ERRORS)
async def loss_surface(
    query: Annotated[LossSurfaceQuery, Query()], engine: EngineDep
) -> LossSurfaceResponse:
    """The miss, squared (m^2) or not (m), over a grid of launch velocities (m/s) and angles
    (rad) within the cannon's limits, for one target distance (m) in the given air."""
    cannon = engine.vacuum.cannon
    if query.still_and_flat():
        if not cannon.is_reachable(query.distance):
            error = UnreachableTargetError(query.distance, cannon.max_range)  # /aim's words
            raise ApiError(
                422,
                ["query", "distance"],
                str(error),
                "unreachable_target",
                max_range=error.max_range,
            )
        # Up to 40,000 cells and their list of lists (milliseconds): off the event loop.
        return await run_in_threadpool(loss_grid, cannon, query)
    refuse_outside(engine, query)
    reach = await run_in_threadpool(engine.reach, conditions(query))  # a search: milliseconds
    if not reach.holds(query.distance).all():  # a target out of reach: /aim's words and fields
        span = (reach.nearest.item(), reach.farthest.item())
        raise ApiError(
            422,
            ["query", "distance"],
            unreachable_detail(query.distance, span),
            "unreachable_target",
            **reach_fields(reach),
        )
    return await run_in_threadpool(air_loss_grid, engine.air.cannon, query)
