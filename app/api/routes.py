"""Thin routes: translate HTTP to the aiming library and back.

Inline (`async def`) or threadpool? A threadpool round trip costs about 0.1 ms here, and
FastAPI makes two of them for a `def` route (the handler, then validating its response).
So /aim runs the network's proposal and its verification (tens of microseconds) inline on the
event loop, in a vacuum and through air alike, and sends only what takes longer (refinement
in a vacuum, a missed shot's search of the reach through air) to the threadpool, where it
cannot hold up other requests; so does /aim/batch with its milliseconds. /verify's work is
microseconds and runs inline.

/aim and /aim/batch are DirectRoutes that read the body and write the answer themselves:
FastAPI's body, dependency and response handling cost more than the aiming. Figures:
benchmarks/speed.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.aiming import Aimer, OutsideLimitsError, UnreachableTargetError, check_shot
from app.air_aiming import AirAimer, AirShots
from app.api import air_answers
from app.api.air_answers import constraint_of
from app.api.answers import aim_json, batch_json
from app.api.deps import AimerDep, SettingsDep
from app.api.errors import ApiError
from app.api.observe import Metrics, record, record_one
from app.api.openapi import (
    AIM_ERRORS,
    AIM_EXAMPLES,
    BATCH_ERRORS,
    BATCH_EXAMPLES,
    VERIFY_ERRORS,
    json_body,
)
from app.api.schemas import (
    AimBatchRequest,
    AimBatchResponse,
    AimOptions,
    AimRequest,
    AimResponse,
    VerifyQuery,
    VerifyResponse,
)
from app.api.strict import DirectRoute, StrictRoute, parse_json, read_body
from app.api.work import within_budget
from app.config import Settings


async def through_air(
    request: Request,
    body: AimOptions,
    work: Callable[..., tuple[bytes, AirShots | None]],
    targets: float | list[float],
    tolerance: float,
) -> Response:
    """Aim through air, between heights or under a constraint. One target is tens of
    microseconds of compiled work when it is hit: inline. Batches, and a miss (whose reach
    is searched to say why), go to the worker lane within the time budget."""
    air_aimer: AirAimer = request.app.state.air_aimer
    constraint = constraint_of(air_aimer, body, ["body"])
    version = request.app.state.air_card["version"]
    size = len(targets) if isinstance(targets, list) else 1
    args = (air_aimer, version, targets, body, constraint, tolerance, body.refine is not False)
    hit = None if isinstance(targets, list) else air_answers.hit_one(*args)  # type: ignore[arg-type]
    shots: AirShots | None
    if hit is not None:
        content, shots = hit
    else:
        content, shots = await within_budget(request, work, *args, targets=size)
    if shots is not None:
        metrics: Metrics = request.app.state.metrics
        record(request.scope, metrics, shots.miss, shots.refined, shots.iterations)
    return Response(content, media_type="application/json")


router = APIRouter(route_class=StrictRoute)
direct = APIRouter(route_class=DirectRoute)  # endpoints that read and write HTTP themselves


@direct.post(
    "/aim",
    response_model=AimResponse,
    responses=AIM_ERRORS,
    openapi_extra=json_body(AimRequest, AIM_EXAMPLES),
)
async def aim(request: Request) -> Response:
    """Launch angle and velocity that land a shot on the target, verified by the physics."""
    body = parse_json(*await read_body(request), AimRequest)  # tens of µs: inline
    aimer: Aimer = request.app.state.aimer
    settings: Settings = request.app.state.settings
    tolerance = settings.tolerance(body.tolerance)
    metrics: Metrics = request.app.state.metrics
    if not (body.still_and_flat() and body.free()):  # air, heights or a constraint
        return await through_air(request, body, air_answers.aim_one, body.distance, tolerance)
    try:
        answer = aimer.propose_one(body.distance, tolerance)
    except UnreachableTargetError as error:
        raise ApiError(
            422, ["body", "distance"], str(error), "unreachable_target", max_range=error.max_range
        ) from error
    if not answer.hit and body.refine is not False:
        answer = await within_budget(request, aimer.refine_one, answer)
    record_one(request.scope, metrics, answer.miss, answer.refined, answer.iterations)
    return Response(aim_json(answer, aimer.version, aimer.cannon), media_type="application/json")


@direct.post(
    "/aim/batch",
    response_model=AimBatchResponse,
    responses=BATCH_ERRORS,
    openapi_extra=json_body(AimBatchRequest, BATCH_EXAMPLES),
)
async def aim_batch(request: Request) -> Response:
    """Aim at many targets at once; an unreachable one is reported in its place."""
    aimer: Aimer = request.app.state.aimer
    settings: Settings = request.app.state.settings
    raw, media_type = await read_body(request)
    # Up to a megabyte of numbers (tens of ms): parse and validate off the event loop too.
    body: AimBatchRequest = await within_budget(
        request, parse_json, raw, media_type, AimBatchRequest
    )
    if len(body.distances) > settings.max_batch:
        raise ApiError(
            422,
            ["body", "distances"],
            f"at most {settings.max_batch} distances per request, got {len(body.distances)}",
            "too_long",
            max_batch=settings.max_batch,
        )
    tolerance = settings.tolerance(body.tolerance)
    metrics: Metrics = request.app.state.metrics
    if not (body.still_and_flat() and body.free()):  # air, heights or a constraint
        return await through_air(request, body, air_answers.aim_many, body.distances, tolerance)
    # Milliseconds of work for a large batch: run it off the event loop.
    content, solved = await within_budget(
        request, batch_json, aimer, body.distances, tolerance, body.refine is not False
    )
    record(request.scope, metrics, solved.miss, solved.refined, solved.iterations)
    return Response(content, media_type="application/json")


@router.get("/verify", response_model=VerifyResponse, responses=VERIFY_ERRORS)
async def verify(
    query: Annotated[VerifyQuery, Query()], aimer: AimerDep, settings: SettingsDep
) -> VerifyResponse:
    """Where a given shot lands, how long it flies, how high it goes, and whether it hits."""
    tolerance = settings.tolerance(query.tolerance)
    if not query.still_and_flat():  # through air: the compiled DOP853, microseconds
        return air_answers.verify_one(aimer.cannon, query, tolerance)
    try:
        shot = check_shot(aimer.cannon, query.angle, query.velocity, query.distance, tolerance)
    except OutsideLimitsError as error:
        raise ApiError(422, ["query"], str(error), "outside_cannon_limits") from error
    return VerifyResponse(**vars(shot))
