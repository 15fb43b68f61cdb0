"""GET /trajectory and GET /loss-surface through real HTTP, against closed forms written
here in plain floats (not the service's physics); their refusals, vacuum and through air.
Their answers through air: tests/test_api_shots_air.py."""

from __future__ import annotations

import math

import httpx
import numpy as np
import pytest

from app.config import Settings
from app.physics import reference
from tests.conftest import GRAVITY, closed_form_landing, serving
from tests.test_openapi import UNIT

MAX_RANGE = 10.0**2 / GRAVITY  # m: the default cannon's 45-degree shot at 10 m/s


@pytest.mark.parametrize(
    "angle, velocity, points", [(math.pi / 4, 10.0, 2), (0.3, 4.2, 7), (1.5, 9.9, 1000)]
)
def test_trajectory_follows_the_closed_form(
    client: httpx.Client, angle: float, velocity: float, points: int
) -> None:
    response = client.get(
        "/trajectory", params={"angle": angle, "velocity": velocity, "points": points}
    )
    assert response.status_code == 200
    body = response.json()
    flight = 2 * velocity * math.sin(angle) / GRAVITY  # s
    assert (body["angle"], body["velocity"], body["points"]) == (angle, velocity, points)
    assert len(body["x"]) == len(body["y"]) == points
    for i, (x, y) in enumerate(zip(body["x"], body["y"], strict=True)):
        t = flight * i / (points - 1)
        assert x == pytest.approx(velocity * math.cos(angle) * t, rel=1e-12, abs=1e-12)
        assert y == pytest.approx(velocity * math.sin(angle) * t - GRAVITY * t * t / 2, abs=1e-12)
    assert (body["x"][0], body["y"][0]) == (0.0, 0.0)
    landing = closed_form_landing(velocity, angle)
    assert body["x"][-1] == pytest.approx(landing, rel=1e-12)
    assert body["landing_distance"] == pytest.approx(landing, rel=1e-12)
    assert body["flight_time"] == pytest.approx(flight, rel=1e-12)
    apex = (velocity * math.sin(angle)) ** 2 / (2 * GRAVITY)
    assert body["apex_height"] == pytest.approx(apex, rel=1e-12)
    assert max(body["y"]) <= apex * (1 + 1e-12)


