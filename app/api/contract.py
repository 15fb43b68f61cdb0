"""The OpenAPI schema as the whole contract: what FastAPI writes, finished with what only the
settings and the middleware know.

FastAPI builds the schema from the routes' models, whose bounds are fixed when the module is
imported. The cannon's limits come from the settings (CANNON_MAX_VELOCITY, ...), and the
checks that enforce them read the cannon `Settings.cannon()` makes (Cannon.can_fire,
app/api/replies.py). So the schema states the bounds of that same cannon, and the batch limit
the route enforces (`Settings.max_batch`), when it is first asked for; a service started with
CANNON_MAX_VELOCITY=400 says 400. It also names the request bodies (components AimRequest and
AimBatchRequest, so a generated client calls them that), states that a constraint fixes the
velocity or the angle, not both, lists the answers any request may get from the server and
its middleware, and declares the API key when one is configured.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.api import openapi, space_contract
from app.api.calibration_schemas import CalibrateRequest
from app.api.schemas import AimBatchRequest, AimRequest
from app.config import Settings
from app.physics.envelope import ENVELOPE
from app.physics.vacuum import Cannon

Schema = dict[str, Any]
BODIES: tuple[type[BaseModel], ...] = (AimRequest, AimBatchRequest, CalibrateRequest)
# Query parameters that are a shot's controls, wherever they appear (GET /verify, /trajectory).
SHOT_PARAMETERS = ("velocity", "angle")


def operation_id(route: APIRoute) -> str:
    """The route's function name: aim, aim_batch, verify, ... (FastAPI's default appends the
    path and method: aim_aim_post)."""
    return route.name


def install(app: FastAPI, settings: Settings, guarded: Iterable[str] | None = None) -> None:
    """Serve the finished schema at /openapi.json (built once, on first request). `guarded`:
    the paths that need the API key, when one is configured."""
    generate = app.openapi
    finished: Schema = {}

    def schema() -> Schema:
        if not finished:
            finished.update(finish(generate(), settings, guarded))
        return finished

    app.openapi = schema  # type: ignore[method-assign]


def finish(schema: Schema, settings: Settings, guarded: Iterable[str] | None) -> Schema:
    """`schema` (FastAPI's) with the named bodies, the limits, every status and the key."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in BODIES:
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components[model.__name__] = body
    cannon = settings.cannon()
    for name in ("AimRequest", "AimBatchRequest"):
        state_constraint(components[name], cannon)
        state_drag(components[name], cannon)
    space_contract.merge_forms(components, settings.max_batch)  # the 3D form beside the 2D
    space_contract.verify_parameters(schema["paths"]["/verify"]["get"])
    components["AimBatchRequest"]["properties"]["distances"]["maxItems"] = settings.max_batch
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in SHOT_PARAMETERS:
                    state_shot(parameter["name"], parameter["schema"], cannon)
            for status, answer in openapi.ANY_REQUEST.items():
                operation["responses"].setdefault(str(status), answer)
    if guarded is not None:
        document_api_key(schema, guarded)
    return schema


def state_shot(name: str, field: Schema, cannon: Cannon) -> None:
    """A velocity's or an angle's bounds: those of Cannon.can_fire, [min velocity, max
    velocity] m/s and (min angle, max angle) rad, kept to the models' own where those are
    tighter (angle > 0)."""
    if name == "velocity":
        field["minimum"] = cannon.min_velocity
        field["maximum"] = cannon.max_velocity
    else:
        field["exclusiveMinimum"] = max(
            field.get("exclusiveMinimum", cannon.min_angle), cannon.min_angle
        )
        field["exclusiveMaximum"] = cannon.max_angle


def state_constraint(body: Schema, cannon: Cannon) -> None:
    """A request body's fixed velocity or angle: the cannon's bounds on the number (the null
    stays allowed), and at most one of the two given as a number."""
    for name in SHOT_PARAMETERS:
        for option in body["properties"][name].get("anyOf", []):
            if option.get("type") == "number":
                state_shot(name, option, cannon)
    body["not"] = {
        "required": list(SHOT_PARAMETERS),
        "properties": {name: {"type": "number"} for name in SHOT_PARAMETERS},
    }


def state_drag(body: Schema, cannon: Cannon) -> None:
    """A body's drag (1/m): at most the air model's envelope for this cannon, when that is
    tighter than the request models' bound (the default cannon's, app/api/conditions.py):
    /aim holds any drag above 0 to it (Engine.outside, with its rounding slack), so a 400 m/s
    gun takes at most 1.25e-4 /m. The other conditions' envelope binds only through air (a
    still, flat, free shot never meets it), so their schema bounds stay the models'."""
    low, high = ENVELOPE.at(cannon).drag  # Engine.envelope
    highest = high + 1e-9 * (high - low)  # as Engine.outside accepts it
    drag = body["properties"]["drag"]
    drag["maximum"] = min(drag["maximum"], highest)


def document_api_key(schema: Schema, paths: Iterable[str]) -> None:
    """Declare the API key, so /docs offers to send it ("Authorize")."""
    schemes = schema["components"].setdefault("securitySchemes", {})
    schemes["ApiKey"] = {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    schemes["Bearer"] = {"type": "http", "scheme": "bearer"}
    for path in paths:
        for operation in schema["paths"].get(path, {}).values():
            operation["security"] = [{"ApiKey": []}, {"Bearer": []}]
