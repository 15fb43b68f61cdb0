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

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.aiming.engine import Engine
from app.api import odds, replies, space_routes
from app.api.deps import EngineDep, SettingsDep, engine_of, settings_of
from app.api.errors import ApiError
from app.api.observe import Metrics, record, record_one
from app.api.odds_schemas import Odds
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
    AimRequest,
    AimResponse,
    VerifyQuery,
    VerifyResponse,
)
from app.api.space_responses import InterceptResponse, InterceptVerdict
from app.api.space_schemas import AimAtBatchRequest, AimAtRequest
from app.api.strict import DirectRoute, StrictRoute, read_body
from app.api.work import within_budget

router = APIRouter(route_class=StrictRoute)
direct = APIRouter(route_class=DirectRoute)  # endpoints that read and write HTTP themselves


def answered(request: Request, reply: replies.Reply) -> Response:
    """The reply as the response, counted in the metrics."""
    metrics: Metrics = request.app.state.metrics
    misses, refined, iterations = reply.misses, reply.refined, reply.iterations
    if isinstance(misses, list) and len(misses) == 1:  # one target: no numpy on the fast path
        record_one(request.scope, metrics, misses[0], bool(refined[0]), int(iterations[0]))
    elif len(misses):
        record(request.scope, metrics, misses, refined, iterations)
    return Response(reply.content, media_type="application/json")


@direct.post(
    "/aim",
    response_model=AimResponse | InterceptResponse,
    responses=AIM_ERRORS,
    openapi_extra=json_body(AimRequest, AIM_EXAMPLES),
)
async def aim(request: Request) -> Response:
    """Launch angle and velocity that land a shot on the target, verified by the physics;
    for a `target` in 3D, perhaps moving: elevation, azimuth and velocity that meet it."""
    body = space_routes.parse_aim(*await read_body(request))  # tens of µs: inline
    weight = odds.checked(body)
    engine, settings = engine_of(request), settings_of(request)
    reply: replies.Reply | None
    if isinstance(body, AimAtRequest):
        reply = await space_routes.aim_at(request, body)
    else:
        tolerance, way = settings.tolerance(body.tolerance), replies.way(engine, body)
        reply = way.first_try(body, tolerance)  # microseconds when it hits: inline
        if reply is None:  # refinement, or a missed shot's reach: off the event loop
            heavy = 1 if way.lane else None
            reply = await within_budget(request, way.aim_one, body, tolerance, targets=heavy)
    if weight is not None:  # the odds: no coroutine on the path of a request without them
        reply = await with_odds(request, engine, body, reply, weight)
    return answered(request, reply)


@direct.post(
    "/aim/batch",
    response_model=AimBatchResponse,
    responses=BATCH_ERRORS,
    openapi_extra=json_body(AimBatchRequest, BATCH_EXAMPLES),
)
async def aim_batch(request: Request) -> Response:
    """Aim at many targets at once; an unreachable one is reported in its place."""
    engine, settings = engine_of(request), settings_of(request)
    raw, media_type = await read_body(request)
    # Up to a megabyte of numbers (tens of ms): parse and validate off the event loop too.
    body = await within_budget(request, space_routes.parse_batch, raw, media_type)
    weight = odds.checked(body)
    if isinstance(body, AimAtBatchRequest):
        reply = await space_routes.aim_many_at(request, body)
        return answered(request, await with_odds(request, engine, body, reply, weight))
    if len(body.distances) > settings.max_batch:
        raise ApiError(
            422,
            ["body", "distances"],
            f"at most {settings.max_batch} distances per request, got {len(body.distances)}",
            "too_long",
            max_batch=settings.max_batch,
        )
    tolerance, way = settings.tolerance(body.tolerance), replies.way(engine, body)
    heavy = len(body.distances) if way.lane else None
    reply = await within_budget(request, way.aim_many, body, tolerance, targets=heavy)
    return answered(request, await with_odds(request, engine, body, reply, weight))


async def with_odds(
    request: Request,
    engine: Engine,
    body: Odds,
    reply: replies.Reply,
    weight: int | None,
) -> replies.Reply:
    """The reply with each solved target's odds, when the request asks for them: milliseconds
    and more, so in the lane."""
    if weight is None:
        return reply
    return await within_budget(request, odds.added, engine, body, reply, targets=weight)


async def verify(
    query: Annotated[VerifyQuery, Query()], engine: EngineDep, settings: SettingsDep
) -> VerifyResponse:
    """Where a given shot lands, how long it flies, how high it goes, and whether it hits;
    with `azimuth`, where it meets a target in 3D, perhaps moving, and by how much it misses.
    Microseconds, in a vacuum (closed form) and through air (the compiled DOP853): inline."""
    return replies.way(engine, query).verify(query, settings.tolerance(query.tolerance))


router.add_api_route(
    "/verify",
    verify,
    methods=["GET"],
    response_model=VerifyResponse | InterceptVerdict,
    responses=VERIFY_ERRORS,
    route_class_override=space_routes.VerifyRoute,  # with azimuth: the 3D form
)
