"""POST /calibrate against the real server (issue 15): ranging shots landed by the independent
reference (app/physics/reference.py: `landing` in 2D, `intercept` in 3D) with Gaussian noise,
the fit's estimates within a few of its own standard errors of the truth, every residual equal
to the observed landing minus the reference's at the fitted air, and every refusal a 4xx with
a JSON `detail` that says which shot or which parameters.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
import numpy as np
import pytest

from app.physics import reference
from tests.conftest import GRAVITY

SIGMA = 0.02  # m, the landing noise of every ranging shot
# Assorted elevations (rad) and commanded velocities (m/s): low and high arcs, near and far.
RANGING = [(9.0, 0.35), (9.5, 0.6), (8.0, 0.8), (9.0, 1.0), (7.0, 1.2), (8.5, 0.45), (6.5, 0.7)]


def landed_2d(
    velocity: float, angle: float, drag: float, wind: float, bias: float, h0: float = 0.0
) -> float:
    """The reference's landing distance (m) of a shot fired at bias x the commanded velocity."""
    return reference.landing(velocity * bias, angle, h0, 0.0, wind, drag, GRAVITY).distance


def landed_3d(
    velocity: float,
    angle: float,
    azimuth: float,
    drag: float,
    wind: tuple[float, float],
    bias: float,
) -> tuple[float, float]:
    """Where the reference brings the shot down through the ground (m), x and y."""
    met = reference.intercept(
        velocity * bias, angle, azimuth, (0.0, 0.0, 0.0), wind=wind, drag=drag, gravity=GRAVITY
    )
    return met.point[0], met.point[1]


def estimates(answer: dict[str, Any]) -> dict[str, tuple[float, float, str]]:
    return {e["name"]: (e["value"], e["standard_error"], e["unit"]) for e in answer["estimates"]}


def within(answer: dict[str, Any], truth: dict[str, float], errors: float = 4.0) -> None:
    for name, (value, se, _) in estimates(answer).items():
        assert se > 0 and math.isfinite(se), (name, se)
        assert abs(value - truth[name]) <= errors * se, (name, value, truth[name], se)


def consistent(answer: dict[str, Any], plane: bool) -> None:
    """The conditions and the uncertainty for /aim are the estimates', the correlation a
    correlation matrix, the RMS the residuals'."""
    found = estimates(answer)
    n = len(found)
    corr = np.array(answer["correlation"])
    assert corr.shape == (n, n)
    assert np.allclose(np.diag(corr), 1.0) and np.allclose(corr, corr.T)
    assert np.all(np.abs(corr) <= 1.0)
    assert [e["unit"] for e in answer["estimates"]] == [
        {"drag": "1/m", "velocity_bias": "1"}.get(name, "m/s") for name in found
    ]
    conditions, uncertainty = answer["conditions"], answer["uncertainty"]
    assert conditions["drag"] == found["drag"][0] if "drag" in found else True
    assert uncertainty["drag_sigma"] == (found["drag"][1] if "drag" in found else 0.0)
    if plane:
        assert conditions["wind"] == (found["wind"][0] if "wind" in found else 0.0)
        assert uncertainty["wind_sigma"] == (found["wind"][1] if "wind" in found else 0.0)
    elif "wind_x" in found:
        assert conditions["wind"] == {"x": found["wind_x"][0], "y": found["wind_y"][0]}
        assert uncertainty["wind_sigma"] == max(found["wind_x"][1], found["wind_y"][1])
    if "velocity_bias" in found:
        assert answer["velocity_bias"] == found["velocity_bias"][0]
    else:
        assert answer["velocity_bias"] == 1.0
    seen = [
        c
        for r in answer["residuals"]
        for c in ([r["landed"]] if plane else [r["landed"]["x"], r["landed"]["y"]])
    ]
    assert answer["rms"] == pytest.approx(math.sqrt(np.mean(np.square(seen))), rel=1e-9)
    assert answer["iterations"] >= 1


