"""GET /verify through real HTTP against uvicorn."""

from __future__ import annotations

import math

import httpx
import pytest

from tests.conftest import GRAVITY, closed_form_landing


@pytest.mark.parametrize(
    "angle, velocity", [(0.1, 0.5), (math.pi / 4, 10.0), (1.2, 7.7), (1e-5, 3.0)]
)
def test_verify_agrees_with_closed_forms(
    client: httpx.Client, angle: float, velocity: float
) -> None:
    response = client.get(
        "/verify", params={"angle": angle, "velocity": velocity, "distance": 4.0, "tolerance": 0.01}
    )
    assert response.status_code == 200
    body = response.json()
    landing = closed_form_landing(velocity, angle)
    assert body["landing_distance"] == pytest.approx(landing, rel=1e-9)
    assert body["flight_time"] == pytest.approx(2 * velocity * math.sin(angle) / GRAVITY, rel=1e-9)
    assert body["apex_height"] == pytest.approx(
        (velocity * math.sin(angle)) ** 2 / (2 * GRAVITY), rel=1e-9
    )
    assert body["miss"] == pytest.approx(abs(landing - 4.0), rel=1e-9)
    assert body["hit"] is (body["miss"] <= 0.01)
    assert (body["angle"], body["velocity"], body["distance"], body["tolerance"]) == (
        angle,
        velocity,
        4.0,
        0.01,
    )


def test_verify_confirms_an_aimed_shot(client: httpx.Client) -> None:
    shot = client.post("/aim", json={"distance": 6.2, "tolerance": 1e-6}).json()
    response = client.get(
        "/verify",
        params={
            "angle": shot["angle"],
            "velocity": shot["velocity"],
            "distance": 6.2,
            "tolerance": 1e-6,
        },
    )
    assert response.status_code == 200
    assert response.json()["hit"] is True
    assert response.json()["landing_distance"] == pytest.approx(shot["landing_distance"], rel=1e-12)


def test_verify_default_tolerance(client: httpx.Client) -> None:
    response = client.get("/verify", params={"angle": 0.7, "velocity": 8.0, "distance": 6.0})
    assert response.status_code == 200
    assert response.json()["tolerance"] == 0.05


@pytest.mark.parametrize(
    "params",
    [
        {"angle": 0.7, "velocity": 10.000001, "distance": 1},
        {"angle": math.pi / 2, "velocity": 5, "distance": 1},
        {"angle": 2.0, "velocity": 5, "distance": 1},
    ],
)
def test_verify_refuses_shots_outside_the_cannons_limits(
    client: httpx.Client, params: dict[str, float]
) -> None:
    response = client.get("/verify", params=params)
    assert response.status_code == 422
    assert "m/s" in response.json()["detail"][0]["msg"]
