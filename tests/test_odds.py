"""The hit probability and the best-odds aim (app/uncertainty/odds.py, best.py), judged by
brute force and by the independent reference (benchmarks/odds_reference.py: scipy DOP853 at
1e-11, the perturbations drawn on its own)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import dblquad
from scipy.special import ndtr

from app.aiming.air import Constraint
from app.aiming.engine import Engine
from app.aiming.space import Scene
from app.config import Settings
from app.physics import reference_space
from app.physics.envelope import unit_length
from app.physics.kernel import odds as kernel
from app.uncertainty import best, odds
from benchmarks import odds_reference

ROOT = Path(__file__).resolve().parents[1]
GRAVITY = 9.81  # m/s^2
SCENE = Scene(1.0, (1.0, -0.5), 0.06)
TARGET = (6.0, 2.0, 0.5)  # m


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(Settings())


@pytest.fixture(scope="module")
def unit(engine: Engine) -> float:
    return unit_length(engine.space.cannon)


def aimed(engine: Engine, target: tuple[float, float, float], scene: Scene) -> np.ndarray:
    shot = engine.aim_at(target, scene, tolerance=1e-6).row(0)
    assert shot["hit"]
    return np.array([shot["velocity"], shot["angle"], shot["azimuth"]])


def row_of(target: tuple[float, float, float], scene: Scene) -> np.ndarray:
    return np.asarray(scene.rows(np.array([target]), GRAVITY)[0])


def scattered(
    controls: np.ndarray, row: np.ndarray, moved: np.ndarray, spread: odds.Spread, unit: float
) -> np.ndarray:
    """(n, 2) m: the compiled physics' miss vectors (odds.misses gives only their lengths)."""
    out = np.empty((len(moved), 2))
    kernel.scatter(controls[0], controls[1], controls[2], row, odds.steps(spread, unit), moved, out)
    return out


def test_the_linearised_dispersion_is_the_scatter_of_tiny_perturbations(
    engine: Engine, unit: float
) -> None:
    controls, row = aimed(engine, TARGET, SCENE), row_of(TARGET, SCENE)
    spread = odds.Spread(0.1, velocity=1e-3, angle=1e-4, azimuth=1e-4, drag=1e-4, wind=1e-3)
    d = odds.dispersion(controls, row, spread, unit)
    misses = scattered(controls, row, odds.draws(spread, 20_000, 5), spread, unit)
    sample = np.cov(misses.T)
    # 20,000 samples: each entry of the sample covariance within a few percent
    assert np.linalg.norm(sample - d.covariance) <= 0.03 * np.linalg.norm(d.covariance)
    assert np.allclose(misses.mean(axis=0), d.miss, atol=3 * d.semi_axes[0] / math.sqrt(20_000))
    assert np.hypot(*d.miss) < 1e-5  # the exact aim: the RK4 landing within 10 um of DOP853's
    # the semi-axes and orientation are the covariance's eigen-decomposition
    values, vectors = np.linalg.eigh(d.covariance)
    assert d.semi_axes == pytest.approx((math.sqrt(values[1]), math.sqrt(values[0])), rel=1e-12)
    major = np.array([math.cos(d.orientation), math.sin(d.orientation)])
    assert abs(major @ vectors[:, 1]) == pytest.approx(1.0, abs=1e-12)
    # and its Jacobian is the scatter's own central differences, column by column
    out = np.empty(kernel.SENSE)
    kernel.sense(controls[0], controls[1], controls[2], row, odds.steps(spread, unit), out)
    jacobian = np.stack([out[3 : 3 + kernel.P], out[3 + kernel.P : 3 + 2 * kernel.P]])
    h = np.array([1e-5, 1e-6, 1e-6, 1e-6, 1e-5, 1e-5])
    moved = np.concatenate([np.diag(h), -np.diag(h)])
    flown = scattered(controls, row, moved, spread, unit)
    differences = (flown[: kernel.P] - flown[kernel.P :]).T / (2 * h)
    assert np.allclose(differences, jacobian, rtol=1e-5, atol=1e-5 * np.abs(jacobian).max())


