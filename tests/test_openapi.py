"""The OpenAPI schema: every endpoint has examples, every number states its unit."""

from __future__ import annotations

import math
import re
from typing import Any

import httpx

from app.config import Settings
from tests.conftest import serving

UNIT = re.compile(r"metres|\(m\)|m/s|radians|\(rad\)|seconds|\(s\)|degrees|1/m")


def test_every_endpoint_has_examples(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    aim = schema["paths"]["/aim"]["post"]
    assert len(aim["requestBody"]["content"]["application/json"]["examples"]) >= 3
    assert components["AimResponse"]["examples"]
    assert aim["responses"]["422"]["content"]["application/json"]["example"]["max_range"] > 10
    verify = schema["paths"]["/verify"]["get"]
    assert all(parameter["schema"]["examples"] for parameter in verify["parameters"])
    assert components["VerifyResponse"]["examples"]
    assert verify["responses"]["422"]["content"]["application/json"]["example"]["detail"]
    batch = schema["paths"]["/aim/batch"]["post"]
    assert len(batch["requestBody"]["content"]["application/json"]["examples"]) >= 2
    assert batch["responses"]["422"]["content"]["application/json"]["example"]["max_batch"]
    assert batch["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AimBatchResponse"
    }


def number_fields(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, description) of every numeric field in the request and response models."""
    found = []
    models = [
        schema["components"]["schemas"][name]
        for name in (
            "AimRequest",
            "AimBatchRequest",
            "AimResponse",
            "BatchSolution",
            "BatchUnreachable",
            "VerifyResponse",
        )
    ]
    for model in models:
        for name, field in model["properties"].items():
            types = {field.get("type")} | {option.get("type") for option in field.get("anyOf", [])}
            if types & {"number", "integer"}:
                found.append((name, field.get("description", "")))
    for parameter in schema["paths"]["/verify"]["get"]["parameters"]:
        found.append((parameter["name"], parameter.get("description", "")))
    return found


def test_every_number_states_its_unit(client: httpx.Client) -> None:
    fields = number_fields(client.get("/openapi.json").json())
    assert len(fields) >= 30
    for name, description in fields:
        if name == "iterations":
            continue  # a count
        assert UNIT.search(description), f"{name}: {description!r} names no unit"


def test_status_codes_are_documented_where_they_happen(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    anywhere = {"200", "408", "413", "431", "503"}  # the server's and the middleware's
    aiming = anywhere | {"401", "422", "429"}
    for path in ("/aim", "/aim/batch"):
        assert set(paths[path]["post"]["responses"]) == aiming | {"400", "504"}
    for path in ("/verify", "/trajectory", "/loss-surface"):  # inline or no time budget
        assert set(paths[path]["get"]["responses"]) == aiming
    for path in ("/healthz", "/readyz", "/metrics", "/model", "/model/air", "/model/space"):
        assert set(paths[path]["get"]["responses"]) == anywhere | (
            {"503"} if "z" in path else set()
        )
    # Any path answers 413 for a body past the limit, a GET too, and says why in `detail`.
    too_large = client.request("GET", "/verify", content=b"0" * (Settings().max_body_bytes + 1))
    assert too_large.status_code == 413 and "larger than the limit" in too_large.json()["detail"]


def test_operations_and_request_bodies_are_named(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    ids = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    assert ids == {
        "aim",
        "aim_batch",
        "verify",
        "healthz",
        "readyz",
        "metrics",
        "model",
        "air_model",
        "space_model",
        "trajectory",
        "loss_surface",
        "calibrate",
    }
    for path, name in (
        ("/aim", "AimRequest"),
        ("/aim/batch", "AimBatchRequest"),
        ("/calibrate", "CalibrateRequest"),
    ):
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": f"#/components/schemas/{name}"}
        assert schema["components"]["schemas"][name]["additionalProperties"] is False


def number_of(schema: dict[str, Any]) -> dict[str, Any]:
    """The number branch of an optional number's schema (or the schema itself)."""
    options = schema.get("anyOf", [schema])
    return next(option for option in options if option.get("type") == "number")


def test_the_schema_states_the_limits_the_service_enforces() -> None:
    """With settings other than the defaults (a 400 m/s gun, batches of 5): the schema's
    bounds, read from it, are where the service's answers turn from 200 to 422."""
    settings = Settings(max_velocity=400.0, max_batch=5)
    with serving(settings) as url, httpx.Client(base_url=url, timeout=30) as http:
        schema = http.get("/openapi.json").json()
        verify = {p["name"]: p["schema"] for p in schema["paths"]["/verify"]["get"]["parameters"]}
        trajectory = schema["paths"]["/trajectory"]["get"]["parameters"]
        aim = schema["components"]["schemas"]["AimRequest"]["properties"]
        batch = schema["components"]["schemas"]["AimBatchRequest"]["properties"]
        top = verify["velocity"]["maximum"]
        assert top == settings.max_velocity == 400.0
        assert {p["name"]: p["schema"] for p in trajectory}["velocity"]["maximum"] == top
        assert number_of(aim["velocity"])["maximum"] == top
        assert number_of(batch["velocity"])["maximum"] == top
        steepest = verify["angle"]["exclusiveMaximum"]
        assert number_of(aim["angle"])["exclusiveMaximum"] == steepest == settings.max_angle
        drag = verify["drag"]["maximum"]

        def status(**query: float) -> int:
            shot = {"angle": 0.7, "velocity": 300.0, "distance": 1000.0} | query
            return http.get("/verify", params=shot).status_code

        assert status(velocity=top) == 200
        assert status(velocity=math.nextafter(top, math.inf)) == 422
        assert status(angle=math.nextafter(steepest, 0)) == 200
        assert status(angle=steepest) == 422
        slow = {"velocity": 8.0, "distance": 5.0}  # drag's bound, on a shot that lands
        assert status(drag=drag, **slow) == 200
        assert status(drag=math.nextafter(drag, math.inf), **slow) == 422

        def aimed(body: dict[str, Any]) -> httpx.Response:
            return http.post("/aim", json={"distance": 1000.0} | body)

        assert aimed({"velocity": top}).status_code == 200
        beyond = aimed({"velocity": math.nextafter(top, math.inf)})
        assert beyond.status_code == 422
        assert beyond.json()["detail"][0]["type"] == "outside_cannon_limits"
        drag = aim["drag"]["maximum"]  # the air model's envelope at this cannon's scale
        assert drag < verify["drag"]["maximum"] and batch["drag"]["maximum"] == drag
        assert "outside_envelope" not in aimed({"drag": drag}).text
        outside = aimed({"drag": math.nextafter(drag, math.inf)}).json()
        assert outside["detail"][0]["type"] == "outside_envelope"
        most = batch["distances"]["maxItems"]
        assert most == settings.max_batch == 5
        assert http.post("/aim/batch", json={"distances": [1000.0] * most}).status_code == 200
        over = http.post("/aim/batch", json={"distances": [1000.0] * (most + 1)})
        assert over.status_code == 422 and over.json()["max_batch"] == most


def test_the_api_key_is_declared_when_configured(client: httpx.Client) -> None:
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    assert "securitySchemes" not in client.get("/openapi.json").json().get("components", {})
    with TestClient(create_app(Settings(api_key="k"))) as keyed:
        schema = keyed.get("/openapi.json").json()
    assert set(schema["components"]["securitySchemes"]) == {"ApiKey", "Bearer"}
    assert schema["paths"]["/aim"]["post"]["security"] == [{"ApiKey": []}, {"Bearer": []}]
    assert "security" not in schema["paths"]["/healthz"]["get"]
