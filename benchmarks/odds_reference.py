"""The judge of the hit probability (benchmarks/odds.py, tests/test_odds.py): many perturbed
3D shots flown through scipy's DOP853 at 1e-11, independent of the compiled physics
(app/physics/kernel/odds.py) the service samples through.

A chunk of samples is one ODE system (6 states a sample, component-major), stepped by
scipy's DOP853 class until every sample has come down through the target's height or is
below it and sinking from it. In each step where samples come down through it, each one's
crossing is placed by bisection on that step's dense output, evaluated for those samples'
own components only (and a shot that rises through the height and falls back inside one
step, below it at both ends, is caught by its apex): the same answer as a whole-run dense_output
without holding every step's interpolant for 60,000 states in memory.

The perturbations are drawn here, not by app/uncertainty/odds.draws: standard normals
times the sigmas in the order velocity, elevation, azimuth, drag, wind x, wind y (what the
issue asks), a drawn drag below 0 being 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.integrate import DOP853

TOLERANCE = 1e-11  # DOP853's rtol and atol
CHUNK = 10_000  # samples integrated together
HORIZON = 120.0  # s: far past any flight at these scales


def draws(spread: Any, samples: int, seed: int) -> np.ndarray:
    """(samples, 6) perturbations of (v m/s, elevation rad, azimuth rad, drag 1/m, wind x,
    wind y m/s), each an independent normal with the spread's standard deviation."""
    sigmas = [spread.velocity, spread.angle, spread.azimuth, spread.drag, spread.wind, spread.wind]
    return np.asarray(np.random.default_rng(seed).standard_normal((samples, 6)) * np.array(sigmas))


def _target(row: np.ndarray, t: np.ndarray | float, axis: int) -> Any:
    """The target's coordinate (m) on `axis` (0 x, 1 y, 2 z) at time t (s); row as
    app/physics/kernel/space.SCENE."""
    return row[5 + axis] + row[8 + axis] * t + 0.5 * row[11 + axis] * t * t


def _evaluate(dense: Any, idx: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Components idx of DOP853's dense output for the last step, each at its own time t."""
    x = (t - dense.t_old) / dense.h
    y = np.zeros(len(idx))
    for i, f in enumerate(reversed(dense.F)):
        y += f[idx]
        y *= x if i % 2 == 0 else 1 - x
    return np.asarray(y + dense.y_old[idx])


def _chunk(controls: np.ndarray, row: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """(m, 2) misses (x, y, m) of one chunk; NaN where a shot never comes down."""
    m = len(moved)
    v, el, az = controls[0] + moved[:, 0], controls[1] + moved[:, 1], controls[2] + moved[:, 2]
    k = np.maximum(row[3] + moved[:, 3], 0.0)
    wx, wy, g = row[1] + moved[:, 4], row[2] + moved[:, 5], row[4]

    def rates(_: float, s: np.ndarray) -> np.ndarray:
        x = s.reshape(6, m)
        rx, ry, vz = x[3] - wx, x[4] - wy, x[5]
        pull = k * np.sqrt(rx * rx + ry * ry + vz * vz)
        return np.concatenate([x[3], x[4], x[5], -pull * rx, -pull * ry, -g - pull * vz])

    start = np.concatenate([
        np.zeros(m), np.zeros(m), np.full(m, row[0]),
        v * np.cos(el) * np.cos(az), v * np.cos(el) * np.sin(az), v * np.sin(el),
    ])  # fmt: skip
    solver = DOP853(rates, 0.0, start, HORIZON, rtol=TOLERANCE, atol=TOLERANCE)
    out = np.full((m, 2), np.nan)
    flying = np.ones(m, dtype=bool)
    t_old, y_old = 0.0, start
    while flying.any() and solver.status == "running":
        solver.step()
        t, y = solver.t, solver.y
        before = y_old[2 * m : 3 * m] - _target(row, t_old, 2)
        after = y[2 * m : 3 * m] - _target(row, t, 2)
        rising = y_old[5 * m :] - (row[10] + row[13] * t_old) > 0.0
        sinking = y[5 * m :] - (row[10] + row[13] * t) < 0.0
        down = flying & (before >= 0.0) & (after < 0.0)
        # Below the height at both ends with the apex between: it may have risen through the
        # height and come down again inside the step (a grazing shot).
        grazing = flying & (before < 0.0) & (after < 0.0) & rising & sinking
        low = np.full(m, t_old)
        if down.any() or grazing.any():
            dense = solver.dense_output()
            if grazing.any():
                rows = np.flatnonzero(grazing)
                apex = _root(dense, row, rows, m, np.full(len(rows), t_old), t, 5)
                above = _evaluate(dense, 2 * m + rows, apex) - _target(row, apex, 2) >= 0.0
                low[rows[above]] = apex[above]
                down[rows[above]] = True
            rows = np.flatnonzero(down)
            tau = _root(dense, row, rows, m, low[rows], t, 2)
            out[rows, 0] = _evaluate(dense, rows, tau) - _target(row, tau, 0)
            out[rows, 1] = _evaluate(dense, m + rows, tau) - _target(row, tau, 1)
            flying &= ~down
        flying &= ~((after < 0.0) & sinking)  # below the target's height, falling away from it
        t_old, y_old = t, y.copy()
    return out


def _root(
    dense: Any, row: np.ndarray, rows: np.ndarray, m: int, low: np.ndarray, high: float, axis: int
) -> np.ndarray:
    """Where samples `rows` pass down through the target's height (axis 2) or its vertical
    speed (axis 5) between `low` (each sample's own, at or above it there) and `high` (below),
    by bisection on the step's dense output: 60 halvings, far below DOP853's own error."""
    low, high_ = low.copy(), np.full(len(rows), high)
    for _ in range(60):
        mid = 0.5 * (low + high_)
        gap = _evaluate(dense, axis * m + rows, mid) - (
            _target(row, mid, 2) if axis == 2 else row[10] + row[13] * mid
        )
        low, high_ = np.where(gap >= 0.0, mid, low), np.where(gap < 0.0, mid, high_)
    return np.asarray(0.5 * (low + high_))


def misses(controls: np.ndarray, row: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """(n, 2) m: each perturbed shot's miss (shot minus target, x and y) where it comes down
    through the target's height; NaN where it never does. controls: (v m/s, elevation rad,
    azimuth rad); row: the compiled scene (app/physics/kernel/space.SCENE); moved: (n, 6)."""
    return np.concatenate(
        [
            _chunk(np.asarray(controls), row, moved[i : i + CHUNK])
            for i in range(0, len(moved), CHUNK)
        ]
    )


def hits(controls: np.ndarray, row: np.ndarray, moved: np.ndarray, radius: float) -> np.ndarray:
    """(n,) bool: each perturbed shot lands within `radius` (m) of the target."""
    miss = misses(controls, row, moved)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.hypot(miss[:, 0], miss[:, 1]) <= radius)
