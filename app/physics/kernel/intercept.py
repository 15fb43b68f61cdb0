"""Aiming in three dimensions at a moving target, compiled, one call per target.

A free shot is proposed by the 3D network (app/physics/kernel/propose3d.py) from the target,
its motion and the air, in one pass. A held shot (its velocity or elevation fixed) starts from
the 2D solver's answer under that constraint (app/physics/kernel/aim.py) on the problem seen
along the line of fire to the target: the wind's component along that line, the target's
height, aimed where the target will be when the shot arrives. What the proposal misses (the
crosswind's drift, the target's motion) Newton on the 3D flight then corrects:
`space.slopes` gives the miss vector and its Jacobian in (velocity, elevation, azimuth).
- FREE: 2 equations, 3 controls: the minimum-norm Gauss-Newton step on scaled controls, which
  keeps the answer near the proposal; then `newton3d.lowest` slides it along its hits to the
  lowest velocity;
- LOW, HIGH: the velocity fixed, Newton in (elevation, azimuth) from the 2D arc's angle;
- ANGLE: the elevation fixed, Newton in (velocity, azimuth).
Every step is damped (halved until the miss falls). The answer is then verified by DOP853
(`space.meet`), and corrected on the verifier's own miss as in 2D.

Answers are rows of `out`: (elevation rad, azimuth rad, velocity m/s, time s, x, y, z m
where the shot meets the target's height, miss m, apex m, steps).
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel import aim as plane
from app.physics.kernel import newton3d, propose3d, scan, space
from app.physics.kernel.flight import first_time, jit
from app.physics.kernel.solve import (
    ANGLE,
    CORRECTIONS,
    EDGE,
    FREE,
    HIGH,
    LOW,
    SLOWEST,
    guess,
    space_steps,
    verifier_rtol,
)

COLUMNS = 10
SETTLE = 4  # line-of-fire solves at most while the arrival time settles
START = 1e-3  # of the length unit: how closely the plane's answer is refined as a start
START_TRIES = 16  # iterations of the plane's solver for a start: 3D Newton and the scan go on
MOVED = 0.1  # of the distance: a target that moved less is left to Newton in 3D
LINE = 6  # the line-of-fire fields: distance m, bearing rad, launch height m, target height m, wind m/s, drag 1/m


@jit
def line_of_fire(sc: np.ndarray, t: float, line: np.ndarray) -> None:
    """The 2D problem for a shot arriving at time t (s): into line (LINE,)."""
    x, y = space.target_at(sc, t, 0), space.target_at(sc, t, 1)
    bearing = math.atan2(y, x)
    line[0], line[1] = math.hypot(x, y), bearing
    line[2], line[3] = sc[0], space.target_at(sc, t, 2)
    line[4] = sc[1] * math.cos(bearing) + sc[2] * math.sin(bearing)
    line[5] = sc[3]


@jit
def on_arc(mode: int, az: float, res: np.ndarray) -> bool:
    """Whether a fixed velocity's hit, with RK4's slopes in res, lies on the arc asked: on
    the low arc a steeper shot comes down farther along the line of fire, on the high arc
    nearer (the 2D solver's test, app/physics/kernel/solve.py)."""
    farther = float(math.cos(az) * res[3] + math.sin(az) * res[6])  # m/rad along the line of fire
    return farther > 0.0 if mode == LOW else farther < 0.0


@jit
def moves(sc: np.ndarray) -> bool:
    """Whether the target moves (its velocity or acceleration is not zero)."""
    for j in range(8, 14):  # noqa: SIM110 (numba compiles no generator)
        if sc[j] != 0.0:
            return True
    return False


@jit
def vacuum_start(sc: np.ndarray, mode: int, fixed: float, g: float, x: np.ndarray) -> None:
    """The vacuum's shot on the mode's arc (or at its elevation) to where the target will
    be, the time settled by a few rounds; into x = (v, el, az, t)."""
    t = 0.0
    v = fixed if mode != ANGLE else 0.0
    el = fixed if mode == ANGLE else math.pi / 4
    for _ in range(6):
        px, py = space.target_at(sc, t, 0), space.target_at(sc, t, 1)
        rise = space.target_at(sc, t, 2) - sc[0]
        d = math.hypot(px, py)
        found = guess(d, rise, mode, fixed, g)
        if not math.isfinite(found):
            break
        if mode == ANGLE:
            v = found
        else:
            el = found
        x[2] = math.atan2(py, px)
        t = d / (v * math.cos(el))
    x[0], x[1], x[3] = v, el, max(t, 1e-6)


@jit
def propose(
    sc: np.ndarray,
    mode: int,
    fixed: float,
    tol: float,
    limits: np.ndarray,
    weights: plane.Weights,
    budget: int,
) -> tuple[float, float, float, float, int]:
    """(velocity m/s, elevation rad, azimuth rad, arrival time s, steps) along the line of fire
    to where the target will be when the shot arrives; the time NaN where the plane's solver
    found no shot that comes down there. The arrival time comes from the plane's answer, so
    a target that moves far during the flight (against its distance) is solved again where
    it will be then; a moving target the plane cannot reach at firing is tried again where
    it will be a vacuum flight later (a target falling out of reach overhead)."""
    line, row, later = np.empty(LINE), np.empty(plane.COLUMNS), np.empty(LINE)
    air = np.empty((1, 4))
    t, taken, tries = 0.0, 0, min(budget, START_TRIES)
    if mode != FREE and moves(sc):  # first aimed where the target will be after a vacuum flight
        vacuum_start(sc, mode, fixed, limits[0], air[0])
        t = air[0, 3]
    v, el, az, arrival = limits[1], math.pi / 4, math.nan, math.nan
    for it in range(SETTLE if moves(sc) else 1):
        line_of_fire(sc, t, line)
        air[0, 0], air[0, 1], air[0, 2], air[0, 3] = line[2], line[3], line[4], line[5]
        proposal = (
            plane.propose(line[:1].copy(), air, limits, weights)[0] if mode == FREE else np.empty(2)
        )
        plane.aim(line[0], air[0], mode, fixed, tol, True, limits, proposal, tries, row, False)
        taken += int(row[5])
        if not math.isfinite(row[3]):
            if it == 0:  # try where it will be a vacuum flight later
                speed = fixed if mode in (LOW, HIGH) else limits[1]
                t = line[0] / (speed * math.cos(fixed if mode == ANGLE else math.pi / 4))
                continue
            break
        v, el, arrival = row[1], row[0], row[3]
        line_of_fire(sc, arrival, later)  # aimed where the target will be at the arrival
        az = later[1]
        moved = math.sqrt(
            (space.target_at(sc, arrival, 0) - space.target_at(sc, t, 0)) ** 2
            + (space.target_at(sc, arrival, 1) - space.target_at(sc, t, 1)) ** 2
            + (space.target_at(sc, arrival, 2) - space.target_at(sc, t, 2)) ** 2
        )
        if moved <= MOVED * line[0]:
            break
        t = arrival
    if not math.isfinite(az):
        az = line[1]
    return v, el, az, arrival, taken


@jit
def aim(
    sc: np.ndarray, mode: int, fixed: float, tol: float, refine: bool, limits: np.ndarray,
    weights: plane.Weights, budget: int, out: np.ndarray,
) -> None:  # fmt: skip
    """Aim at the target in `sc` (space.SCENE) under (mode, fixed: m/s or rad); into out
    (COLUMNS,)."""
    g, vmax = limits[0], limits[1]
    unit = vmax * vmax / g
    steps, rtol, aim_at = (
        space_steps(tol, unit, sc[3], limits, mode),
        verifier_rtol(tol, unit),
        tol / 4,
    )
    networked = mode == FREE and propose3d.bound(weights)
    if networked:  # the 3D network's shot, in one pass
        v, el, az = propose3d.propose(sc, limits, weights)
        t, taken = propose3d.meet_time(v, el, sc), 0
    # The plane's answer only starts Newton in 3D, which refines it anyway: to a thousandth
    # of the length unit, not to the tolerance asked.
    start = max(tol, START * unit) if refine else math.inf
    vacuum = mode in (LOW, HIGH) and refine  # at a fixed velocity the vacuum's shot first
    if vacuum:  # where the target will be: Newton takes as few steps from it, for nothing
        x = np.empty(4)
        vacuum_start(sc, mode, fixed, g, x)
        v, el, az, t, taken = x[0], x[1], x[2], x[3], 0
    elif not networked:
        v, el, az, t, taken = propose(sc, mode, fixed, start, limits, weights, budget)
    if mode in (LOW, HIGH):
        v = fixed
    elif mode == ANGLE:
        el = fixed
    if not math.isfinite(t):
        t = first_time(v, el, sc[7] - sc[0], g)
    h = t / steps
    free = mode == FREE
    res, other = np.empty(space.SLOPES), np.empty(space.SLOPES)  # RK4's slopes at (v, el, az)
    fresh = False  # whether res holds them
    if refine:
        v0, el0, az0 = v, el, az
        v, el, az, n, miss = newton3d.newton(v, el, az, sc, mode, h, aim_at, limits, budget, res)
        taken, fresh = taken + n, True
        # A free shot that stalls (a grazing crossing, a start that never came down): any hit
        # will do, as in 2D: the velocity at the proposal's elevation, then full velocity on
        # either arc, each from its own line-of-fire start.
        for attempt in range(3 if mode == FREE and not miss <= aim_at else 0):
            if attempt == 0:
                tv, te, ta, tt, m = v0, el0, az0, t, 0
                held = ANGLE
            else:
                held = LOW if attempt == 1 else HIGH
                tv, te, ta, tt, m = propose(sc, held, vmax, tol, limits, weights, budget)
                tv, tt = vmax, tt if math.isfinite(tt) else t
            taken += m
            nv, ne, na, n, nmiss = newton3d.newton(
                tv, te, ta, sc, held, tt / steps, aim_at, limits, budget, other
            )
            taken += n
            if nmiss < miss or math.isnan(miss):
                v, el, az, miss, h, t = nv, ne, na, nmiss, tt / steps, tt
                mode = held
                res[:] = other
            if miss <= aim_at:
                break
        if vacuum and not (miss <= aim_at and on_arc(mode, az, res)):
            # Newton from the vacuum's shot stalled or found the other arc's: from the
            # plane's answer along the line of fire instead, the better of the two kept.
            tv, te, ta, tt, m = propose(sc, mode, fixed, start, limits, weights, budget)
            tt = tt if math.isfinite(tt) else first_time(fixed, te, sc[7] - sc[0], g)
            nv, ne, na, n, nmiss = newton3d.newton(
                fixed, te, ta, sc, mode, tt / steps, aim_at, limits, budget, other
            )
            taken += m + n
            if (nmiss <= aim_at and on_arc(mode, na, other)) or nmiss < miss or math.isnan(miss):
                v, el, az, miss, h, t, az0 = nv, ne, na, nmiss, tt / steps, tt, ta
                res[:] = other
        other_arc = mode in (LOW, HIGH) and miss <= aim_at and not on_arc(mode, az, res)
        if other_arc:  # Newton found the other arc's shot: the scan looks for this one's
            kept, miss = (v, el, az, miss), math.nan
            other[:] = res
        # The last resort: scan the held shot's range on its arc; at a fixed velocity with no
        # root on that arc, the other one's, so the arc asked is the flattest (or steepest)
        # shot there is (ballistic-solver's meaning), not a miss where one shot exists.
        for attempt in range(2 if mode in (LOW, HIGH) else 1):
            if free or miss <= aim_at:
                break
            arc = mode if attempt == 0 else (HIGH if mode == LOW else LOW)
            nv, ne, na, n, nmiss = scan.scan(sc, arc, fixed, az0, h, aim_at, limits)
            taken += n
            if nmiss < miss or math.isnan(miss):
                v, el, az, miss = nv, ne, na, nmiss
                fresh = False
        if other_arc and not miss <= aim_at:  # none found there (two arcs that nearly merge)
            v, el, az, miss = kept
            res[:], fresh = other, True
        across = sc[2] * math.cos(az) - sc[1] * math.sin(az)  # the crosswind, m/s
        if free and miss <= aim_at and (networked or moves(sc) or across != 0.0):
            # Off the line of fire the plane's lowest shot is not the lowest, and the 3D
            # network's is close to it, not on it: find it.
            if not fresh:
                space.slopes(v, el, az, sc, h, res)
            v, el, az, n = newton3d.lowest(v, el, az, sc, h, aim_at, limits, budget, res)
            taken, fresh = taken + n, True
            mode = ANGLE  # corrections below hold the elevation lowest() chose
    met = np.empty(6)
    space.meet(v, el, az, sc, 0.02 * t, rtol, met)
    scale = np.array([vmax, limits[3] - limits[2], math.pi])
    for _ in range(CORRECTIONS if refine and taken > 0 else 0):  # on the verifier's own miss
        if not met[4] > tol:
            break
        if not fresh:
            space.slopes(v, el, az, sc, h, res)
        fresh = False
        if math.isnan(res[0]):
            break
        res[0] = met[0] - space.target_at(sc, met[3], 0)
        res[1] = met[1] - space.target_at(sc, met[3], 1)
        dv, de, da = newton3d.step(mode, res, scale)
        if not (math.isfinite(dv) and math.isfinite(de) and math.isfinite(da)):
            break
        v = min(max(v + dv, SLOWEST), vmax)
        el = min(max(el + de, limits[2] + EDGE), limits[3] - EDGE)
        az += da
        taken += 1
        space.meet(v, el, az, sc, 0.02 * t, rtol, met)
    az = math.atan2(math.sin(az), math.cos(az))  # into (-pi, pi]
    if az == -math.pi:
        az = math.pi
    out[0], out[1], out[2], out[3] = el, az, v, met[3]
    out[4], out[5], out[6], out[7], out[8], out[9] = met[0], met[1], met[2], met[4], met[5], taken


@jit
def aim_many(
    scenes: np.ndarray, mode: int, fixed: float, tol: float, refine: bool, limits: np.ndarray,
    weights: plane.Weights, budget: int, out: np.ndarray,
) -> None:  # fmt: skip
    """`aim` for scenes (N, len(space.SCENE)) into out (N, COLUMNS)."""
    for i in range(scenes.shape[0]):
        aim(scenes[i], mode, fixed, tol, refine, limits, weights, budget, out[i])
