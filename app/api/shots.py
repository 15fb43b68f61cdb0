"""The web page that shows a shot, and the two GET endpoints that feed its drawings.

GET /trajectory gives the arc of any shot the cannon can fire; GET /loss-surface the miss
over a grid of (velocity, angle) for one target. Both compute with app/physics/vacuum.py's Cannon,
in float64 tensors; this module only translates HTTP to it and back.

GET / serves the page and GET /web/{name} its script and style sheet, from the files in
app/web/ (package data). They are routes rather than a StaticFiles mount so that the metrics
label them like any route, and they are left out of the OpenAPI schema: they are not API.

Both endpoints are guarded like /verify (app/api/guard.py AIMING): the API key when one is
configured, and the concurrency limit, since a 200 x 200 surface is real work. The page
itself stays open, and sends the key it is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import torch
from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from app.aiming.vacuum import OutsideLimitsError, UnreachableTargetError, check_shot
from app.api.deps import AimerDep
from app.api.errors import ApiError
from app.api.shot_schemas import (
    LOSS_SURFACE_ERRORS,
    TRAJECTORY_ERRORS,
    LossSurfaceQuery,
    LossSurfaceResponse,
    TrajectoryQuery,
    TrajectoryResponse,
)
from app.api.strict import StrictRoute
from app.physics.vacuum import Cannon

router = APIRouter(route_class=StrictRoute)

WEB = Path(__file__).resolve().parent.parent / "web"
ASSETS = {"page.js": "text/javascript", "draw.js": "text/javascript", "page.css": "text/css"}
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
    query: Annotated[TrajectoryQuery, Query()], aimer: AimerDep
) -> TrajectoryResponse:
    """The arc of a shot: (x, y) in metres at evenly spaced times from launch to landing,
    with where it lands (m), how long it flies (s) and how high it goes (m)."""
    cannon = aimer.cannon
    try:  # the same limits, and the same 422, as GET /verify
        shot = check_shot(cannon, query.angle, query.velocity, 0.0, 1.0)
    except OutsideLimitsError as error:
        raise ApiError(422, ["query"], str(error), "outside_cannon_limits") from error
    velocity = torch.tensor(query.velocity, dtype=torch.float64)
    angle = torch.tensor(query.angle, dtype=torch.float64)
    x, y = cannon.trajectory(velocity, angle, query.points)  # at most 1,000 points: inline
    return TrajectoryResponse(
        angle=query.angle,
        velocity=query.velocity,
        points=query.points,
        x=x.tolist(),
        y=y.tolist(),
        landing_distance=shot.landing_distance,
        flight_time=shot.flight_time,
        apex_height=shot.apex_height,
    )


def loss_grid(cannon: Cannon, query: LossSurfaceQuery) -> LossSurfaceResponse:
    """The miss over (angle, velocity) in one batched pass of the physics, float64.

    Velocities are evenly spaced in (0, max velocity], ending at the maximum; angles are the
    centres of equal cells of the open interval (min angle, max angle), so every grid point
    is a shot the cannon can fire.
    """
    steps = torch.arange(1, query.velocities + 1, dtype=torch.float64)
    velocity = cannon.max_velocity * steps / query.velocities  # (V,) m/s
    cells = (torch.arange(query.angles, dtype=torch.float64) + 0.5) / query.angles
    angle = cannon.min_angle + (cannon.max_angle - cannon.min_angle) * cells  # (A,) rad
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


@router.get("/loss-surface", response_model=LossSurfaceResponse, responses=LOSS_SURFACE_ERRORS)
async def loss_surface(
    query: Annotated[LossSurfaceQuery, Query()], aimer: AimerDep
) -> LossSurfaceResponse:
    """The miss, squared (m^2) or not (m), over a grid of launch velocities (m/s) and angles
    (rad) within the cannon's limits, for one target distance (m)."""
    cannon = aimer.cannon
    if not cannon.is_reachable(query.distance):
        error = UnreachableTargetError(query.distance, cannon.max_range)  # /aim's words
        raise ApiError(
            422, ["query", "distance"], str(error), "unreachable_target", max_range=error.max_range
        )
    # Up to 40,000 cells and their list of lists (milliseconds): off the event loop.
    return await run_in_threadpool(loss_grid, cannon, query)
