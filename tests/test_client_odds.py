"""The Python client's calibration and odds against the real service: ranging shots landed by
the independent reference (scipy) with Gaussian noise, fitted through `calibrate`; then aims
with the fitted air and its uncertainty, every aimed shot landed again by the reference."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Iterator

import pytest
from cannon_client import (
    AsyncCannonClient,
    BadShot,
    BatchSolution,
    CalibrateResponse,
    CannonClient,
    Conditions,
    InterceptResponse,
    InvalidRequest,
    NotIdentifiable,
    ObservedShot,
    Prior,
    Uncertainty,
)

from app.physics import reference, reference_space
from tests.conftest import GRAVITY

SIGMA = 0.02  # m, the landings' noise
COMMANDS = [(9.0, 0.3), (9.0, 0.6), (8.0, 0.9), (9.5, 1.1), (7.0, 0.45), (8.5, 0.75)]  # m/s, rad
WITHIN = 4.0  # standard errors: a fixed seed, so a fixed draw; 4 leaves room for its luck


@pytest.fixture(scope="module")
def cannon(server_url: str) -> Iterator[CannonClient]:
    with CannonClient(server_url, timeout=30) as client:
        yield client


def ranging(drag: float, wind: float, bias: float, seed: int) -> list[ObservedShot]:
    """The shots a crew fires: the cannon gives `bias` times the commanded velocity; each
    landing is the reference's plus N(0, SIGMA) m."""
    noise = random.Random(seed)
    shots = []
    for velocity, angle in COMMANDS:
        landed = reference.landing(velocity * bias, angle, 0.0, 0.0, wind, drag, GRAVITY).distance
        shots.append(
            ObservedShot(velocity=velocity, angle=angle, landed=landed + noise.gauss(0, SIGMA))
        )
    return shots


def near_truth(fitted: CalibrateResponse, truth: dict[str, float]) -> None:
    assert [e.name for e in fitted.estimates] == list(truth)
    for name, value in truth.items():
        estimate = fitted.estimate(name)
        assert estimate.standard_error > 0
        assert abs(estimate.value - value) <= WITHIN * estimate.standard_error, (name, estimate)


def test_calibrate_finds_the_air_and_the_bias_within_its_standard_errors(
    cannon: CannonClient,
) -> None:
    truth = {"drag": 0.06, "wind": -1.5, "velocity_bias": 1.03}
    shots = ranging(truth["drag"], truth["wind"], truth["velocity_bias"], seed=15)
    fitted = cannon.calibrate(shots, SIGMA, ["drag", "wind", "velocity_bias"])
    near_truth(fitted, truth)
    assert {e.name: e.unit for e in fitted.estimates} == {
        "drag": "1/m",
        "wind": "m/s",
        "velocity_bias": "1",
    }
    assert len(fitted.residuals) == len(shots) and fitted.rms < 3 * SIGMA
    assert all(isinstance(r.landed, float) and r.flight_time is None for r in fitted.residuals)
    n = len(fitted.estimates)
    assert [fitted.correlation[i][i] for i in range(n)] == pytest.approx([1.0] * n)
    assert fitted.conditions.drag == fitted.estimate("drag").value
    assert fitted.conditions.wind_value() == fitted.estimate("wind").value
    assert fitted.velocity_bias == fitted.estimate("velocity_bias").value
    assert fitted.uncertainty.drag_sigma == fitted.estimate("drag").standard_error


def test_a_prior_and_a_known_air_are_sent_and_used(cannon: CannonClient) -> None:
    """The wind known (given), the drag fitted with a prior: a tight prior holds it near its
    mean, a loose one lets the shots speak."""
    shots = ranging(0.08, 1.0, 1.0, seed=3)
    free = cannon.calibrate(shots, SIGMA, ["drag"], wind=1.0)
    near_truth(free, {"drag": 0.08})
    held = cannon.calibrate(
        shots, SIGMA, ["drag"], wind=1.0, priors={"drag": Prior(mean=0.02, sd=1e-5)}
    )
    assert held.estimate("drag").value == pytest.approx(0.02, abs=1e-4)


def test_calibrate_in_3d_finds_the_wind_vector(cannon: CannonClient) -> None:
    drag, wind = 0.05, (1.2, -0.8)
    noise = random.Random(7)
    shots = []
    for (velocity, angle), azimuth in zip(COMMANDS, (0.0, 0.8, -0.6, 1.5, 2.5, -2.0), strict=True):
        met = reference_space.intercept(
            velocity, angle, azimuth, (0.0, 0.0, 0.0), wind=wind, drag=drag, gravity=GRAVITY
        )
        landed = (met.point[0] + noise.gauss(0, SIGMA), met.point[1] + noise.gauss(0, SIGMA))
        shots.append(ObservedShot(velocity=velocity, angle=angle, azimuth=azimuth, landed=landed))
    fitted = cannon.calibrate(shots, SIGMA, ["drag", "wind"])
    near_truth(fitted, {"drag": drag, "wind_x": wind[0], "wind_y": wind[1]})
    assert fitted.conditions.wind_value() == (
        fitted.estimate("wind_x").value,
        fitted.estimate("wind_y").value,
    )
    assert all(not isinstance(r.landed, float) for r in fitted.residuals)


def test_shots_that_cannot_separate_the_parameters_are_not_identifiable(
    cannon: CannonClient,
) -> None:
    one = ranging(0.05, 0.0, 1.0, seed=1)[:1]
    with pytest.raises(NotIdentifiable) as refused:
        cannon.calibrate(one, SIGMA, ["drag", "wind"])
    assert refused.value.status == 422 and sorted(refused.value.parameters) == ["drag", "wind"]
    assert "drag" in refused.value.detail


