"""Stricter request parsing than FastAPI's default, for every route of the API.

- A JSON object with the same key twice is refused. Python's json keeps the last value, so
  `{"distance": "x", "distance": 8}` would otherwise pass as 8.
- A query parameter given twice is refused. `?angle=0.5&angle=0.6` would otherwise pass as 0.6.

The POST routes are `DirectRoute`s: their endpoints read the body with `read_body` and
`parse_json`, which validate it as FastAPI does a body parameter, with the same errors,
because FastAPI's own machinery cost more than the aiming (benchmarks/speed.py). GET routes
are `StrictRoute`s, FastAPI's handling plus the query check.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

import msgspec
from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

Model = TypeVar("Model", bound=BaseModel)


class RepeatedKeyError(ValueError):
    pass


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json object_pairs_hook that refuses repeated keys."""
    seen = dict(pairs)
    if len(seen) != len(pairs):
        repeated = sorted(
            key for key, count in Counter(key for key, _ in pairs).items() if count > 1
        )
        raise RepeatedKeyError(f"repeated key(s) in a JSON object: {', '.join(repeated)}")
    return seen


def loads_for(body: bytes, keys: Iterable[str]) -> Any:
    """JSON for a flat model with these keys, refusing repeated keys, fast where it can.

    msgspec parses 10,000 numbers in about 0.8 ms against 3-5 ms for Python's json with the
    repeated-key check, but keeps the last of two repeated keys. It is used only where a
    repeat cannot matter: the body has no backslash (so no key is spelled with escapes) and
    none of the model's keys occurs twice. That holds for flat models without aliases, which
    all request models here are; a repeated unknown key is still refused, as an unknown
    field. Anything else, and any body msgspec cannot parse, goes to `strict_loads`, which
    names the error as FastAPI would.
    """
    if b"\\" not in body and all(body.count(b'"%s"' % key.encode()) <= 1 for key in keys):
        try:
            return msgspec.json.decode(body)
        except (msgspec.DecodeError, ValueError):  # ValueError: bad UTF-8, huge integers
            pass
    return strict_loads(body)


def strict_loads(body: bytes) -> Any:
    """json.loads that refuses repeated keys, raising them as a JSONDecodeError."""
    try:
        return json.loads(body, object_pairs_hook=unique_keys)
    except RepeatedKeyError as error:
        # Raised as a decode error, FastAPI reports it as a 422 json_invalid.
        raise json.JSONDecodeError(str(error), body.decode(errors="replace"), 0) from error


def refuse_repeated_parameters(request: Request) -> None:
    if not request.scope["query_string"]:  # the common case: parsing nothing costs a few µs
        return
    counts = Counter(key for key, _ in request.query_params.multi_items())
    repeated = [key for key, count in counts.items() if count > 1]
    if repeated:
        raise RequestValidationError(
            [
                {
                    "type": "repeated_parameter",
                    "loc": ("query", key),
                    "msg": f"query parameter {key!r} given {counts[key]} times; give it once",
                    "input": request.query_params.getlist(key),
                }
                for key in repeated
            ]
        )


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class StrictRoute(APIRoute):
    """FastAPI's handling, refusing repeated query parameters."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            refuse_repeated_parameters(request)
            return await handler(request)

        return strict_handler


class DirectRoute(APIRoute):
    """A route whose endpoint takes the Request and returns a Response itself.

    FastAPI's dependency solver and response handling then do not run: for POST /aim they
    cost more than the aiming. The route still documents its models (`response_model`,
    `openapi_extra`) in the OpenAPI schema, and refuses repeated query parameters.
    """

    def get_route_handler(self) -> Handler:
        endpoint: Handler = self.endpoint

        async def direct_handler(request: Request) -> Response:
            refuse_repeated_parameters(request)
            return await endpoint(request)

        return direct_handler


async def read_body(request: Request) -> tuple[bytes, str]:
    """The raw body and its media type, e.g. 'application/json'."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return await request.body(), media_type


def parse_json(raw: bytes, media_type: str, model: type[Model]) -> Model:
    """The body validated as a flat `model`; errors as FastAPI reports a body parameter's."""
    return validated(decoded(raw, media_type, model.model_fields), model)


def decoded(raw: bytes, media_type: str, keys: Iterable[str] | None = None) -> Any:
    """The body as JSON when it is sent as JSON (else the raw bytes, which validation then
    says are not an object). `keys`: a flat model's, to decode fast where a repeat cannot
    hide (`loads_for`); None: any nesting, every object's keys checked (`strict_loads`)."""
    if not raw:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    main, _, sub = media_type.partition("/")
    if not (main == "application" and (sub == "json" or sub.endswith("+json"))):
        return raw
    try:
        return strict_loads(raw) if keys is None else loads_for(raw, keys)
    except json.JSONDecodeError as error:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", error.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": error.msg},
                }
            ]
        ) from error
    except (ValueError, RecursionError) as error:  # not UTF-8, huge integers, deep nesting
        raise HTTPException(400, "There was an error parsing the body") from error


def validated(data: Any, model: type[Model]) -> Model:
    """`data` validated as `model`, as FastAPI validates a body parameter."""
    try:
        return model.model_validate(data, from_attributes=True)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from error
