"""The calibration library (app/uncertainty/fit.py) and its sensitivities (kernel/odds.sense),
judged by the independent reference: every observed landing here is flown by scipy
(app.physics.reference.intercept), never by the code under test."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.physics import reference
from app.physics.kernel import odds as kernel
from app.physics.kernel import space
from app.uncertainty import fit

ROOT = Path(__file__).resolve().parents[1]
G = 9.81  # m/s^2
SIGMA = 0.02  # m
AIR = {"drag": 0.08, "wind_x": 2.0, "wind_y": -1.5, "velocity_bias": 1.02}  # 1/m, m/s, m/s, 1
LAUNCH, TARGET = 1.0, 0.5  # m
VELOCITIES = [9.0, 7.5, 8.5, 6.0, 10.0, 8.0]  # m/s, commanded
ANGLES = [0.2, 0.45, 0.7, 0.95, 1.2, 1.33]  # rad
AZIMUTHS = [0.3, -1.2, 2.5, 0.0, -2.8, 1.6]  # rad


def flown(v: float, el: float, az: float, air: dict[str, float]) -> reference.Intercept:
    return reference.intercept(
        v * air["velocity_bias"], el, az, target=(0.0, 0.0, TARGET),
        wind=(air["wind_x"], air["wind_y"]), drag=air["drag"], launch_height=LAUNCH, gravity=G,
    )  # fmt: skip


def shots(
    air: dict[str, float] = AIR,
    plane: bool = False,
    noise: float = 0.0,
    seed: int = 0,
    velocities: list[float] = VELOCITIES,
    angles: list[float] = ANGLES,
    azimuths: list[float] = AZIMUTHS,
    time_noise: float | None = None,
) -> fit.Shots:
    """The reference's landings (and flight times, if time_noise is given) plus noise."""
    n = len(velocities)
    azimuths = [0.0] * n if plane else azimuths[:n]
    air = {**air, "wind_y": 0.0} if plane else air
    rng = np.random.default_rng(seed)
    hits = [flown(v, a, z, air) for v, a, z in zip(velocities, angles, azimuths, strict=True)]
    landed = np.array([h.point[:2] for h in hits]) + rng.normal(0.0, noise, (n, 2))
    if plane:
        landed[:, 1] = 0.0
    times = np.full(n, math.nan)
    if time_noise is not None:
        times = np.array([h.time for h in hits]) + rng.normal(0.0, time_noise, n)
    return fit.Shots(
        np.array(velocities, float), np.array(angles, float), np.array(azimuths, float), landed,
        np.full(n, LAUNCH), np.full(n, TARGET), times,
    )  # fmt: skip


def truth(names: list[str], air: dict[str, float] = AIR) -> np.ndarray:
    return np.array([air[n] for n in names])


@pytest.mark.parametrize("plane", [False, True], ids=["3d", "2d"])
def test_noise_free_landings_give_the_truth_far_below_the_noise(plane: bool) -> None:
    problem = fit.Problem(shots(plane=plane), SIGMA, ("drag", "wind", "velocity_bias"), G, plane)
    answer = fit.calibrate(problem)
    assert answer.names == (
        ["drag", "wind_x", "velocity_bias"] if plane else ["drag", "wind_x", "wind_y", "velocity_bias"]
    )  # fmt: skip
    error = np.abs(answer.values - truth(answer.names))
    assert np.all(error < 0.02 * answer.standard_errors), (error, answer.standard_errors)
    assert answer.rms < 0.01 * SIGMA


@pytest.mark.parametrize("plane", [False, True], ids=["3d", "2d"])
def test_with_2_cm_noise_the_truth_is_within_a_few_standard_errors(plane: bool) -> None:
    observed = shots(plane=plane, noise=SIGMA, seed=7)
    answer = fit.calibrate(
        fit.Problem(observed, SIGMA, ("drag", "wind", "velocity_bias"), G, plane)
    )
    z = (answer.values - truth(answer.names)) / answer.standard_errors
    assert np.all(np.abs(z) < 4.0), z
    assert np.all(answer.standard_errors > 0) and 0.0 < answer.rms < 3.0 * SIGMA
    assert np.allclose(np.diag(answer.correlation), 1.0)
    assert np.all(np.abs(answer.correlation) <= 1.0 + 1e-12)


