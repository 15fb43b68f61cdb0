"""Thin routes: translate HTTP to the aiming library and back.

Inline (`async def`) or threadpool (`def`)? Measured by benchmarks/inline_vs_threadpool.py
on this 2-core machine, servers loaded in alternating rounds: an /aim answer costs 0.2-0.4 ms
of work (0.9-1.7 ms when refining to 1e-6 m) against 0.12-0.16 ms for a threadpool round
trip, and both ways served the same requests/s within noise (threadpool / inline between
0.94x and 1.03x, at 1 and 32 connections, with and without refinement). With throughput a
tie, /aim is a `def`, so a refinement never holds up the event loop for other requests.
/verify's work (0.05-0.09 ms) is below the round trip, so it runs inline.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Body, Query

from app.aiming import OutsideLimitsError, UnreachableTargetError, check_shot
from app.api.deps import AimerDep, SettingsDep
from app.api.errors import ApiError
from app.api.openapi import AIM_ERRORS, AIM_EXAMPLES, VERIFY_ERRORS
from app.api.schemas import (
    AimRequest,
    AimResponse,
    VerifyQuery,
    VerifyResponse,
)
from app.api.strict import StrictRoute

router = APIRouter(route_class=StrictRoute)


@router.post("/aim", response_model=AimResponse, responses=AIM_ERRORS)
def aim(
    body: Annotated[AimRequest, Body(openapi_examples=AIM_EXAMPLES)],
    aimer: AimerDep,
    settings: SettingsDep,
) -> AimResponse:
    """Launch angle and velocity that land a shot on the target, verified by the physics."""
    tolerance = settings.default_tolerance if body.tolerance is None else body.tolerance
    try:
        answer = aimer.aim(body.distance, tolerance, body.refine is not False)
    except UnreachableTargetError as error:
        raise ApiError(
            422, ["body", "distance"], str(error), "unreachable_target", max_range=error.max_range
        ) from error
    return AimResponse(
        **asdict(answer), angle_degrees=math.degrees(answer.angle), model_version=aimer.version
    )


@router.get("/verify", response_model=VerifyResponse, responses=VERIFY_ERRORS)
async def verify(
    query: Annotated[VerifyQuery, Query()], aimer: AimerDep, settings: SettingsDep
) -> VerifyResponse:
    """Where a given shot lands, how long it flies, how high it goes, and whether it hits."""
    tolerance = settings.default_tolerance if query.tolerance is None else query.tolerance
    try:
        shot = check_shot(aimer.cannon, query.angle, query.velocity, query.distance, tolerance)
    except OutsideLimitsError as error:
        raise ApiError(422, ["query"], str(error), "outside_cannon_limits") from error
    return VerifyResponse(**asdict(shot))