def brute_force(miss: np.ndarray, covariance: np.ndarray, radius: float) -> float:
    """P(|x| <= radius), x ~ N(miss, covariance), by adaptive quadrature over the disk."""
    inverse = np.linalg.inv(covariance)
    scale = 1.0 / (2 * math.pi * math.sqrt(np.linalg.det(covariance)))

    def density(r: float, theta: float) -> float:
        x = np.array([r * math.cos(theta), r * math.sin(theta)]) - miss
        return float(scale * math.exp(-0.5 * x @ inverse @ x) * r)

    value, _ = dblquad(density, 0.0, 2 * math.pi, 0.0, radius, epsabs=1e-11, epsrel=1e-10)
    return float(value)


def dispersion(miss: tuple[float, float], covariance: np.ndarray) -> odds.Dispersion:
    """Only the miss and the covariance enter linearised_probability."""
    return odds.Dispersion(np.array(miss), covariance, (math.nan, math.nan), math.nan, 1.0)


def rotated(long: float, short: float, angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    turn = np.array([[c, -s], [s, c]])
    return np.asarray(turn @ np.diag([long**2, short**2]) @ turn.T)


@pytest.mark.parametrize(
    ("miss", "long", "short", "angle", "radius"),
    [
        ((0.0, 0.0), 0.1, 0.1, 0.0, 0.1),  # round: 1 - exp(-1/2)
        ((0.05, -0.02), 0.3, 0.05, 0.4, 0.1),  # long and thin, tilted, off centre
        ((0.2, 0.1), 0.08, 0.03, -1.2, 0.15),  # the target near the ellipse's edge
        ((0.0, 0.0), 2.0, 0.01, 0.7, 0.05),  # the circle far smaller than the long axis
        ((0.0, 0.0), 0.02, 0.01, 0.0, 0.3),  # the ellipse well inside the circle
    ],
)
def test_the_linearised_probability_is_the_normal_laws_mass_in_the_circle(
    miss: tuple[float, float], long: float, short: float, angle: float, radius: float
) -> None:
    covariance = rotated(long, short, angle)
    ours = odds.linearised_probability(dispersion(miss, covariance), radius)
    # the disk's half-chord has square-root ends: Gauss-Legendre gets them to ~1e-6
    assert ours == pytest.approx(brute_force(np.array(miss), covariance, radius), abs=1e-5)
    if long == short and miss == (0.0, 0.0):
        assert ours == pytest.approx(1 - math.exp(-0.5 * (radius / long) ** 2), abs=1e-5)


def test_the_linearised_probability_in_degenerate_cases() -> None:
    # zero spread across a tilted line: the normal along it, over the disk's chord
    angle, s, radius = 0.5, 0.2, 0.1
    along = np.array([math.cos(angle), math.sin(angle)])
    across = np.array([-along[1], along[0]])
    miss = 0.03 * along + 0.06 * across
    half = math.sqrt(radius**2 - 0.06**2)
    expected = ndtr((half - 0.03) / s) - ndtr((-half - 0.03) / s)
    line = np.outer(along, along) * s * s
    got = odds.linearised_probability(dispersion(tuple(miss), line), radius)
    # Gauss-Legendre across the whole diameter of a step at the chord's ends: 2.4e-4 off
    # (measured), far inside the Monte Carlo's own interval
    assert got == pytest.approx(expected, abs=5e-4)
    off = 0.11 * across  # the line passes outside the circle
    assert odds.linearised_probability(dispersion(tuple(off), line), radius) == 0.0
    zero = np.zeros((2, 2))  # no spread at all: the commanded shot hits or it does not
    assert odds.linearised_probability(dispersion((0.06, 0.07), zero), 0.1) == 1.0
    assert odds.linearised_probability(dispersion((0.08, 0.07), zero), 0.1) == 0.0
    far = dispersion((100.0, 0.0), rotated(0.1, 0.05, 0.3))
    assert odds.linearised_probability(far, 0.1) == 0.0
    nan = dispersion((math.nan, math.nan), np.full((2, 2), math.nan))  # never comes down
    assert odds.linearised_probability(nan, 0.1) == 0.0


def test_wilson_at_none_and_every_hit() -> None:
    z2 = odds.Z95**2
    # closed forms: (0, z^2 / (n + z^2)) and (n / (n + z^2), 1); the ends to rounding
    none, every = odds.wilson(0, 100), odds.wilson(100, 100)
    assert none == pytest.approx((0.0, z2 / (100 + z2)), rel=1e-12, abs=1e-15)
    assert every == pytest.approx((100 / (100 + z2), 1.0), rel=1e-12, abs=1e-15)
    assert odds.wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)  # the textbook's