def test_2d_drag_and_wind_from_noisy_shots_within_their_standard_errors(
    client: httpx.Client,
) -> None:
    truth = {"drag": 0.08, "wind": -1.5}
    rng = np.random.default_rng(15)
    shots = [
        {
            "velocity": v,
            "angle": a,
            "launch_height": 0.5,
            "landed": landed_2d(v, a, truth["drag"], truth["wind"], 1.0, 0.5)
            + float(rng.normal(0, SIGMA)),
        }
        for v, a in RANGING
    ]
    response = client.post(
        "/calibrate", json={"shots": shots, "sigma": SIGMA, "fit": ["drag", "wind"]}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert list(estimates(answer)) == ["drag", "wind"]
    within(answer, truth)
    consistent(answer, plane=True)
    drag, wind = answer["conditions"]["drag"], answer["conditions"]["wind"]
    for shot, residual in zip(shots, answer["residuals"], strict=True):
        at_fit = landed_2d(shot["velocity"], shot["angle"], drag, wind, 1.0, 0.5)
        assert residual["landed"] == pytest.approx(shot["landed"] - at_fit, abs=1e-6)
        assert residual["flight_time"] is None
    assert answer["rms"] < 3 * SIGMA  # the noise, not a misfit


def test_2d_drag_and_velocity_bias_with_timed_shots(client: httpx.Client) -> None:
    truth = {"drag": 0.05, "velocity_bias": 0.97}
    rng = np.random.default_rng(7)
    shots: list[dict[str, Any]] = []
    for v, a in RANGING[:6]:
        flown = reference.landing(v * 0.97, a, 0.0, 0.0, 0.0, 0.05, GRAVITY)
        shots.append(
            {
                "velocity": v,
                "angle": a,
                "landed": flown.distance + float(rng.normal(0, SIGMA)),
                "flight_time": flown.flight_time + float(rng.normal(0, 0.01)),
            }
        )
    body = {
        "shots": shots,
        "sigma": SIGMA,
        "flight_time_sigma": 0.01,
        "fit": ["drag", "velocity_bias"],
    }
    answer = client.post("/calibrate", json=body).json()
    within(answer, truth)
    consistent(answer, plane=True)
    drag, bias = answer["conditions"]["drag"], answer["velocity_bias"]
    for shot, residual in zip(shots, answer["residuals"], strict=True):
        at_fit = reference.landing(
            shot["velocity"] * bias, shot["angle"], 0.0, 0.0, 0.0, drag, GRAVITY
        )
        assert residual["landed"] == pytest.approx(shot["landed"] - at_fit.distance, abs=1e-6)
        assert residual["flight_time"] == pytest.approx(
            shot["flight_time"] - at_fit.flight_time, abs=1e-6
        )


THREE = [
    ({"drag": 0.1, "wind_x": 0.5, "wind_y": 0.5, "velocity_bias": 0.99}, 4),
    ({"drag": 0.03, "wind_x": 0.0, "wind_y": 1.0, "velocity_bias": 1.0}, 5),
    (
        {"drag": 0.06, "wind_x": 1.2, "wind_y": -2.0, "velocity_bias": 1.02},
        3,
    ),  # it stalled on drag 0 once
]


@pytest.mark.parametrize(("truth", "seed"), THREE)
def test_3d_drag_wind_and_bias_from_noisy_shots(
    client: httpx.Client, truth: dict[str, float], seed: int
) -> None:
    wind = (truth["wind_x"], truth["wind_y"])
    rng = np.random.default_rng(seed)
    shots: list[dict[str, Any]] = []
    for i, (v, a) in enumerate(RANGING):
        azimuth = -2.5 + 0.8 * i  # around the compass: the wind's two components apart
        x, y = landed_3d(v, a, azimuth, truth["drag"], wind, truth["velocity_bias"])
        noise = rng.normal(0, SIGMA, 2)
        shots.append(
            {
                "velocity": v,
                "angle": a,
                "azimuth": azimuth,
                "landed": {"x": x + float(noise[0]), "y": y + float(noise[1])},
            }
        )
    fit = ["drag", "wind", "velocity_bias"]
    response = client.post("/calibrate", json={"shots": shots, "sigma": SIGMA, "fit": fit})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert list(estimates(answer)) == ["drag", "wind_x", "wind_y", "velocity_bias"]
    within(answer, truth)
    consistent(answer, plane=False)
    c = answer["conditions"]
    fitted = (c["wind"]["x"], c["wind"]["y"])
    for shot, residual in zip(shots, answer["residuals"], strict=True):
        x, y = landed_3d(
            shot["velocity"],
            shot["angle"],
            shot["azimuth"],
            c["drag"],
            fitted,
            answer["velocity_bias"],
        )
        assert residual["landed"]["x"] == pytest.approx(shot["landed"]["x"] - x, abs=1e-6)
        assert residual["landed"]["y"] == pytest.approx(shot["landed"]["y"] - y, abs=1e-6)


def test_a_prior_narrows_the_estimate(client: httpx.Client) -> None:
    """A prior sd far below what the shots say pins the estimate near its mean."""
    rng = np.random.default_rng(11)
    shots = [
        {
            "velocity": v,
            "angle": a,
            "landed": landed_2d(v, a, 0.04, 0.0, 1.0) + float(rng.normal(0, SIGMA)),
        }
        for v, a in RANGING[:4]
    ]
    free = client.post("/calibrate", json={"shots": shots, "sigma": SIGMA, "fit": ["drag"]}).json()
    held = client.post(
        "/calibrate",
        json={
            "shots": shots,
            "sigma": SIGMA,
            "fit": ["drag"],
            "priors": {"drag": {"mean": 0.04, "sd": 1e-5}},
        },
    ).json()
    free_drag, held_drag = estimates(free)["drag"], estimates(held)["drag"]
    assert abs(free_drag[0] - 0.04) <= 4 * free_drag[1]
    assert held_drag[1] < free_drag[1] and held_drag[1] <= 1e-5
    assert abs(held_drag[0] - 0.04) <= 3e-5


def refused(
    client: httpx.Client, body: Any, status: int = 422, raw: str | None = None
) -> dict[str, Any]:
    if raw is None:
        response = client.post("/calibrate", json=body)
    else:
        response = client.post(
            "/calibrate", content=raw, headers={"content-type": "application/json"}
        )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    answer: dict[str, Any] = response.json()
    assert answer["detail"], answer
    return answer


GOOD = [
    {"velocity": 9.0, "angle": 0.35, "landed": 5.0},
    {"velocity": 8.0, "angle": 0.9, "landed": 5.5},
]


def locs(answer: dict[str, Any]) -> list[list[Any]]:
    return [item["loc"] for item in answer["detail"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [("velocity", -9.0), ("velocity", True), ("angle", False), ("landed", True), ("velocity", "9")],
)
def test_a_bad_number_in_a_shot_is_refused_at_its_index(
    client: httpx.Client, field: str, value: Any
) -> None:
    shots = [dict(s) for s in GOOD]
    shots[1][field] = value
    answer = refused(client, {"shots": shots, "sigma": SIGMA, "fit": ["drag"]})
    assert any(loc[:3] == ["body", "shots", 1] for loc in locs(answer)), answer


NOT_FINITE = [
    (where, literal)
    for where in ("velocity", "angle", "landed", "sigma", "wind")
    for literal in ("NaN", "Infinity", "-Infinity")
]


@pytest.mark.parametrize(("where", "literal"), NOT_FINITE)
def test_nan_and_infinity_are_refused_where_they_are(
    client: httpx.Client, where: str, literal: str
) -> None:
    """A 422 that points at the field itself (not a fit that trips over it later)."""
    shot = {"velocity": "9", "angle": "0.35", "landed": "5"}
    top = {"sigma": "0.02", "wind": "0"}
    if where in shot:
        shot[where] = literal
    else:
        top[where] = literal
    text = ", ".join(f'"{k}": {v}' for k, v in shot.items())
    rest = ", ".join(f'"{k}": {v}' for k, v in top.items())
    second = '{"velocity": 8, "angle": 0.9, "landed": 5.5}'
    raw = f'{{"shots": [{{{text}}}, {second}], {rest}, "fit": ["drag"]}}'
    answer = refused(client, None, raw=raw)
    want = ["body", "shots", 0, where] if where in shot else ["body", where]
    assert any(loc[: len(want)] == want for loc in locs(answer)), answer


def test_mixed_forms_are_refused_with_the_shot_index(client: httpx.Client) -> None:
    shots = [*GOOD, {"velocity": 8.0, "angle": 0.5, "landed": {"x": 5.0, "y": 0.1}}]
    answer = refused(client, {"shots": shots, "sigma": SIGMA, "fit": ["drag"]})
    assert ["body", "shots", 2] in locs(answer), answer
    flat_first = [{"velocity": 8.0, "angle": 0.5, "landed": {"x": 5.0, "y": 0.1}}, *GOOD]
    answer = refused(client, {"shots": flat_first, "sigma": SIGMA, "fit": ["drag"]})
    assert ["body", "shots", 1] in locs(answer), answer
    azimuth = [GOOD[0], {**GOOD[1], "azimuth": 0.3}]
    answer = refused(client, {"shots": azimuth, "sigma": SIGMA, "fit": ["drag"]})
    assert ["body", "shots", 1] in locs(answer), answer


def test_a_flight_time_needs_its_sigma(client: httpx.Client) -> None:
    shots = [GOOD[0], {**GOOD[1], "flight_time": 1.2}]
    answer = refused(client, {"shots": shots, "sigma": SIGMA, "fit": ["drag"]})
    assert ["body", "shots", 1] in locs(answer)
    assert "flight_time_sigma" in answer["detail"][0]["msg"]


def test_fit_naming_a_parameter_twice_or_a_prior_on_an_unfitted_one(client: httpx.Client) -> None:
    answer = refused(client, {"shots": GOOD, "sigma": SIGMA, "fit": ["drag", "drag"]})
    assert "twice" in str(answer["detail"])
    answer = refused(
        client,
        {"shots": GOOD, "sigma": SIGMA, "fit": ["drag"], "priors": {"wind": {"mean": 0, "sd": 1}}},
    )
    assert "wind" in str(answer["detail"])
    refused(client, {"shots": GOOD, "sigma": SIGMA, "fit": []})
    refused(client, {"shots": GOOD, "sigma": SIGMA, "fit": ["gravity"]})
    refused(client, {"shots": GOOD, "sigma": 0, "fit": ["drag"]})
    refused(client, {"shots": [], "sigma": SIGMA, "fit": ["drag"]})


def test_one_shot_cannot_give_drag_and_wind(client: httpx.Client) -> None:
    shot = {"velocity": 9.0, "angle": 0.6, "landed": landed_2d(9.0, 0.6, 0.05, -1.0, 1.0)}
    answer = refused(client, {"shots": [shot], "sigma": SIGMA, "fit": ["drag", "wind"]})
    assert answer["parameters"] == ["drag", "wind"]
    item = answer["detail"][0]
    assert item["type"] == "not_identifiable" and item["loc"] == ["body", "fit"]
    assert "drag" in item["msg"] and "wind" in item["msg"]


def test_every_shot_at_one_elevation_and_velocity_cannot_part_drag_from_bias(
    client: httpx.Client,
) -> None:
    rng = np.random.default_rng(5)
    at = landed_2d(9.0, 0.6, 0.05, 0.0, 1.0)
    shots = [
        {"velocity": 9.0, "angle": 0.6, "landed": at + float(rng.normal(0, SIGMA))}
        for _ in range(5)
    ]
    answer = refused(client, {"shots": shots, "sigma": SIGMA, "fit": ["drag", "velocity_bias"]})
    assert answer["detail"][0]["type"] == "not_identifiable"
    assert sorted(answer["parameters"]) == ["drag", "velocity_bias"]
    assert "shot" in answer["detail"][0]["msg"]  # it says what shot would separate them


def test_a_landing_far_past_the_cannons_reach_is_a_bad_shot(client: httpx.Client) -> None:
    shots = [
        {"velocity": v, "angle": a, "landed": landed_2d(v, a, 0.05, 0.0, 1.0)}
        for v, a in RANGING[:4]
    ]
    shots[2]["landed"] *= 100
    answer = refused(client, {"shots": shots, "sigma": SIGMA, "fit": ["drag"]})
    assert answer["shot"] == 2
    assert answer["detail"][0]["type"] == "bad_shot"
    assert answer["detail"][0]["loc"] == ["body", "shots", 2]
