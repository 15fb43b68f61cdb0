"""Calibration: the air and the cannon's muzzle speed from where observed shots landed.

Each observed shot was fired with commanded controls (velocity, elevation, azimuth) from its
launch height and came down through its target height at `landed` (x, y m from the muzzle;
in the 2D form only the distance along the line of fire is seen), perhaps after a timed
`flight_time`. The unknowns, any of:

- `drag` k (1/m, at least 0);
- `wind` (m/s): along the line of fire in the 2D form, both horizontal components in 3D;
- `velocity_bias` b: the cannon fires b times the commanded velocity (1 = exact).

Weighted least squares with optional normal priors, by Levenberg-Marquardt in scaled
parameters (drag at least 0, the bias within a factor MAX_BIAS of 1), from a few drags
(STARTS), no wind and an exact cannon (or the priors' means): no guess is asked of the
user. Every predicted landing and its
derivatives in all parameters come from one compiled flight with its variational equations
(kernel/odds.sense; the bias's derivative is v times the velocity's). The standard errors
are the linearised ones, sigma^2 (J^T J + prior precision)^-1 with sigma as given (not
re-estimated from the residuals: six shots say little about their own noise).

When the information matrix is singular to working precision the shots cannot tell the
asked parameters apart; `NotIdentifiable` names them and the shot that would separate them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from app import cancel
from app.physics.kernel import odds as kernel
from app.physics.kernel import space
from app.physics.kernel.solve import steps_for
from app.uncertainty import descent, identify
from app.uncertainty.identify import MAX_BIAS, BadShot, NotIdentifiable

PARAMETERS = ("drag", "wind", "velocity_bias")
# The starts, tried in turn until one ends in a cost noise could give (`descent.enough`): the drag
# as k v^2 / g (v the fastest shot's) and the bias as a factor of the least that brings
# every shot up to its target height (`_climbing_bias`). From drag 0 alone, on its bound,
# where the wind moves nothing, the descent stalled in 14 of 60 synthetic 3D fits of drag,
# wind and bias; from drag 0.5 and bias 1 alone, 7 of 400 fits stopped far from the minimum
# or started where a shot never came down (benchmarks/calibration.py).
STARTS = ((0.5, 1.0), (1.0, 1.0), (0.5, 1.05), (0.2, 1.0), (2.0, 1.0), (1.0, 0.95), (0.0, 1.0))


@dataclass(frozen=True)
class Shots:
    """n observed shots: (n,) arrays unless said."""

    velocity: np.ndarray  # m/s, commanded
    angle: np.ndarray  # rad, the elevation
    azimuth: np.ndarray  # rad
    landed: np.ndarray  # (n, 2) m, where it came down through the target height
    launch_height: np.ndarray  # m
    target_height: np.ndarray  # m
    flight_time: np.ndarray  # s; NaN where not timed


@dataclass(frozen=True)
class Problem:
    shots: Shots
    sigma: float  # m, each landing coordinate's noise
    fit: tuple[str, ...]  # a subset of PARAMETERS
    gravity: float  # m/s^2
    plane: bool = False  # the 2D form: only landed x is seen, the wind is along x
    time_sigma: float = math.nan  # s, the flight times' noise (needed when any is given)
    known: dict[str, float] = field(default_factory=dict)  # drag, wind_x, wind_y, velocity_bias
    priors: dict[str, tuple[float, float]] = field(default_factory=dict)  # name: (mean, sd)

    def names(self) -> list[str]:
        """The fitted parameters one by one: the wind is wind_x (and wind_y in 3D)."""
        out = []
        for name in PARAMETERS:
            if name in self.fit:
                out += (
                    (["wind_x"] if self.plane else ["wind_x", "wind_y"])
                    if name == "wind"
                    else [name]
                )
        return out


@dataclass(frozen=True)
class Calibration:
    names: list[str]
    values: np.ndarray  # (p,) drag 1/m, wind m/s, bias 1
    standard_errors: np.ndarray  # (p,)
    correlation: np.ndarray  # (p, p)
    residuals: np.ndarray  # (n, 2) m: observed minus predicted landing (y 0 in 2D)
    time_residuals: np.ndarray  # (n,) s; NaN where not timed
    rms: float  # m, over the landing coordinates seen
    chi_square: float  # the residuals over their sigmas, squared and summed
    degrees_of_freedom: int  # numbers seen minus parameters fitted
    air: dict[str, float]  # every parameter, fitted or known: drag, wind_x, wind_y, velocity_bias
    iterations: int


def _scales(problem: Problem) -> dict[str, float]:
    """Typical sizes, so the damping treats the parameters alike: drag at the shots' own
    length scale v^2/g, winds a tenth of the shots' speed, the bias a percent."""
    v = float(np.max(problem.shots.velocity))
    return {
        "drag": problem.gravity / v**2,
        "wind_x": 0.1 * v,
        "wind_y": 0.1 * v,
        "velocity_bias": 0.01,
    }


