"""Which form a request to /aim, /aim/batch or /verify is in, and the 3D form's handling.

A body that names a `target` (`targets`), a target's motion or a wind vector is the 3D form
(app/api/space_schemas.py); any other is today's, parsed and answered exactly as before. A
body in both forms is refused by name. GET /verify is in the 3D form when it has `azimuth`
(or any other parameter only that form takes): `VerifyRoute` sends it there, and everything
else to the 2D route FastAPI built, untouched.

3D work is CPU work like aiming through air: one target is solved in the threadpool (its
refinement takes 0.1 to a few milliseconds, too long for the event loop), a miss (its reach
searched) and batches wait in the lane.
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.api import space_replies
from app.api.deps import engine_of, settings_of
from app.api.errors import ApiError
from app.api.replies import Reply
from app.api.schemas import AimBatchRequest, AimRequest
from app.api.space_schemas import AimAtBatchRequest, AimAtRequest, VerifyAtQuery
from app.api.strict import Handler, StrictRoute, decoded, refuse_repeated_parameters, validated
from app.api.work import within_budget

MOVING = ("target_velocity", "target_acceleration", "intercept")  # only the 3D form takes these
# GET /verify's parameters only its 3D form takes: any of them asks for it.
VERIFY_AT = frozenset(VerifyAtQuery.model_fields) - {
    "angle",
    "velocity",
    "launch_height",
    "drag",
    "tolerance",
}
VERIFY_2D_ONLY = ("distance", "target_height", "wind")


def in_space(data: Any, target: str) -> bool:
    """Whether a decoded body is in the 3D form: it names `target` (or `targets`), a motion,
    or a wind vector."""
    if not isinstance(data, dict):
        return False
    return target in data or any(k in data for k in MOVING) or isinstance(data.get("wind"), dict)


def both_forms(data: dict[str, Any], line: str, target: str) -> None:
    """Refuse a body that mixes the forms, naming the field that does not belong."""
    own = [k for k in MOVING if k in data] + (
        ["wind {x, y}"] if isinstance(data.get("wind"), dict) else []
    )
    mixed = (
        f"give `{line}` (m, the 2D form) or `{target}` ({{x, y, z}} m), not both"
        if target in data
        else f"{', '.join(own)}: the 3D form's, which takes `{target}` ({{x, y, z}} m), "
        f"not `{line}`"
    )
    for name, why in (
        (line, mixed),
        ("target_height", "the 3D form takes the target's height as its z (m), not target_height"),
    ):
        if name in data:
            raise RequestValidationError(
                [
                    {
                        "type": "extra_forbidden",
                        "loc": ("body", name),
                        "msg": why,
                        "input": data[name],
                    }
                ]
            )


def parse_aim(raw: bytes, media_type: str) -> AimRequest | AimAtRequest:
    """POST /aim's body in its form: today's fast path for a `distance`."""
    data = decoded(raw, media_type, AimRequest.model_fields)
    if not in_space(data, "target"):
        if isinstance(data, dict) and "uncertainty" in data:  # nested: every key checked
            data = decoded(raw, media_type)
        return validated(data, AimRequest)
    data = decoded(raw, media_type)  # nested objects: every object's keys checked for repeats
    both_forms(data, "distance", "target")
    return validated(data, AimAtRequest)


def parse_batch(raw: bytes, media_type: str) -> AimBatchRequest | AimAtBatchRequest:
    """POST /aim/batch's body in its form."""
    data = decoded(raw, media_type, AimBatchRequest.model_fields)
    if not in_space(data, "targets"):
        if isinstance(data, dict) and "uncertainty" in data:
            data = decoded(raw, media_type)
        return validated(data, AimBatchRequest)
    data = decoded(raw, media_type)
    both_forms(data, "distances", "targets")
    return validated(data, AimAtBatchRequest)


async def aim_at(request: Request, body: AimAtRequest) -> Reply:
    """POST /aim with a `target`: checked inline, solved in the threadpool (0.1 to a few ms
    of refinement: too long for the event loop, too short for the lane), and told why in the
    lane when missed (its reach searched)."""
    engine, settings = engine_of(request), settings_of(request)
    one = space_replies.One.of(engine, body, settings.tolerance(body.tolerance))
    answer = await within_budget(request, one.solve)
    if answer["hit"]:
        return one.reply(answer)
    return await within_budget(request, one.reply, answer, targets=1)


async def aim_many_at(request: Request, body: AimAtBatchRequest) -> Reply:
    """POST /aim/batch with `targets`, in the lane."""
    engine, settings = engine_of(request), settings_of(request)
    if len(body.targets) > settings.max_batch:
        raise ApiError(
            422,
            ["body", "targets"],
            f"at most {settings.max_batch} targets per request, got {len(body.targets)}",
            "too_long",
            max_batch=settings.max_batch,
        )
    tolerance, aim = settings.tolerance(body.tolerance), space_replies.aim_many
    return await within_budget(request, aim, engine, body, tolerance, targets=len(body.targets))


def verify_query(request: Request) -> VerifyAtQuery:
    """GET /verify's 3D query, validated as FastAPI validates a query model."""
    given = dict(request.query_params)
    mixed = [name for name in VERIFY_2D_ONLY if name in given]
    if mixed:
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": f"the 3D form (with azimuth) does not take {name}: give the target "
                    "as target_x, target_y, target_z (m) and the wind as wind_x, wind_y (m/s)",
                    "input": given[name],
                }
                for name in mixed
            ]
        )
    try:
        return VerifyAtQuery.model_validate(given)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in error.errors(include_url=False)]
        ) from error


def verify_response(request: Request) -> Response:
    query = verify_query(request)
    engine, settings = engine_of(request), settings_of(request)
    answer = space_replies.verify(engine, query, settings.tolerance(query.tolerance))
    return Response(answer.model_dump_json(), media_type="application/json")


class VerifyRoute(StrictRoute):
    """GET /verify: the 3D form when a parameter only it takes is given, else FastAPI's
    handling of the 2D form, as before."""

    def get_route_handler(self) -> Handler:
        flat = super().get_route_handler()

        async def either(request: Request) -> Response:
            if VERIFY_AT.isdisjoint(request.query_params.keys()):
                return await flat(request)
            refuse_repeated_parameters(request)
            return verify_response(request)

        return either
