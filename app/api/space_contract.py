"""The 3D form (issue 13) in the served schema, beside the 2D form it extends.

POST /aim and /aim/batch take one documented body each, AimRequest and AimAtBatchRequest's
sibling AimBatchRequest, holding both forms: the 2D fields (a `distance`, `target_height`, a
number `wind`) and the 3D ones (a `target`, its motion, a wind vector), with `anyOf` saying
which go together: exactly one of `distance` and `target`, and the fields of the other form
left out. The request models stay two (app/api/schemas.py, app/api/space_schemas.py), so a
2D request is parsed and refused exactly as before. GET /verify lists the 3D form's
parameters beside the 2D form's; `distance` is then needed only without `azimuth`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.api.space_routes import VERIFY_2D_ONLY, VERIFY_AT
from app.api.space_schemas import AimAtBatchRequest, AimAtRequest, VerifyAtQuery

Schema = dict[str, Any]
MOVING = ("target_velocity", "target_acceleration", "intercept")  # the 3D form's own
FORMS: dict[
    str, tuple[type[BaseModel], str, str]
] = {  # served body: (the 3D model, the 2D form's key, the 3D form's key)
    "AimRequest": (AimAtRequest, "distance", "target"),
    "AimBatchRequest": (AimAtBatchRequest, "distances", "targets"),
}


def merge_forms(components: Schema, max_batch: int) -> None:
    """Each body with the 3D form's fields beside the 2D form's, and which go together.
    After contract.state_constraint, whose `not` (velocity and angle) it keeps."""
    for name, (model, line, point) in FORMS.items():
        body, space = components[name], model.model_json_schema(ref_template=REF)
        components.update(space.pop("$defs", {}))
        properties = body["properties"]
        properties[line]["description"] += f" The 2D form: give `{line}` or `{point}`, not both."
        properties["target_height"]["description"] += " The 2D form only (`target` has its z)."
        for field in (point, *MOVING, "wind"):
            properties[field] = space["properties"][field]
        # No default stated for `intercept`: a generated client would send it with every
        # body, a 2D one too, which takes no `intercept` (the service's default applies).
        properties["intercept"].pop("default", None)
        properties["target_height"].pop("default", None)  # so too the 2D form's own field
        body["required"] = [k for k in body.get("required", []) if k != line]
        # Stated with `not` alone, which client generators leave aside (an anyOf would make
        # the body a union of nameless types): exactly one form, its own fields only.
        body["not"] = {
            "anyOf": [
                *([body["not"]] if "not" in body else []),
                {"not": {"anyOf": [{"required": [line]}, {"required": [point]}]}},
                *({"required": [line, field]} for field in (point, *MOVING)),
                {"required": [line, "wind"], "properties": {"wind": {"type": "object"}}},
                {"required": [point, "target_height"]},
            ]
        }
        body.setdefault("examples", []).extend(space.get("examples", []))
    components["AimBatchRequest"]["properties"]["targets"]["maxItems"] = max_batch


REF = "#/components/schemas/{model}"


def verify_parameters(operation: Schema) -> None:
    """GET /verify's 3D parameters beside the 2D ones; `distance` needed without azimuth."""
    space = VerifyAtQuery.model_json_schema()
    parameters = operation["parameters"]
    for parameter in parameters:
        if parameter["name"] in VERIFY_2D_ONLY:  # refused in the 3D form: no default sent
            parameter["schema"].pop("default", None)
        if parameter["name"] == "distance":
            parameter["required"] = False
            parameter["description"] = parameter["schema"]["description"] = (
                "Target distance in metres (m); required in the 2D form (without azimuth), "
                "refused in the 3D form."
            )
    for name, field in space["properties"].items():
        if name not in VERIFY_AT:
            continue
        field.pop("title", None)
        # Defaults in words only: a generated client sends a stated default with every call,
        # and any of these asks for the 3D form.
        field.pop("default", None)
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": field,
                "description": field["description"],
            }
        )
