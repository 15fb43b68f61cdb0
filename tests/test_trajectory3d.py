"""GET /trajectory3d, which feeds the page's 3D views (issue 13), against the real server:
the flight it serves is where an independent integration (scipy) puts the shot at every point,
its last point the reference's intercept with the moving target, the target's path its closed
form; its refusals are 422s that say why; it is guarded like /trajectory.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
import numpy as np
import pytest
from pydantic import SecretStr
from scipy.integrate import solve_ivp

from app.config import Settings
from app.physics import reference
from tests.conftest import GRAVITY, serving

# A target 4 m out and 1 m to the left, 0.5 m up, running along +y at 1.5 m/s and slowing,
# through a 3 m/s crosswind from the left (toward -y) and drag: the shot leads it and aims off.
BODY: dict[str, Any] = {
    "target": {"x": 4.0, "y": 1.0, "z": 0.5},
    "target_velocity": {"x": 0.0, "y": 1.5, "z": 0.0},
    "target_acceleration": {"x": -0.5, "y": 0.0, "z": 0.0},
    "wind": {"x": 0.0, "y": -3.0},
    "drag": 0.05,
    "launch_height": 0.3,
    "tolerance": 1e-6,
}
SCENE = {
    "target_velocity": (0.0, 1.5, 0.0),
    "target_acceleration": (-0.5, 0.0, 0.0),
    "wind": (0.0, -3.0),
    "drag": 0.05,
    "launch_height": 0.3,
    "gravity": GRAVITY,
}


def flight_query(shot: dict[str, Any], points: int = 50, **more: Any) -> dict[str, Any]:
    return {
        "angle": shot["angle"],
        "velocity": shot["velocity"],
        "azimuth": shot["azimuth"],
        "target_x": 4.0,
        "target_y": 1.0,
        "target_z": 0.5,
        "target_velocity_y": 1.5,
        "target_acceleration_x": -0.5,
        "wind_y": -3.0,
        "drag": 0.05,
        "launch_height": 0.3,
        "tolerance": 1e-6,
        "points": points,
        **more,
    }


def landed(shot: dict[str, Any]) -> reference.Intercept:
    """The shot flown by the reference (scipy DOP853 at 1e-12) to where it meets the target."""
    return reference.intercept(
        shot["velocity"], shot["angle"], shot["azimuth"], (4.0, 1.0, 0.5), **SCENE
    )


@pytest.fixture(scope="module")
def shot(client: httpx.Client) -> dict[str, Any]:
    answer: dict[str, Any] = client.post("/aim", json=BODY).json()
    truth = landed(answer)
    assert answer["hit"] and truth.miss <= 1e-6, (answer, truth)
    return answer


def test_the_flight_is_the_references(client: httpx.Client, shot: dict[str, Any]) -> None:
    flight = client.get("/trajectory3d", params=flight_query(shot)).json()
    truth = landed(shot)
    assert flight["points"] == 50 and len(flight["x"]) == len(flight["target_z"]) == 50
    assert flight["time"][0] == 0 and flight["time"][-1] == pytest.approx(truth.time, abs=1e-9)
    assert flight["intercept_time"] == pytest.approx(shot["intercept_time"], abs=1e-9)
    assert flight["miss"] <= 1e-6 and flight["hit"]
    # Every point where an independent integration of the same equations puts the shot then.
    wx, wy, k = 0.0, -3.0, 0.05

    def slope(_: float, s: np.ndarray) -> list[float]:
        rx, ry, vz = s[3] - wx, s[4] - wy, s[5]
        pull = k * math.sqrt(rx * rx + ry * ry + vz * vz)
        return [s[3], s[4], s[5], -pull * rx, -pull * ry, -GRAVITY - pull * vz]

    c = math.cos(shot["angle"])
    start = [0.0, 0.0, 0.3, shot["velocity"] * c * math.cos(shot["azimuth"])]
    start += [
        shot["velocity"] * c * math.sin(shot["azimuth"]),
        shot["velocity"] * math.sin(shot["angle"]),
    ]
    times = np.array(flight["time"])
    solved = solve_ivp(
        slope, (0, times[-1]), start, t_eval=times, rtol=1e-12, atol=1e-12, method="DOP853"
    )
    drawn = np.array([flight["x"], flight["y"], flight["z"]])
    assert np.abs(drawn - solved.y[:3]).max() < 1e-8
    # Its last point is the reference's intercept, the target's path its closed form.
    assert np.abs(drawn[:, -1] - np.array(truth.point)).max() < 1e-8
    t = times
    assert np.allclose(flight["target_x"], 4.0 - 0.25 * t * t, atol=1e-12)
    assert np.allclose(flight["target_y"], 1.0 + 1.5 * t, atol=1e-12)
    assert np.allclose(flight["target_z"], 0.5, atol=1e-12)
    assert max(flight["z"]) == pytest.approx(truth.apex_height, abs=1e-3)
    assert flight["apex_height"] == pytest.approx(truth.apex_height, abs=1e-9)


@pytest.mark.parametrize(
    "change, kind",
    [
        ({"velocity": 12.0}, "outside_cannon_limits"),
        ({"wind_y": -7.0}, "outside_envelope"),
        ({"angle": 0.05, "target_z": 3.0}, "never_lands"),
        ({"points": 1}, "greater_than_equal"),
        ({"points": 1001}, "less_than_equal"),
        ({"drag": "nan"}, "finite_number"),
        ({"colour": "red"}, "extra_forbidden"),
    ],
)
def test_the_flight_refuses_with_a_422_that_says_why(
    client: httpx.Client, shot: dict[str, Any], change: dict[str, Any], kind: str
) -> None:
    answer = client.get("/trajectory3d", params=flight_query(shot, **change))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail[0]["type"] == kind and detail[0]["msg"], detail


def test_the_flight_is_guarded_like_trajectory_and_the_scripts_are_served_here(
    shot: dict[str, Any],
) -> None:
    with serving(Settings(api_key=SecretStr("secret"))) as url, httpx.Client(base_url=url) as http:
        params = flight_query(shot, points=3)
        refused = http.get("/trajectory3d", params=params)
        assert refused.status_code == 401 and "API key" in refused.json()["detail"]
        keyed = http.get("/trajectory3d", params=params, headers={"X-API-Key": "secret"})
        assert keyed.status_code == 200 and len(keyed.json()["x"]) == 3
        for name in ("api.js", "space.js", "draw_space.js"):
            script = http.get(f"/web/{name}")
            assert script.status_code == 200
            assert script.headers["content-type"].startswith("text/javascript")
            assert "https://" not in script.text and "http://" not in script.text
        assert "/trajectory3d" not in http.get("/openapi.json").json()["paths"]  # the page's