def test_a_shot_no_air_explains_is_refused_with_its_index(cannon: CannonClient) -> None:
    shots = ranging(0.05, 0.0, 1.0, seed=2)[:2]
    shots.append(ObservedShot(velocity=5.0, angle=0.5, landed=30.0))  # 5 m/s reaches 2.1 m
    with pytest.raises(BadShot) as refused:
        cannon.calibrate(shots, SIGMA, ["drag"])
    assert refused.value.shot == 2 and "shot 2" in refused.value.detail
    with pytest.raises(InvalidRequest):  # refused before sending: an azimuth needs (x, y)
        ObservedShot(velocity=5.0, angle=0.5, azimuth=0.1, landed=3.0)
    with pytest.raises(InvalidRequest):
        cannon.calibrate(shots, SIGMA, ["gravity"])  # type: ignore[list-item]


def landed_in_air(velocity: float, angle: float, wind: float, drag: float) -> float:
    return reference.landing(velocity, angle, 0.0, 0.0, wind, drag, GRAVITY).distance


def test_the_loop_aim_with_the_fitted_air_and_its_uncertainty(cannon: CannonClient) -> None:
    """Calibrate, then aim with the fitted air and its standard errors: the shot lands on the
    target by the reference in that air; the odds are probabilities with their interval; an
    independent Monte Carlo through the reference agrees with the service's."""
    shots = ranging(0.07, -1.0, 1.0, seed=21)
    fitted = cannon.calibrate(shots, SIGMA, ["drag", "wind"])
    drag, wind = fitted.conditions.drag, fitted.conditions.wind_value()
    assert isinstance(wind, float)
    spread = Uncertainty(hit_radius=0.15, velocity_sigma=0.05, angle_sigma=0.004, samples=4000)
    shot = cannon.aim(6.0, tolerance=1e-3, air=Conditions(drag=drag), uncertainty=spread)
    assert abs(landed_in_air(shot.velocity, shot.angle, 0.0, drag) - 6.0) <= 1e-3
    odds, spread_out = shot.hit_probability, shot.dispersion
    assert odds is not None and spread_out is not None and shot.best_odds is None
    low, high = odds.interval
    assert 0 <= low <= odds.monte_carlo <= high <= 1 and odds.samples == 4000
    assert abs(odds.linearised - odds.monte_carlo) < 0.05  # small scatter against the reach
    miss = spread_out.mean_miss.x
    assert spread_out.semi_major is not None and spread_out.semi_major > 0
    assert miss is not None and abs(miss) <= 1e-3
    draw, hits, n = random.Random(5), 0, 400
    for _ in range(n):
        v = draw.gauss(shot.velocity, spread.velocity_sigma)
        a = draw.gauss(shot.angle, spread.angle_sigma)
        hits += abs(landed_in_air(v, a, 0.0, drag) - 6.0) <= spread.hit_radius
    p = odds.monte_carlo
    assert abs(hits / n - p) <= 4 * math.sqrt(p * (1 - p) / n) + 0.01
    none = cannon.aim(6.0, air=Conditions(drag=drag, wind=wind))
    assert none.dispersion is None and none.hit_probability is None


def test_the_best_odds_in_a_batch_are_never_below_the_exact_aims(cannon: CannonClient) -> None:
    spread = Uncertainty(hit_radius=0.2, velocity_sigma=0.08, drag_sigma=0.01, samples=2000, seed=4)
    air = Conditions(drag=0.05)
    answers = cannon.aim_many(
        [5.0, 7.0], air=air, uncertainty=spread, objective="max_hit_probability"
    )
    for answer in answers:
        assert isinstance(answer, BatchSolution) and answer.best_odds is not None
        best = answer.best_odds
        assert best.hit_probability >= best.exact_hit_probability
        assert best.gain == pytest.approx(best.hit_probability - best.exact_hit_probability)
        assert best.angle_degrees == pytest.approx(math.degrees(best.angle))
        where = landed_in_air(best.velocity, best.angle, 0.0, 0.05)
        assert abs(where - answer.distance) < 3 * spread.hit_radius  # near the target still
    with pytest.raises(InvalidRequest):  # refused before sending
        cannon.aim(5.0, objective="max_hit_probability")


def test_the_async_client_calibrates_and_aims_in_3d_with_odds(server_url: str) -> None:
    shots = ranging(0.04, 0.5, 0.98, seed=9)

    async def run() -> tuple[CalibrateResponse, object]:
        async with AsyncCannonClient(server_url, timeout=30) as cannon:
            fitted = await cannon.calibrate(shots, SIGMA, ["drag", "velocity_bias"], wind=0.5)
            spread = Uncertainty(hit_radius=0.2, azimuth_sigma=0.01, velocity_sigma=0.05)
            met = await cannon.aim_at((5.0, 2.0), drag=0.04, uncertainty=spread)
            return fitted, met

    fitted, met = asyncio.run(run())
    near_truth(fitted, {"drag": 0.04, "velocity_bias": 0.98})
    assert isinstance(met, InterceptResponse) and met.hit_probability is not None
    across = None if met.dispersion is None else met.dispersion.semi_minor
    assert across is not None and across > 0  # the azimuth's spread
    check = reference_space.intercept(
        met.velocity, met.angle, met.azimuth, (5.0, 2.0, 0.0), drag=0.04, gravity=GRAVITY
    )
    assert check.miss <= met.tolerance