def test_trajectory_default_points_and_aimed_shot(client: httpx.Client) -> None:
    shot = client.post("/aim", json={"distance": 6.2, "tolerance": 1e-6}).json()
    response = client.get(
        "/trajectory", params={"angle": shot["angle"], "velocity": shot["velocity"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["points"] == 100 and len(body["x"]) == 100
    assert body["landing_distance"] == pytest.approx(6.2, abs=1e-6)  # the arc ends on target


@pytest.mark.parametrize(
    "distance, velocities, angles, kind",
    [(7.5, 60, 60, "squared"), (0.001, 2, 3, "absolute"), (MAX_RANGE, 200, 200, "squared")],
)
def test_loss_surface_is_the_miss_over_the_grid(
    client: httpx.Client, distance: float, velocities: int, angles: int, kind: str
) -> None:
    params = {"distance": distance, "velocities": velocities, "angles": angles, "loss": kind}
    response = client.get("/loss-surface", params=params)
    assert response.status_code == 200
    body = response.json()
    assert (body["distance"], body["loss_kind"]) == (distance, kind)
    assert body["unit"] == ("m^2" if kind == "squared" else "m")
    # Velocities evenly spaced up to 10 m/s; angles the centres of equal cells of (0, pi/2).
    assert body["velocity"] == pytest.approx(
        [10.0 * (j + 1) / velocities for j in range(velocities)]
    )
    assert body["angle"] == pytest.approx([math.pi / 2 * (i + 0.5) / angles for i in range(angles)])
    assert body["velocity"][-1] == 10.0 and 0 < body["angle"][0] < body["angle"][-1] < math.pi / 2
    assert len(body["loss"]) == angles and {len(row) for row in body["loss"]} == {velocities}
    for i, angle in enumerate(body["angle"]):
        for j, velocity in enumerate(body["velocity"]):
            miss = abs(closed_form_landing(velocity, angle) - distance)
            expected = miss**2 if kind == "squared" else miss
            assert body["loss"][i][j] == pytest.approx(expected, rel=1e-9, abs=1e-15)
    flat = [value for row in body["loss"] for value in row]
    assert (body["min_loss"], body["max_loss"]) == (min(flat), max(flat))


def test_loss_surface_defaults_and_its_minimum_near_the_aimed_shot(client: httpx.Client) -> None:
    body = client.get("/loss-surface", params={"distance": 5.0}).json()
    assert (len(body["velocity"]), len(body["angle"]), body["loss_kind"]) == (60, 60, "squared")
    shot = client.post("/aim", json={"distance": 5.0, "tolerance": 1e-6}).json()
    # The aimed shot lies in the valley the grid shows: below its best point, itself small.
    best = sorted(value for row in body["loss"] for value in row)[:5]
    assert (shot["landing_distance"] - 5.0) ** 2 <= best[0] and best[0] < 1e-2


BAD_QUERIES = [
    ("/trajectory", {"angle": "nan", "velocity": 5}, "finite_number"),
    ("/trajectory", {"angle": 0.5, "velocity": "inf"}, "finite_number"),
    ("/trajectory", {"angle": 0.5, "velocity": "fast"}, "float_parsing"),
    ("/trajectory", {"angle": 2.0, "velocity": 5}, "outside_cannon_limits"),
    ("/trajectory", {"angle": 0.5, "velocity": 10.5}, "outside_cannon_limits"),
    ("/trajectory", {"angle": 0, "velocity": 5}, "greater_than"),
    ("/trajectory", {"angle": 0.5, "velocity": -1}, "greater_than"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "points": 1}, "greater_than_equal"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "points": 1001}, "less_than_equal"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "points": 2.5}, "int_parsing"),
    ("/trajectory", {"angle": 0.5}, "missing"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "distance": 3}, "extra_forbidden"),
    ("/loss-surface", {"distance": "nan"}, "finite_number"),
    ("/loss-surface", {"distance": "-inf"}, "finite_number"),
    ("/loss-surface", {"distance": 0}, "greater_than"),
    ("/loss-surface", {"distance": 12.0}, "unreachable_target"),
    ("/loss-surface", {"distance": 5, "velocities": 201}, "less_than_equal"),
    ("/loss-surface", {"distance": 5, "angles": 10_000}, "less_than_equal"),
    ("/loss-surface", {"distance": 5, "angles": 1}, "greater_than_equal"),
    ("/loss-surface", {"distance": 5, "loss": "cubic"}, "literal_error"),
    ("/loss-surface", {}, "missing"),
    ("/loss-surface", {"distance": 5, "tolerance": 0.1}, "extra_forbidden"),
    # The air: /verify's bounds (app/api/conditions.py), and shots that never come down.
    ("/trajectory", {"angle": 0.5, "velocity": 5, "drag": "nan"}, "finite_number"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "wind": "inf"}, "finite_number"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "launch_height": "-inf"}, "finite_number"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "drag": 0.3}, "less_than_equal"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "drag": -0.01}, "greater_than_equal"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "wind": -5.5}, "greater_than_equal"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "launch_height": -1}, "greater_than_equal"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "target_height": 3.5}, "value_error"),
    ("/trajectory", {"angle": 0.5, "velocity": 5, "wind": "calm"}, "float_parsing"),
    ("/trajectory", {"angle": 0.3, "velocity": 3, "target_height": 2, "drag": 0.1}, "never_lands"),
    ("/trajectory", {"angle": 2.0, "velocity": 5, "drag": 0.1}, "outside_cannon_limits"),
    ("/loss-surface", {"distance": 5, "drag": "nan"}, "finite_number"),
    ("/loss-surface", {"distance": 5, "target_height": "inf"}, "finite_number"),
    ("/loss-surface", {"distance": 5, "wind": 6}, "less_than_equal"),
    ("/loss-surface", {"distance": 5, "launch_height": 3.5}, "less_than_equal"),
    ("/loss-surface", {"distance": 5, "launch_height": 3, "target_height": -0.5}, "value_error"),
    ("/loss-surface", {"distance": 9.0, "drag": 0.1}, "unreachable_target"),
]


