"""Examples and error entries for the OpenAPI schema, kept out of the routes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.api.schemas import Problem, ValidationErrorResponse


def problem(description: str) -> dict[str, Any]:
    """An error answer: a Problem, `{"detail": ...}`."""
    return {"model": Problem, "description": description}


def added_problem(description: str) -> dict[str, Any]:
    """An error answer added to the finished schema, where `model` is no longer read."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# The answers any request may get, from the server and the middleware before a route runs
# (app/api/server.py, app/api/intake.py, app/api/lifecycle.py); each has a JSON `detail`.
# Added to every operation (app/api/contract.py). A malformed HTTP request gets a 400 from
# the server before it names any operation; a client that leaves is logged as 499 and sent
# nothing; neither is an answer an operation gives.
ANY_REQUEST: dict[int | str, dict[str, Any]] = {
    408: added_problem(
        "The request's headers and body did not all arrive within CANNON_READ_TIMEOUT (s)."
    ),
    413: added_problem("A body larger than CANNON_MAX_BODY_BYTES (bytes), on any path."),
    431: added_problem("Request headers larger than CANNON_MAX_HEADER_BYTES (bytes)."),
    503: added_problem(
        "The server shut down before the answer was ready; retry after Retry-After (s)."
    ),
}
# The answers every aiming endpoint may give besides its own (app/api/guard.py AIMING).
GUARDED: dict[int | str, dict[str, Any]] = {
    401: problem("Missing or wrong API key (when CANNON_API_KEY is set)."),
    429: problem(
        "Busy: CANNON_MAX_CONCURRENT aiming requests already in flight, or work through "
        "air that could not end within CANNON_REQUEST_TIMEOUT (s) behind the work queued "
        "(CANNON_WORKERS at a time); retry after Retry-After (s)."
    ),
    503: problem(
        "`model_not_ready`: the model failed its startup self-check and the operator keeps "
        "the process up (CANNON_ON_FAILED_SELF_CHECK=unavailable); or the server shut down "
        "before the answer was ready."
    ),
}
# ...and those that read a body and work in the threadpool, within the time budget.
WITH_BODY: dict[int | str, dict[str, Any]] = GUARDED | {
    400: problem("A body that cannot be parsed at all (not UTF-8, nesting too deep, ...)."),
    413: problem("Body larger than CANNON_MAX_BODY_BYTES (bytes)."),
    504: problem("`timeout`: the work ran over CANNON_REQUEST_TIMEOUT (s)."),
}


def json_body(model: type[BaseModel], examples: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI request body for a route that parses `model` itself (app.api.strict.parse_json):
    a reference to the model by name, which app/api/contract.py puts in the components."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
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
    "Invalid body (`detail` says where); or, for a body the schema allows: a target out of "
    "reach in this air and under this constraint (`unreachable_target`, with `max_range` and, "
    "when there is one, `min_range`, in metres; for a `target`, horizontal distances toward "
    "its bearing, and a target at horizontal distance 0 m, which has none), a target height more than the envelope's "
    "height difference (m) from the launch height, air outside what the air model covers for "
    "this cannon (`outside_envelope`), or refinement that did not converge "
    "(`did_not_converge`, with `miss` in metres).",
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
    "Invalid body, or more distances than the batch limit (then `max_batch` is given too); "
    "or, for a body the schema allows: a target height more than the envelope's height "
    "difference (m) from the launch height, or air outside what the air model covers for this "
    "cannon (`outside_envelope`). A target out of reach is answered in its place (200).",
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
    "Invalid query (`detail` says where), a shot outside the cannon's limits "
    "(`outside_cannon_limits`), a target height more than the envelope's height difference "
    "(m) from the launch height, or a shot that never comes down at the target's height "
    "through this air (`never_lands`). With `azimuth` (the 3D form): target_x and target_y "
    "missing, or distance, target_height or wind given (the 2D form's).",
    {
        "detail": [
            {
                "type": "outside_cannon_limits",
                "loc": ["query"],
                "msg": "the cannon fires velocities in [1e-05, 10] m/s and angles in (0, 1.570796327) rad; got 12.0 m/s at 0.7 rad",
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
    "3D, moving": {
        "summary": "A target at (4, 2, 0.5) m moving at 1.5 m/s along y, through a crosswind",
        "value": {
            "target": {"x": 4.0, "y": 2.0, "z": 0.5},
            "target_velocity": {"y": 1.5},
            "wind": {"x": 0.0, "y": -2.0},
            "drag": 0.05,
        },
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
    "3D": {
        "summary": "Targets in 3D sharing one scene; one beyond reach, answered in its place",
        "value": {
            "targets": [
                {"x": 4.0, "y": 2.0},
                {"x": -2.0, "y": 4.0, "z": 1.0},
                {"x": 40.0, "y": 0.0},
            ]
        },
    },
}
