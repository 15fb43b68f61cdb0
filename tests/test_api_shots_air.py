"""GET /trajectory and GET /loss-surface through air, over real HTTP, against
app/physics/reference.py (scipy's DOP853 at 1e-12, closed forms without drag: independent of
the service's physics), and the air at zero against the vacuum's answer, byte for byte."""

from __future__ import annotations

import math

import httpx
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from app.config import Settings
from app.physics import reference
from tests.conftest import GRAVITY, serving

# (angle rad, velocity m/s, launch height m, target height m, wind m/s, drag 1/m, points)
SHOTS_IN_AIR = [
    (0.8, 9.0, 1.5, 0.5, -3.0, 0.1, 5),
    (0.3, 10.0, 3.0, 0.0, 5.0, 0.2, 1000),
    (1.2, 8.0, 0.0, 2.0, 0.0, 0.02, 2),
    (0.6, 7.0, 2.0, 0.5, 4.0, 0.0, 50),  # no drag but heights: the reference's closed form
    (0.7, 9.5, 1.0, 1.0, -5.0, 0.14, 120),  # flat, through air
    (0.9, 6.0, 2.0, 2.0, 3.0, 0.0, 9),  # raised but flat, no drag: the vacuum's arc, lifted
]


@pytest.mark.parametrize("angle, velocity, h0, ht, wind, drag, points", SHOTS_IN_AIR)
def test_trajectory_through_air_is_the_reference_flight(
    client: httpx.Client,
    angle: float,
    velocity: float,
    h0: float,
    ht: float,
    wind: float,
    drag: float,
    points: int,
) -> None:
    air = {"launch_height": h0, "target_height": ht, "wind": wind, "drag": drag}
    params = {"angle": angle, "velocity": velocity, "points": points, **air}
    response = client.get("/trajectory", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    truth = reference.landing(velocity, angle, h0, ht, wind, drag, GRAVITY)
    assert body["landing_distance"] == pytest.approx(truth.distance, abs=1e-9)
    assert body["flight_time"] == pytest.approx(truth.flight_time, abs=1e-9)
    assert body["apex_height"] == pytest.approx(truth.apex_height, abs=1e-9)
    assert len(body["x"]) == len(body["y"]) == points and (body["x"][0], body["y"][0]) == (0.0, h0)
    # The drawn arc ends on the reference's landing, at the target's height.
    assert body["x"][-1] == pytest.approx(truth.distance, abs=1e-7)
    assert body["y"][-1] == pytest.approx(ht, abs=1e-7)
    # Every point is where the reference flight is at its evenly spaced time.
    times = np.linspace(0.0, truth.flight_time, points)
    start = [0.0, h0, velocity * math.cos(angle), velocity * math.sin(angle)]
    flown = solve_ivp(
        reference.motion(wind, drag, GRAVITY),
        (0.0, truth.flight_time),
        start,
        method="DOP853",
        t_eval=times,
        rtol=1e-12,
        atol=1e-12,
    )
    assert np.abs(np.array(body["x"]) - flown.y[0]).max() < 1e-7
    assert np.abs(np.array(body["y"]) - flown.y[1]).max() < 1e-7
    assert max(body["y"]) <= truth.apex_height + 1e-9


ZERO_AIR = [
    {"launch_height": 0, "target_height": 0, "wind": 0, "drag": 0},
    {"wind": 4.5, "drag": 0},  # wind acts through drag only: no drag, no change
]


@pytest.mark.parametrize("air", ZERO_AIR)
@pytest.mark.parametrize(
    "path, params",
    [
        ("/trajectory", {"angle": 0.7, "velocity": 8.5, "points": 7}),
        ("/loss-surface", {"distance": 6.0, "velocities": 9, "angles": 7, "loss": "absolute"}),
    ],
)
def test_zero_air_is_the_vacuum_answer_byte_for_byte(
    client: httpx.Client, path: str, params: dict[str, object], air: dict[str, float]
) -> None:
    """The air fields at the conditions' zero give today's vacuum answer (which the tests
    above hold to the closed form), to the byte."""
    vacuum = client.get(path, params=params)
    zero = client.get(path, params={**params, **air})
    assert vacuum.status_code == zero.status_code == 200
    assert zero.content == vacuum.content


def test_loss_surface_through_air_is_the_reference_miss(client: httpx.Client) -> None:
    air = {"launch_height": 0.5, "target_height": 1.5, "wind": -2.0, "drag": 0.08}
    params = {"distance": 4.0, "velocities": 12, "angles": 9, "loss": "absolute", **air}
    response = client.get("/loss-surface", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["velocity"] == pytest.approx([10.0 * (j + 1) / 12 for j in range(12)])
    assert body["angle"] == pytest.approx([math.pi / 2 * (i + 0.5) / 9 for i in range(9)])
    landed = []
    for i, angle in enumerate(body["angle"]):
        for j, velocity in enumerate(body["velocity"]):
            truth = reference.landing(velocity, angle, 0.5, 1.5, -2.0, 0.08, GRAVITY).distance
            if math.isnan(truth):  # never up to the target's height: null, never a number
                assert body["loss"][i][j] is None, (angle, velocity)
            else:
                assert body["loss"][i][j] == pytest.approx(abs(truth - 4.0), abs=1e-7)
                landed.append(body["loss"][i][j])
    assert 0 < len(landed) < 9 * 12  # both kinds of cell are on this grid
    assert (body["min_loss"], body["max_loss"]) == (min(landed), max(landed))
    squared = client.get("/loss-surface", params={**params, "loss": "squared"}).json()
    assert squared["unit"] == "m^2" and squared["max_loss"] == pytest.approx(max(landed) ** 2)


def test_air_outside_another_cannons_envelope_is_refused() -> None:
    """Drag the default cannon's bounds allow, but past what the air model covers for a
    400 m/s gun: 422 outside_envelope, as /aim answers."""
    with serving(Settings(max_velocity=400.0)) as url, httpx.Client(base_url=url) as http:
        for path, params in (
            ("/trajectory", {"angle": 0.7, "velocity": 300, "drag": 0.01}),
            ("/loss-surface", {"distance": 500.0, "drag": 0.01}),
        ):
            refused = http.get(path, params=params)
            assert refused.status_code == 422
            assert refused.json()["detail"][0]["type"] == "outside_envelope"
            assert "1/m" in refused.json()["detail"][0]["msg"]
