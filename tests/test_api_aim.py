"""POST /aim through real HTTP against uvicorn."""

from __future__ import annotations

import math

import httpx
import pytest

from app.api.schemas import AimResponse
from app.model.store import DEFAULT_WEIGHTS, sha256_of
from tests.conftest import GRAVITY, closed_form_landing

FIELDS = {
    "distance",
    "angle",
    "angle_degrees",
    "velocity",
    "landing_distance",
    "miss",
    "tolerance",
    "hit",
    "flight_time",
    "apex_height",
    "refined",
    "iterations",
    "model_version",
}


def test_aim_defaults(client: httpx.Client) -> None:
    response = client.post("/aim", json={"distance": 7.5})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FIELDS
    assert body["tolerance"] == 0.05 and body["hit"] is True
    assert body["miss"] <= 0.05 and body["distance"] == 7.5
    assert body["angle_degrees"] == pytest.approx(math.degrees(body["angle"]))
    assert body["model_version"] == sha256_of(DEFAULT_WEIGHTS)[:12]
    AimResponse.model_validate_json(response.content)  # written by hand: hold it to the model


@pytest.mark.parametrize("distance", [1e-9, 0.001, 0.5, 3.0, 7.25, 10.0, 100 / GRAVITY])
def test_aim_hits_at_the_tightest_tolerance(client: httpx.Client, distance: float) -> None:
    response = client.post("/aim", json={"distance": distance, "tolerance": 1e-6})
    assert response.status_code == 200
    body = response.json()
    assert body["hit"] is True and body["iterations"] <= 10
    AimResponse.model_validate(body)
    assert abs(closed_form_landing(body["velocity"], body["angle"]) - distance) <= 1e-6
    assert body["landing_distance"] == pytest.approx(
        closed_form_landing(body["velocity"], body["angle"]), rel=1e-12, abs=1e-15
    )


def test_aim_accepts_integers_as_numbers(client: httpx.Client) -> None:
    response = client.post("/aim", json={"distance": 5, "tolerance": 1})
    assert response.status_code == 200
    assert response.json()["distance"] == 5.0


def test_refine_false_reports_the_proposal_honestly(client: httpx.Client) -> None:
    response = client.post("/aim", json={"distance": 4.0, "tolerance": 1e-6, "refine": False})
    assert response.status_code == 200
    body = response.json()
    assert body["refined"] is False and body["iterations"] == 0
    assert body["miss"] == pytest.approx(
        abs(closed_form_landing(body["velocity"], body["angle"]) - 4.0), abs=1e-12
    )
    assert body["hit"] is (body["miss"] <= 1e-6)


@pytest.mark.parametrize("distance", [10.2, 11, 1e300])
def test_unreachable_target_reports_max_range(client: httpx.Client, distance: float) -> None:
    response = client.post("/aim", json={"distance": distance})
    assert response.status_code == 422
    body = response.json()
    assert body["max_range"] == pytest.approx(100 / GRAVITY)
    assert body["detail"][0]["loc"] == ["body", "distance"]
    assert "10.19" in body["detail"][0]["msg"]


def test_null_optional_fields_take_their_defaults(client: httpx.Client) -> None:
    response = client.post("/aim", json={"distance": 5.0, "tolerance": None, "refine": None})
    assert response.status_code == 200
    body = response.json()
    assert body["tolerance"] == 0.05 and body["hit"] is True
    tight = client.post("/aim", json={"distance": 5.0, "tolerance": 1e-6, "refine": None}).json()
    assert tight["refined"] is True and tight["miss"] <= 1e-6