def test_the_monte_carlo_is_reproducible_by_seed(engine: Engine, unit: float) -> None:
    controls, row = aimed(engine, TARGET, SCENE), row_of(TARGET, SCENE)
    spread = odds.Spread(0.15, velocity=0.1, angle=0.005, azimuth=0.005, drag=0.01, wind=0.5)
    _, first = odds.odds(controls, row, spread, unit, 4_000, 11)
    _, again = odds.odds(controls, row, spread, unit, 4_000, 11)
    _, other = odds.odds(controls, row, spread, unit, 4_000, 12)
    assert first == again
    assert other.monte_carlo != first.monte_carlo and other.seed == 12
    assert first.interval[0] < first.monte_carlo < first.interval[1]
    assert first.linearised == other.linearised  # no samples in it


def test_the_monte_carlo_agrees_with_the_reference_on_an_uncertain_drag(
    engine: Engine, unit: float
) -> None:
    scene = Scene(0.5, (-1.5, 0.0), 0.1)
    target = (4.5, 0.0, 1.0)
    controls, row = aimed(engine, target, scene), row_of(target, scene)
    spread = odds.Spread(0.12, velocity=0.1, angle=0.004, azimuth=0.004, drag=0.02, wind=0.4)
    _, ours = odds.odds(controls, row, spread, unit, 10_000, 21)
    moved = odds_reference.draws(spread, 2_000, 22)
    judged = odds_reference.misses(controls, row, moved)
    hits = int(np.sum(np.hypot(judged[:, 0], judged[:, 1]) <= spread.hit_radius))
    theirs = odds.wilson(hits, 2_000)
    assert theirs[0] <= ours.interval[1] and ours.interval[0] <= theirs[1]  # they overlap
    assert 0.05 < ours.monte_carlo < 0.95  # a case that can tell
    # shot by shot on the same perturbations: the compiled flight lands within a hundredth
    # of the hit radius of the reference's (what odds.steps is chosen for)
    flown = scattered(controls, row, moved, spread, unit)
    assert np.isfinite(judged).all() and np.isfinite(flown).all()
    assert np.abs(flown - judged).max() <= 0.01 * spread.hit_radius
    # and the reference itself is the single-shot reference's landing
    for d, miss in zip(moved[:3], judged[:3], strict=True):
        alone = reference_space.intercept(
            controls[0] + d[0], controls[1] + d[1], controls[2] + d[2], target,
            wind=(row[1] + d[4], row[2] + d[5]), drag=max(row[3] + d[3], 0.0),
            launch_height=row[0], gravity=GRAVITY,
        )  # fmt: skip
        assert np.hypot(*miss) == pytest.approx(alone.miss, abs=1e-9)


