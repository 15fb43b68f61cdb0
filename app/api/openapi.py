"""Examples and error entries for the OpenAPI schema, kept out of the routes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from app.api.schemas import Problem, ValidationErrorResponse

# The answers every aiming endpoint may give besides its own; each has a JSON `detail`.
GUARDED: dict[int | str, dict[str, Any]] = {
    401: {
        "model": Problem,
        "description": "Missing or wrong API key (when CANNON_API_KEY is set).",
    },
    429: {
        "model": Problem,
        "description": (
            "Busy: CANNON_MAX_CONCURRENT aiming requests already in flight, or work through "
            "air that could not end within CANNON_REQUEST_TIMEOUT behind the work queued "
            "(CANNON_WORKERS at a time); retry after Retry-After (s)."
        ),
    },
}
# ...and those that read a body and may work in the threadpool.
WITH_BODY: dict[int | str, dict[str, Any]] = GUARDED | {
    400: {"model": Problem, "description": "A body that cannot be parsed at all."},
    413: {"model": Problem, "description": "Body larger than CANNON_MAX_BODY_BYTES."},
    504: {"model": Problem, "description": "The work ran over CANNON_REQUEST_TIMEOUT (s)."},
}


def json_body(model: type[BaseModel], examples: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI request body for a route that parses `model` itself (app.api.strict.parse_json)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema, "examples": examples}},
        }
    }


def unprocessable(description: str, example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entry for a route's 422 answer, with an example."""
    content = {"application/json": {"example": example}}
    return {422: {"model": ValidationErrorResponse, "description": description, "content": content}}


AIM_ERRORS = WITH_BODY | unprocessable(
    "Invalid body, or a target out of reach (then `max_range`, in metres, is given too).",
    {
        "detail": [
            {
                "type": "unreachable_target",
                "loc": ["body", "distance"],
                "msg": "target distance 12.0 m is out of reach: reachable targets lie in (0, 10.19367991845056] m",
            }
        ],
        "max_range": 10.19367991845056,
    },
)
BATCH_ERRORS = WITH_BODY | unprocessable(
    "Invalid body, or more distances than the batch limit (then `max_batch` is given too).",
    {
        "detail": [
            {
                "type": "too_long",
                "loc": ["body", "distances"],
                "msg": "at most 10000 distances per request, got 12000",
            }
        ],
        "max_batch": 10000,
    },
)
VERIFY_ERRORS = GUARDED | unprocessable(
    "Invalid query, or a shot outside the cannon's limits.",
    {
        "detail": [
            {
                "type": "outside_cannon_limits",
                "loc": ["query"],
                "msg": "the cannon fires velocities in (0, 10.0] m/s and angles in (0.0, 1.5707963267948966) rad; got 12.0 m/s at 0.7 rad",
            }
        ]
    },
)
AIM_EXAMPLES: dict[str, Any] = {
    "default tolerance": {"summary": "5 cm tolerance (the default)", "value": {"distance": 7.5}},
    "tight": {
        "summary": "1 micrometre, refined on the physics",
        "value": {"distance": 7.5, "tolerance": 1e-6},
    },
    "network only": {
        "summary": "The network's raw proposal, verified",
        "value": {"distance": 7.5, "refine": False},
    },
    "out of reach": {"summary": "Beyond the maximum range: 422", "value": {"distance": 12.0}},
    "through air": {
        "summary": "Drag 0.1/m, a 3 m/s headwind, from 1.5 m up to the ground",
        "value": {"distance": 5.0, "drag": 0.1, "wind": -3.0, "launch_height": 1.5},
    },
    "fixed velocity": {
        "summary": "9 m/s through drag, the high arc",
        "value": {"distance": 5.0, "drag": 0.1, "velocity": 9.0, "arc": "high"},
    },
}
BATCH_EXAMPLES: dict[str, Any] = {
    "three targets": {
        "summary": "Two reachable targets and one beyond the maximum range",
        "value": {"distances": [2.5, 7.5, 12.0]},
    },
    "tight": {
        "summary": "1 micrometre for every target",
        "value": {"distances": [0.5, 5.0, 10.0], "tolerance": 1e-6},
    },
}


def document_api_key(app: FastAPI, paths: Iterable[str]) -> None:
    """Declare the API key in the schema, so /docs offers to send it ("Authorize")."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # cached by FastAPI after the first call
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["ApiKey"] = {"type": "apiKey", "in": "header", "name": "X-API-Key"}
        schemes["Bearer"] = {"type": "http", "scheme": "bearer"}
        for path in paths:
            for operation in schema["paths"].get(path, {}).values():
                operation["security"] = [{"ApiKey": []}, {"Bearer": []}]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
