"""Meeting a moving target at any point of the flight, rising or falling (`intercept: "any"`):
the miss is the 3D distance of closest approach, the meaning ballistic-solver gives it.

Newton on the 3D gap at the meeting time, with that time as an unknown beside the controls:
shot(t) - target(t) = 0, three equations, its Jacobian from RK4's variational equations
(`approach.state_at`) and the relative velocity (d/dt). Unknowns by mode: LOW and HIGH (velocity
fixed) (elevation, azimuth, t); ANGLE (velocity, azimuth, t); FREE (all four, the minimum-norm
step), started from the descending intercept's lowest shot, which meets a target on the way
down. The fixed modes start from the vacuum's shot on their arc at the target's predicted
place, which is where the flattest (LOW) or steepest (HIGH) meeting lies. Every answer is
verified by DOP853's closest approach over the whole flight (`approach.closest`).

Rows of `out` as app/physics/kernel/intercept.py's, the miss in 3D.
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel import approach, intercept, space
from app.physics.kernel.aim import Weights
from app.physics.kernel.flight import jit
from app.physics.kernel.solve import (
    ANGLE,
    CORRECTIONS,
    EDGE,
    FREE,
    SLOWEST,
    space_steps,
    verifier_rtol,
)  # fmt: skip


@jit
def gap(
    v: float, el: float, az: float, t: float, sc: np.ndarray, steps: int, st: np.ndarray,
    res: np.ndarray, J: np.ndarray,
) -> None:  # fmt: skip
    """res (3,): shot minus target at time t (m); J (3, 4): its derivatives in v, el, az, t."""
    approach.state_at(v, el, az, sc, t, steps, st)
    for axis in range(3):
        res[axis] = st[axis] - space.target_at(sc, t, axis)
        J[axis, 0], J[axis, 1], J[axis, 2] = st[6 + axis], st[12 + axis], st[18 + axis]
        J[axis, 3] = st[3 + axis] - (sc[8 + axis] + sc[11 + axis] * t)


@jit
def _step(mode: int, res: np.ndarray, J: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Newton's step in (v, el, az, t); NaN where the Jacobian is singular or not finite (a
    flight far past any reach overflows; numba's linear algebra refuses what is not finite)."""
    step = np.zeros(4)
    if not (np.all(np.isfinite(J)) and np.all(np.isfinite(res))):
        step[:] = math.nan
        return step
    if mode == FREE:  # minimum norm in scaled unknowns
        Js = J * scale  # (3, 4)
        A = Js @ Js.T
        if not np.all(np.isfinite(A)) or abs(np.linalg.det(A)) < 1e-300:  # overflowed, singular
            step[:] = math.nan
            return step
        y = np.linalg.solve(A, res)
        step[:] = -(Js.T @ y) * scale
        return step
    cols = (0, 2, 3) if mode == ANGLE else (1, 2, 3)
    A = np.empty((3, 3))
    for j in range(3):
        A[:, j] = J[:, cols[j]]
    if abs(np.linalg.det(A)) < 1e-300:
        step[:] = math.nan
        return step
    x = np.linalg.solve(A, -res)
    for j in range(3):
        step[cols[j]] = x[j]
    return step


@jit
def newton(
    x: np.ndarray, sc: np.ndarray, mode: int, steps: int, tol: float, limits: np.ndarray,
    budget: int,
) -> tuple[int, float]:  # fmt: skip
    """Damped Newton on x = (v, el, az, t) in place toward |gap| <= tol; (steps, |gap|)."""
    vmax, amin, amax = limits[1], limits[2] + EDGE, limits[3] - EDGE
    scale = np.array([vmax, amax - amin, math.pi, max(x[3], 1e-9)])
    st, res, J = np.empty(space.N), np.empty(3), np.empty((3, 4))
    trial, tres, tJ = np.empty(4), np.empty(3), np.empty((3, 4))
    gap(x[0], x[1], x[2], x[3], sc, steps, st, res, J)
    miss = math.sqrt(res @ res)
    for it in range(budget):
        if miss <= tol or not math.isfinite(miss):
            return it, miss
        step = _step(mode, res, J, scale)
        if not np.all(np.isfinite(step)):
            return it, miss
        factor = 1.0
        for _ in range(12):
            trial[0] = min(max(x[0] + factor * step[0], SLOWEST), vmax)
            trial[1] = min(max(x[1] + factor * step[1], amin), amax)
            trial[2] = x[2] + factor * step[2]
            trial[3] = max(x[3] + factor * step[3], 1e-9 * scale[3])
            gap(trial[0], trial[1], trial[2], trial[3], sc, steps, st, tres, tJ)
            tmiss = math.sqrt(tres @ tres)
            if tmiss < miss:
                break
            factor *= 0.5
        if not tmiss < miss:
            return it + 1, miss
        x[:] = trial
        res[:], J[:] = tres, tJ
        miss = tmiss
    return budget, miss


