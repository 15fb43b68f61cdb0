"""Newton in 3D for the descending meeting (app/physics/kernel/intercept.py's refinement):
damped steps on the miss vector with RK4's 2x3 Jacobian (`space.slopes`), and the search
along a free shot's hits for the lowest velocity.
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel import space
from app.physics.kernel.flight import jit
from app.physics.kernel.solve import ANGLE, EDGE, FREE, HIGH, LOW, SLOWEST

RAISE = 8  # times a start that never comes down is raised
GAIN = 1e-6  # of v_max: a velocity gain too small to chase
LOWEST = 12  # secant steps toward the lowest velocity


@jit
def _solve2(a: float, b: float, c: float, d: float, r0: float, r1: float) -> tuple[float, float]:
    """[[a, b], [c, d]] x = -(r0, r1)."""
    det = a * d - b * c
    if det == 0.0:
        return math.nan, math.nan
    return (-(d * r0 - b * r1) / det, -(-c * r0 + a * r1) / det)


@jit
def step(mode: int, res: np.ndarray, scale: np.ndarray) -> tuple[float, float, float]:
    """Newton's step in (v, el, az) for the miss and Jacobian in res (space.slopes' layout)."""
    r0, r1 = res[0], res[1]
    J = res[2:8].reshape(2, 3)
    if mode == FREE:  # minimum norm in scaled controls: -S J^T (J S^2 J^T)^-1 r
        a = b = d = 0.0
        for j in range(3):
            s2 = scale[j] * scale[j]
            a += J[0, j] * J[0, j] * s2
            b += J[0, j] * J[1, j] * s2
            d += J[1, j] * J[1, j] * s2
        y0, y1 = _solve2(a, b, b, d, r0, r1)
        return (
            scale[0] ** 2 * (J[0, 0] * y0 + J[1, 0] * y1),
            scale[1] ** 2 * (J[0, 1] * y0 + J[1, 1] * y1),
            scale[2] ** 2 * (J[0, 2] * y0 + J[1, 2] * y1),
        )
    if mode == ANGLE:  # (v, az)
        dv, daz = _solve2(J[0, 0], J[0, 2], J[1, 0], J[1, 2], r0, r1)
        return dv, 0.0, daz
    de, daz = _solve2(J[0, 1], J[0, 2], J[1, 1], J[1, 2], r0, r1)
    return 0.0, de, daz


@jit
def newton(
    v: float,
    el: float,
    az: float,
    sc: np.ndarray,
    mode: int,
    h: float,
    tol: float,
    limits: np.ndarray,
    budget: int,
    res: np.ndarray,
) -> tuple[float, float, float, int, float]:
    """Damped Newton from (v, el, az) toward a horizontal miss <= tol; (v, el, az, steps,
    RK4's miss m), and in res (SLOPES,) RK4's slopes there. A start that never comes down
    through the target's height is first raised (faster, or steeper at a fixed velocity)
    until it does."""
    vmax, amin, amax = limits[1], limits[2] + EDGE, limits[3] - EDGE
    scale = np.array([vmax, amax - amin, math.pi])
    trial = np.empty(space.SLOPES)
    space.slopes(v, el, az, sc, h, res)
    raised = 0
    while math.isnan(res[0]) and raised < RAISE:
        if mode in (LOW, HIGH):
            el += 0.25 * (amax - el)
        else:
            v = min(1.2 * v, vmax)
        raised += 1
        space.slopes(v, el, az, sc, h, res)
    for it in range(raised, budget):
        miss = math.hypot(res[0], res[1])
        if miss <= tol or math.isnan(miss):
            return v, el, az, it, miss
        dv, de, da = step(mode, res, scale)
        if not (math.isfinite(dv) and math.isfinite(de) and math.isfinite(da)):
            return v, el, az, it, miss
        factor, improved = 1.0, False
        for _ in range(12):
            tv = min(max(v + factor * dv, SLOWEST), vmax)
            te = min(max(el + factor * de, amin), amax)
            ta = az + factor * da
            space.slopes(tv, te, ta, sc, h, trial)
            if math.hypot(trial[0], trial[1]) < miss:
                improved = True
                break
            factor *= 0.5
        if not improved:
            return v, el, az, it + 1, miss
        v, el, az = tv, te, ta
        res[:] = trial
    return v, el, az, budget, math.hypot(res[0], res[1])


@jit
def lowest(
    v: float, el: float, az: float, sc: np.ndarray, h: float, tol: float, limits: np.ndarray,
    budget: int, res: np.ndarray,
) -> tuple[float, float, float, int]:  # fmt: skip
    """From a hit (v, el, az), the hit with the lowest velocity: the hits form a curve, one
    per elevation (the velocity and azimuth solved at it); the velocity is lowest where its
    slope along the curve, dv/d el = -(J_v, J_az)^-1 J_el, is zero: secant steps on that slope,
    each elevation solved by Newton from the tangent's prediction. res (SLOPES,): RK4's slopes
    at the start, in; at the answer, out. Returns (v, el, az, steps)."""
    amin, amax = limits[2] + EDGE, limits[3] - EDGE
    solved = np.empty(space.SLOPES)
    last_el, last_slope, taken = math.nan, math.nan, 0
    for _ in range(LOWEST):
        J = res[2:8].reshape(2, 3)
        slope, turn = _solve2(J[0, 0], J[0, 2], J[1, 0], J[1, 2], J[0, 1], J[1, 1])
        if not (math.isfinite(slope) and math.isfinite(turn)) or abs(slope) <= 1e-9 * limits[1]:
            break
        if math.isfinite(last_slope) and slope != last_slope:
            step = -slope * (el - last_el) / (slope - last_slope)
        else:  # Newton on the vacuum's curvature: v(el) ~ v* (1 + (el - el*)^2) near el*
            step = min(max(-slope / (2 * v), -0.02), 0.02)
        reach = min(0.2, 0.1 * limits[1] / abs(slope))  # a tenth of v_max at most, predicted
        step = min(max(step, -reach), reach)
        if abs(slope * step) <= GAIN * limits[1]:  # it would gain about half of this: done
            break
        moved = False
        for _ in range(4):
            te = min(max(el + step, amin), amax)
            tv, ta = v + slope * (te - el), az + turn * (te - el)
            nv, _, na, n, miss = newton(tv, te, ta, sc, ANGLE, h, tol, limits, budget, solved)
            taken += n
            if miss <= tol and nv < v:
                moved = True
                break
            step *= 0.5
        if not moved:
            break
        last_el, last_slope = el, slope
        v, el, az = nv, te, na
        res[:] = solved
    return v, el, az, taken