@pytest.mark.parametrize("path, params, kind", BAD_QUERIES)
def test_bad_queries_get_422_with_a_detail(
    client: httpx.Client, path: str, params: dict[str, object], kind: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    assert kind in {item["type"] for item in detail}, detail
    assert all(item["msg"] for item in detail)


def test_unreachable_surface_says_how_far_the_cannon_reaches(client: httpx.Client) -> None:
    body = client.get("/loss-surface", params={"distance": 12.0}).json()
    assert body["max_range"] == pytest.approx(MAX_RANGE, rel=1e-12)
    assert body["detail"][0]["loc"] == ["query", "distance"]
    # Through air, the range in that air: no 10 m/s shot at all flies as far as 9 m with
    # this drag (the reference's best over a fine sweep of angles stays inside max_range).
    air = client.get("/loss-surface", params={"distance": 9.0, "drag": 0.1, "wind": -2}).json()
    farthest = max(
        reference.landing(10.0, a, 0.0, 0.0, -2.0, 0.1, GRAVITY).distance
        for a in np.linspace(0.05, 1.5, 59)
    )
    assert farthest <= air["max_range"] < 9.0 and "in this air" in air["detail"][0]["msg"]
    assert farthest == pytest.approx(air["max_range"], rel=1e-3)


@pytest.mark.parametrize(
    "path, query",
    [
        ("/trajectory", "angle=0.5&angle=0.6&velocity=5"),
        ("/loss-surface", "distance=5&distance=6"),
        ("/loss-surface", "distance=5&velocities=10&velocities=20"),
    ],
)
def test_repeated_parameters_are_refused(client: httpx.Client, path: str, query: str) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "repeated_parameter"


def test_the_largest_grid_is_answered(client: httpx.Client) -> None:
    response = client.get("/loss-surface", params={"distance": 3, "velocities": 200, "angles": 200})
    assert response.status_code == 200
    assert len(response.json()["loss"]) == 200


def test_guarded_like_verify_while_the_page_stays_open() -> None:
    """Like /verify they need the key when one is set (app/api/guard.py AIMING); the page
    itself needs none."""
    with serving(Settings(api_key="secret")) as url, httpx.Client(base_url=url) as http:
        for path, params in (
            ("/trajectory", {"angle": 0.7, "velocity": 7}),
            ("/loss-surface", {"distance": 5.0}),
        ):
            assert http.get(path, params=params).status_code == 401
            keyed = http.get(path, params=params, headers={"X-API-Key": "secret"})
            assert keyed.status_code == 200
        assert http.get("/").status_code == 200 and http.get("/web/page.js").status_code == 200


def test_schema_states_units_and_examples(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    found = []
    for path, model in (
        ("/trajectory", "TrajectoryResponse"),
        ("/loss-surface", "LossSurfaceResponse"),
    ):
        operation = schema["paths"][path]["get"]
        verify = schema["paths"]["/verify"]["get"]["responses"]
        assert set(operation["responses"]) == set(verify)  # guarded like /verify
        assert {"200", "401", "422", "429"} <= set(operation["responses"])
        assert operation["responses"]["422"]["content"]["application/json"]["example"]["detail"]
        assert components[model]["examples"]
        for parameter in operation["parameters"]:
            assert parameter["schema"]["examples"], parameter["name"]
            found.append((parameter["name"], parameter.get("description", "")))
        for name, field in components[model]["properties"].items():
            if field.get("type") in {"number", "integer", "array"}:
                found.append((name, field.get("description", "")))
    assert len(found) >= 15
    for name, description in found:
        assert UNIT.search(description) or "a count" in description, (name, description)


def test_page_and_assets_are_served_here(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    for name, kind in (
        ("page.js", "text/javascript"),
        ("draw.js", "text/javascript"),
        ("page.css", "text/css"),
    ):
        asset = client.get(f"/web/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(kind)
        assert "https://" not in asset.text
    for path in ("/web/index.html", "/web/..%2Fapi%2Fshots.py", "/web/"):
        missing = client.get(path)
        assert missing.status_code == 404 and "detail" in missing.json()
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and "/web/{name}" not in paths