def test_the_best_odds_aim_is_never_worse_and_gains_at_the_edge_of_reach(
    engine: Engine, unit: float
) -> None:
    cannon = engine.space.cannon
    scene = Scene(1.0, (1.0, 0.0), 0.05)
    far = float(engine.reach_at((1.0, 0.0, 0.5), scene, Constraint()).farthest[0])
    target = (0.95 * far, 0.0, 0.5)
    controls, row = aimed(engine, target, scene), row_of(target, scene)
    spread = odds.Spread(0.1, velocity=0.1, angle=0.005, azimuth=0.005, drag=0.002, wind=0.3)
    limits = np.array([[cannon.min_velocity, cannon.max_velocity], [1e-9, math.pi / 2 - 1e-9],
                       [-math.pi, math.pi]])  # fmt: skip
    found = best.best(controls, row, spread, unit, np.ones(3, bool), limits, 5_000, 31)
    # its figures are the plain hit rates of both aims on its own samples, and never worse
    judge = odds.draws(spread, 5_000, 31)
    for aim, p in ((controls, found.exact_probability), (found.controls, found.probability)):
        assert np.mean(odds.misses(aim, row, judge, spread, unit) <= 0.1) == p
    assert found.probability >= found.exact_probability and found.gained
    assert (limits[:, 0] <= found.controls).all() and (found.controls <= limits[:, 1]).all()
    # the gain holds by the reference on samples the optimiser never saw, paired
    moved = odds_reference.draws(spread, 5_000, 32)
    diff = odds_reference.hits(found.controls, row, moved, 0.1).astype(float) - (
        odds_reference.hits(controls, row, moved, 0.1)
    )
    assert diff.mean() - 1.96 * diff.std(ddof=1) / math.sqrt(len(diff)) > 0.0
    # held at the cannon's top speed well inside its reach, nothing to gain: the exact aim
    held = Constraint(velocity=cannon.max_velocity)
    near = (0.5 * far, 0.0, 0.5)
    shot = engine.aim_at(near, scene, held, tolerance=1e-6).row(0)
    exact = np.array([shot["velocity"], shot["angle"], shot["azimuth"]])
    kept = best.best(exact, row_of(near, scene), spread, unit, np.array([False, True, True]),
                     limits, 5_000, 41)  # fmt: skip
    assert kept.probability >= kept.exact_probability and kept.controls[0] == exact[0]
    if not kept.gained:
        assert (kept.controls == exact).all() and kept.probability == kept.exact_probability


def test_the_odds_benchmark_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "odds.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.odds", "--cases", "3", "--reference-samples", "2000",
         "--best-samples", "2000", "--best-rounds", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    figures = json.loads(out.read_text())
    assert len(figures["cases"]) == 3 and len(figures["best"]) == 12
    for r in figures["cases"]:
        assert r["reference_samples"] == 2000 and r["ms"] > 0
        for key in ("reference", "monte_carlo", "linearised", "linearised_error"):
            assert 0.0 <= r[key] <= 1.0 and f"{r[key]:.4f}" in run.stdout
        assert r["inside"] == (r["interval"][0] <= r["reference"] <= r["interval"][1])
        # the same perturbations: the two flights call the same shots hits (a landing within
        # a hundredth of the radius of its edge may go either way)
        assert r["common_samples"] == 2000 and r["common_disagreements"] <= 4
        assert f"{r['ms']:.1f}" in run.stdout and r["case"] in run.stdout
    for r in figures["best"]:
        assert r["case"] in run.stdout and f"{r['gain']:+.4f}" in run.stdout
        assert f"{r['reference_exact']:.4f}" in run.stdout
        assert r["gain"] == pytest.approx(r["reference_best"] - r["reference_exact"], abs=1e-12)
        assert r["gain_interval"][0] <= r["gain"] <= r["gain_interval"][1]
    goals = figures["goals"]
    assert set(goals["met"]) == {"inside", "time", "linearised", "best"}
    assert run.stdout.count("goal: ") == 4
    for line in run.stdout.splitlines():
        if line.startswith("goal: "):
            assert " met (" in line or " NOT met (" in line