@jit
def aim(
    sc: np.ndarray, mode: int, fixed: float, tol: float, refine: bool, limits: np.ndarray,
    weights: Weights, budget: int, out: np.ndarray,
) -> None:  # fmt: skip
    """Meet the target in `sc` at any point of the flight; into out (intercept.COLUMNS,)."""
    g, vmax = limits[0], limits[1]
    unit = vmax * vmax / g
    steps, rtol, aim_at = (
        space_steps(tol, unit, sc[3], limits, mode),
        verifier_rtol(tol, unit),
        tol / 4,
    )
    x = np.empty(4)
    taken, miss = 0, math.inf
    if mode == FREE or not refine:  # the descending intercept's shot
        intercept.aim(sc, mode, fixed, tol, refine, limits, weights, budget, out)
        x[0], x[1], x[2], x[3] = out[2], out[0], out[1], out[3]
        taken = int(out[9])
    else:
        intercept.vacuum_start(sc, mode, fixed, g, x)
    if refine and math.isfinite(x[3]):
        n, miss = newton(x, sc, mode, steps, aim_at, limits, budget)
        taken += n
    if refine and mode != FREE and not miss <= aim_at:  # from the descending intercept instead
        intercept.aim(sc, mode, fixed, tol, refine, limits, weights, budget, out)
        y = np.array([out[2], out[0], out[1], out[3]])
        taken += int(out[9])
        if math.isfinite(y[3]):
            n, other = newton(y, sc, mode, steps, aim_at, limits, budget)
            taken += n
            if other < miss or not math.isfinite(miss):
                x[:], miss = y, other
    met = np.empty(6)
    h0 = 0.02 * x[3] if math.isfinite(x[3]) else 0.01
    approach.closest(x[0], x[1], x[2], sc, h0, rtol, met)
    st, res, J = np.empty(space.N), np.empty(3), np.empty((3, 4))
    scale = np.array([vmax, limits[3] - limits[2], math.pi, max(x[3], 1e-9)])
    for _ in range(CORRECTIONS if refine and taken > 0 else 0):  # on the verifier's own miss
        if not met[4] > tol or not math.isfinite(met[3]):
            break
        gap(x[0], x[1], x[2], met[3], sc, steps, st, res, J)
        for axis in range(3):
            res[axis] = met[axis] - space.target_at(sc, met[3], axis)
        step = _step(mode, res, J, scale)
        if not np.all(np.isfinite(step)):
            break
        x[0] = min(max(x[0] + step[0], SLOWEST), vmax)
        x[1] = min(max(x[1] + step[1], limits[2] + EDGE), limits[3] - EDGE)
        x[2] += step[2]
        taken += 1
        approach.closest(x[0], x[1], x[2], sc, h0, rtol, met)
    az = math.atan2(math.sin(x[2]), math.cos(x[2]))
    out[0], out[1], out[2], out[3] = x[1], (math.pi if az == -math.pi else az), x[0], met[3]
    out[4], out[5], out[6], out[7], out[8], out[9] = met[0], met[1], met[2], met[4], met[5], taken


@jit
def aim_many(
    scenes: np.ndarray, mode: int, fixed: float, tol: float, refine: bool, limits: np.ndarray,
    weights: Weights, budget: int, out: np.ndarray,
) -> None:  # fmt: skip
    """`aim` for scenes (N, len(space.SCENE)) into out (N, intercept.COLUMNS)."""
    for i in range(scenes.shape[0]):
        aim(scenes[i], mode, fixed, tol, refine, limits, weights, budget, out[i])