def _air(problem: Problem, names: list[str], theta: np.ndarray) -> dict[str, float]:
    air = {"drag": 0.0, "wind_x": 0.0, "wind_y": 0.0, "velocity_bias": 1.0}
    air.update({k: v for k, v in problem.known.items() if k in air})
    air.update(zip(names, (float(t) for t in theta), strict=True))
    return air


def _predict(
    problem: Problem, names: list[str], theta: np.ndarray, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Residuals (observed minus predicted, over their sigmas) and their Jacobian in theta
    (of the predictions, over the sigmas). NaN residuals where a shot never comes down."""
    cancel.checkpoint()  # a fit of many shots from several starts can outlast its request
    s, air = problem.shots, _air(problem, names, theta)
    rows, jac = [], []
    out, scene = np.empty(kernel.SENSE), np.zeros(len(space.SCENE))
    columns = {"velocity_bias": 0, "drag": 3, "wind_x": 4, "wind_y": 5}
    p = kernel.P
    for i in range(len(s.velocity)):
        scene[:5] = s.launch_height[i], air["wind_x"], air["wind_y"], air["drag"], problem.gravity
        scene[7] = s.target_height[i]
        v = s.velocity[i] * air["velocity_bias"]
        kernel.sense(v, s.angle[i], s.azimuth[i], scene, steps, out)
        seen = [(0, s.landed[i, 0], problem.sigma)]
        if not problem.plane:
            seen.append((1, s.landed[i, 1], problem.sigma))
        if not math.isnan(s.flight_time[i]):
            seen.append((2, s.flight_time[i], problem.time_sigma))
        for row, observed, sigma in seen:
            rows.append((observed - out[row]) / sigma)
            slope = out[3 + row * p : 3 + (row + 1) * p]
            jac.append(
                [
                    slope[columns[n]] * (s.velocity[i] if n == "velocity_bias" else 1.0) / sigma
                    for n in names
                ]
            )
    return np.array(rows), np.array(jac).reshape(len(rows), len(names))


def _prior(problem: Problem, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The priors' means and precisions (1/sd^2) per fitted parameter; 0 where none."""
    mean, precision = np.zeros(len(names)), np.zeros(len(names))
    for j, n in enumerate(names):
        key = "wind" if n.startswith("wind") else n
        if key in problem.priors:
            mean[j], sd = problem.priors[key]
            precision[j] = 1.0 / sd**2
    return mean, precision


def calibrate(problem: Problem) -> Calibration:
    """The fit; NotIdentifiable or BadShot when the shots cannot give one."""
    identify.check_shots(problem)
    names = problem.names()
    scale = np.array([_scales(problem)[n] for n in names])
    low = np.array(
        [0.0 if n == "drag" else 1 / MAX_BIAS if n == "velocity_bias" else -np.inf for n in names]
    )
    high = np.array([MAX_BIAS if n == "velocity_bias" else np.inf for n in names])
    mean, precision = _prior(problem, names)
    start = {"drag": 0.0, "wind_x": 0.0, "wind_y": 0.0, "velocity_bias": 1.0}
    start.update({n: m for n, m, p in zip(names, mean, precision, strict=True) if p > 0})
    prior = (mean, precision)
    unit = float(np.max(problem.shots.velocity) ** 2 / problem.gravity)
    steps = int(steps_for(0.01 * problem.sigma, unit, 32, 256))
    free_drag = "drag" in names and precision[names.index("drag")] == 0
    free_bias = "velocity_bias" in names and precision[names.index("velocity_bias")] == 0
    climbing = _climbing_bias(problem)
    seen = len(_predict(problem, names, np.array([start[n] for n in names]), steps)[0])
    enough = descent.enough(seen - len(names))
    best = None
    for drag, bias in STARTS if free_drag or free_bias else STARTS[:1]:
        if free_drag:
            start["drag"] = drag * scale[names.index("drag")]
        if free_bias:
            start["velocity_bias"] = min(bias * climbing, MAX_BIAS)
        theta = np.clip(np.array([start[n] for n in names]), low, high)
        found = descent.descend(
            lambda t: _predict(problem, names, t, steps), theta, scale, (low, high), prior
        )
        if best is None or found[0] < best[0]:
            best = found
        if best[0] <= enough:
            break
    assert best is not None
    cost, theta, r, J, used = best
    if not math.isfinite(cost):  # from every start some shot never came down: which one
        _verified(problem, _air(problem, names, theta))
    return _answer(problem, names, theta, r, J, precision, used)


def _climbing_bias(problem: Problem) -> float:
    """The start's bias: 1, or, where a shot at its commanded velocity would not climb to its
    target height even in a vacuum (yet it was seen coming down there), a little more than
    it takes to."""
    s = problem.shots
    rise = np.maximum(s.target_height - s.launch_height, 0.0)
    up = s.velocity * np.sin(s.angle)  # m/s
    climb = np.sqrt(2.0 * problem.gravity * rise)  # m/s up it takes to reach the height
    with np.errstate(over="ignore"):  # a shot fired nearly flat needs any bias: inf
        ratio = np.divide(climb, up, out=np.where(climb > 0, np.inf, 0.0), where=up > 0)
    needed = float(np.max(ratio))
    return min(max(1.0, 1.02 * needed), MAX_BIAS)


def information(problem: Problem, air: dict[str, float]) -> np.ndarray:
    """The Fisher information (J^T J over the sigmas squared, plus the priors' precision) of
    the fitted parameters (problem.names(), in order) at the given air: its inverse at the
    truth is the Cramer-Rao bound that benchmarks/calibration.py holds the fits to."""
    names = problem.names()
    unit = float(np.max(problem.shots.velocity) ** 2 / problem.gravity)
    steps = int(steps_for(0.01 * problem.sigma, unit, 32, 256))
    _, J = _predict(problem, names, np.array([air[n] for n in names]), steps)
    precision = _prior(problem, names)[1]
    return np.asarray(J.T @ J + np.diag(precision))


def _answer(
    problem: Problem,
    names: list[str],
    theta: np.ndarray,
    r: np.ndarray,
    J: np.ndarray,
    precision: np.ndarray,
    iterations: int,
) -> Calibration:
    information = J.T @ J + np.diag(precision)
    identify.check(problem, names, information)
    covariance = np.linalg.inv(information)
    se = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(se, se)
    np.fill_diagonal(correlation, 1.0)
    air = _air(problem, names, theta)
    residuals, times = _verified(problem, air)
    seen = residuals[:, 0] if problem.plane else residuals.ravel()
    return Calibration(
        names,
        theta,
        se,
        correlation,
        residuals,
        times,
        float(np.sqrt(np.mean(seen**2))),
        float(r @ r),
        len(r) - len(names),
        air,
        iterations,
    )


def _verified(problem: Problem, air: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The residuals by the verifier (DOP853), not the fit's RK4: what the user sees."""
    s = problem.shots
    n = len(s.velocity)
    residuals, times = np.empty((n, 2)), np.full(n, math.nan)
    scene, met = np.zeros(len(space.SCENE)), np.empty(6)
    for i in range(n):
        scene[:5] = s.launch_height[i], air["wind_x"], air["wind_y"], air["drag"], problem.gravity
        scene[7] = s.target_height[i]
        v = s.velocity[i] * air["velocity_bias"]
        space.meet(v, s.angle[i], s.azimuth[i], scene, 0.02 * v / problem.gravity, 1e-11, met)
        if math.isnan(met[0]):
            raise BadShot(i, "at the fitted air it never comes down through its target_height")
        residuals[i] = s.landed[i, 0] - met[0], 0.0 if problem.plane else s.landed[i, 1] - met[1]
        if not math.isnan(s.flight_time[i]):
            times[i] = s.flight_time[i] - met[3]
    return residuals, times


__all__ = [
    "BadShot",
    "Calibration",
    "NotIdentifiable",
    "Problem",
    "Shots",
    "calibrate",
    "information",
]