def test_one_2d_shot_cannot_give_drag_and_wind() -> None:
    one = shots(plane=True, velocities=[8.0], angles=[0.7])
    with pytest.raises(fit.NotIdentifiable) as e:
        fit.calibrate(fit.Problem(one, SIGMA, ("drag", "wind"), G, plane=True))
    assert {"drag", "wind_x"} <= set(e.value.names)
    assert "drag" in str(e.value) and "wind_x" in str(e.value) and e.value.hint


def test_one_elevation_and_one_velocity_cannot_part_drag_from_velocity_bias() -> None:
    still = {**AIR, "wind_x": 0.0, "wind_y": 0.0}  # around the compass, the same shot
    same = shots(still, velocities=[8.0] * 5, angles=[0.6] * 5)
    problem = fit.Problem(same, SIGMA, ("drag", "velocity_bias"), G, known={"wind_x": 0.0})
    with pytest.raises(fit.NotIdentifiable) as e:
        fit.calibrate(problem)
    assert set(e.value.names) == {"drag", "velocity_bias"}
    assert "elevation" in e.value.hint


def test_the_residuals_are_observed_minus_the_reference_at_the_fitted_air() -> None:
    for plane in (False, True):
        observed = shots(plane=plane, noise=SIGMA, seed=3)
        problem = fit.Problem(observed, SIGMA, ("drag", "wind", "velocity_bias"), G, plane)
        answer = fit.calibrate(problem)
        assert set(answer.air) == {"drag", "wind_x", "wind_y", "velocity_bias"}
        for i in range(len(observed.velocity)):
            there = flown(observed.velocity[i], observed.angle[i], observed.azimuth[i], answer.air)
            expected = observed.landed[i] - np.array(there.point[:2])
            if plane:
                expected[1] = 0.0
            assert np.allclose(answer.residuals[i], expected, rtol=0.0, atol=1e-6)
        seen = answer.residuals[:, 0] if plane else answer.residuals.ravel()
        assert answer.rms == pytest.approx(float(np.sqrt(np.mean(seen**2))), rel=1e-12)


def test_a_prior_gives_a_parameter_the_shots_cannot_see_its_mean() -> None:
    vacuum = {**AIR, "drag": 0.0}  # without drag the wind moves nothing
    observed = shots(vacuum, noise=SIGMA, seed=5)
    known = {"drag": 0.0}
    with pytest.raises(fit.NotIdentifiable) as e:
        fit.calibrate(fit.Problem(observed, SIGMA, ("wind", "velocity_bias"), G, known=known))
    assert set(e.value.names) == {"wind_x", "wind_y"}
    priors = {"wind": (1.5, 0.5)}  # m/s: mean, sd
    problem = fit.Problem(observed, SIGMA, ("wind", "velocity_bias"), G, known=known, priors=priors)
    answer = fit.calibrate(problem)
    assert answer.values[:2] == pytest.approx([1.5, 1.5], abs=1e-9)
    assert answer.standard_errors[:2] == pytest.approx([0.5, 0.5], rel=1e-9)
    assert answer.values[2] == pytest.approx(
        AIR["velocity_bias"], abs=4 * answer.standard_errors[2]
    )


def test_a_prior_on_the_bias_parts_it_from_the_drag() -> None:
    still = {**AIR, "wind_x": 0.0, "wind_y": 0.0}
    same = shots(still, velocities=[8.0] * 5, angles=[0.6] * 5)
    priors = {"velocity_bias": (AIR["velocity_bias"], 1e-4)}
    problem = fit.Problem(
        same, SIGMA, ("drag", "velocity_bias"), G, known={"wind_x": 0.0}, priors=priors
    )
    answer = fit.calibrate(problem)
    assert answer.values == pytest.approx(truth(answer.names), abs=1e-6)
    # the shots say nothing of the bias apart from the drag: its prior is all there is
    assert answer.standard_errors[1] == pytest.approx(1e-4, rel=1e-6)
    assert answer.standard_errors[0] < 0.01


