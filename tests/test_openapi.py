"""The OpenAPI schema: every endpoint has examples, every number states its unit."""

from __future__ import annotations

import re
from typing import Any

import httpx

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
    bodies = [
        schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        for path in ("/aim", "/aim/batch")
    ]
    models = bodies + [
        schema["components"]["schemas"][name]
        for name in (
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
    for path in ("/aim", "/aim/batch"):
        assert {"200", "400", "401", "413", "422", "429", "504"} <= set(
            paths[path]["post"]["responses"]
        )
    verify = set(paths["/verify"]["get"]["responses"])
    assert {"200", "401", "422", "429"} <= verify and not {"413", "504"} & verify
    assert set(paths["/readyz"]["get"]["responses"]) >= {"200", "503"}


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