def test_flight_times_narrow_the_fit() -> None:
    timed = shots(noise=SIGMA, seed=11, time_noise=0.005)
    untimed = dataclasses.replace(timed, flight_time=np.full(len(timed.velocity), math.nan))
    fitted = ("drag", "wind", "velocity_bias")
    with_times = fit.calibrate(fit.Problem(timed, SIGMA, fitted, G, time_sigma=0.005))
    without = fit.calibrate(fit.Problem(untimed, SIGMA, fitted, G))
    assert np.all(with_times.standard_errors < without.standard_errors)
    z = (with_times.values - truth(with_times.names)) / with_times.standard_errors
    assert np.all(np.abs(z) < 4.0), z
    assert np.isnan(without.time_residuals).all()
    for i in range(len(timed.velocity)):
        there = flown(timed.velocity[i], timed.angle[i], timed.azimuth[i], with_times.air)
        assert with_times.time_residuals[i] == pytest.approx(
            timed.flight_time[i] - there.time, abs=1e-6
        )


def test_sense_matches_central_differences_of_the_verifier() -> None:
    """Each of the 6 derivatives (velocity, elevation, azimuth, drag, wind x, wind y) of the
    miss x, y and the time, against central differences of space.meet at rtol 1e-12: they
    agree to ~1e-9 of each column's largest entry, so 1e-7 leaves room and still bites."""
    base = np.array([8.5, 0.8, 0.6, 0.09, 2.5, -1.8])  # m/s, rad, rad, 1/m, m/s, m/s
    steps = (1e-4, 1e-5, 1e-5, 1e-5, 1e-4, 1e-4)

    def verified(p: np.ndarray) -> np.ndarray:
        scene = np.zeros(len(space.SCENE))
        scene[:5] = LAUNCH, p[4], p[5], p[3], G
        scene[7] = TARGET
        met = np.empty(6)
        space.meet(p[0], p[1], p[2], scene, 0.02 * p[0] / G, 1e-12, met)
        return met[[0, 1, 3]]

    scene = np.zeros(len(space.SCENE))
    scene[:5] = LAUNCH, base[4], base[5], base[3], G
    scene[7] = TARGET
    out = np.empty(kernel.SENSE)
    kernel.sense(base[0], base[1], base[2], scene, 256, out)
    assert np.allclose(out[:3], verified(base), rtol=0.0, atol=1e-8)
    jac = out[3:].reshape(3, kernel.P)  # rows: miss x, miss y, time; columns: PERTURBED
    for j, h in enumerate(steps):
        up, down = base.copy(), base.copy()
        up[j] += h
        down[j] -= h
        fd = (verified(up) - verified(down)) / (2 * h)
        scale = np.abs(fd).max()
        assert np.all(np.abs(jac[:, j] - fd) <= 1e-7 * scale), (kernel.PERTURBED[j], jac[:, j], fd)


def test_the_calibration_benchmark_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "calibration.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.calibration", "--runs", "6", "--scenes", "5", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    figures = json.loads(out.read_text())
    assert set(figures["forms"]) == {"3d", "2d"}
    for name, form in figures["forms"].items():
        assert form["fits"] + form["not_identifiable"] + form["failed"] == 6
        expected = {"drag", "wind_x", "velocity_bias"} | (set() if name == "2d" else {"wind_y"})
        assert set(form["parameters"]) == expected
        for parameter, q in form["parameters"].items():
            line = next(
                r for r in run.stdout.splitlines() if r.startswith(f"{name:<4} {parameter} ")
            )
            assert f"{q['within_2_se']:.1%}" in line and f"{q['median_error_over_crb']:.2f}" in line
            assert f"{q['median_se_over_crb']:.2f}" in line
        assert f"{form['not_identifiable']} not identifiable, {form['failed']} failed" in run.stdout
        assert f"{form['fits']} fits answered ({form['far_off']} far off" in run.stdout
        for failure in form["failures"]:  # each listed with its truth
            assert f"run {failure['run']}: {failure['error']} (truth: " in run.stdout
    for shots, key in (("10 shots", "ten_shots_ms"), ("6 shots", "six_shots_ms")):
        t = figures["timing"][key]
        assert 0 < t["median"] <= t["p90"] and t["n"] > 0
        assert f"{shots}: median {t['median']:.2f} ms, p90 {t['p90']:.2f} ms" in run.stdout
    assert len(figures["goals"]) == 7  # 3 per form, and the time
    for g in figures["goals"]:
        assert f"goal {'met' if g['met'] else 'NOT met'}: {g['goal']}: {g['numbers']}" in run.stdout
