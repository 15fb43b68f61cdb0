"""One compiled call per target: propose, solve, verify, correct (app/physics/kernel/solve.py says
how). `aim_many` loops it over a batch, so a batch costs the arithmetic and nothing else.

`limits` (LIMITS fields, float64) carries the physics, the cannon and the network's input
scaling; `weights` the network (`solve.network`'s arrays). Answers are rows of `out`:
(angle rad, velocity m/s, landing m, flight time s, apex m, steps).
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel.flight import jit, landing, slopes
from app.physics.kernel.solve import (
    ANGLE,
    CORRECTIONS,
    EDGE,
    FREE,
    HIGH,
    LOW,
    MIN_STEPS,
    best_angle,
    bracketed,
    free,
    guess,
    network,
    steps_for,
    verifier_rtol,
)

LIMITS = (
    "gravity", "max_velocity", "min_angle", "max_angle",  # m/s^2, m/s, rad, rad
    "distance_scale",  # m: distances enter the network over this, clamped to [0, 1]
    "height_low", "height_high", "wind_low", "wind_high", "drag_low", "drag_high",  # envelope
    "stretch", "min_energy", "angle_edge",  # the network's output mapping (app/model/network.py)
    # the 3D network's input scaling: m, and the target's speed m/s and acceleration m/s^2
    "space_distance_scale", "target_speed", "target_acceleration",
)  # fmt: skip
# solve.network's arrays, float32: the air network's six, then the 3D network's six
# (app/physics/kernel/propose3d.py; empty arrays when none is bound)
Weights = tuple[np.ndarray, ...]
FREE_STEPS = 12  # Gauss-Newton steps for a free shot before another way is tried
COLUMNS = 6
START_STEPS = 8  # RK4 steps at least for a 3D start (app/physics/kernel/intercept.py)


@jit
def _centred(value: float, low: float, high: float) -> float:
    return (2 * value - (low + high)) / (high - low)


@jit
def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@jit
def propose(
    distances: np.ndarray, air: np.ndarray, limits: np.ndarray, weights: Weights
) -> np.ndarray:
    """The network's (velocity m/s, angle rad) for distances (N,) through air (N, 4), as
    app/model/network.py maps them: (N, 2)."""
    n = distances.shape[0]
    features = np.empty((n, 5), dtype=np.float32)
    for i in range(n):
        x = min(max(distances[i] / limits[4], 0.0), 1.0)
        features[i, 0], features[i, 1] = 2 * x - 1, 2 * math.sqrt(x) - 1
        features[i, 2] = _centred(air[i, 1] - air[i, 0], limits[5], limits[6])
        features[i, 3] = _centred(air[i, 2], limits[7], limits[8])
        features[i, 4] = _centred(air[i, 3], limits[9], limits[10])
    raw = network(features, weights[0], weights[1], weights[2], weights[3], weights[4], weights[5])
    amin, amax, edge = limits[2], limits[3], limits[13]
    controls = np.empty((n, 2))
    for i in range(n):
        u = (1 + 2 * limits[11]) * _sigmoid(raw[i, 1]) - limits[11]
        controls[i, 0] = limits[1] * math.sqrt(min(max(u, limits[12]), 1.0))
        controls[i, 1] = amin + (amax - amin) * min(max(_sigmoid(raw[i, 0]), edge), 1 - edge)
    return controls


@jit
def aim(
    d: float,
    air: np.ndarray,
    mode: int,
    fixed: float,
    tol: float,
    refine: bool,
    limits: np.ndarray,
    proposal: np.ndarray,
    budget: int,
    out: np.ndarray,
    verify: bool = True,
) -> None:
    """Aim at distance d (m) through air (launch height, target height, wind, drag) under
    the constraint (mode, fixed: m/s or rad), from the network's proposal (velocity, angle;
    used when free); the answer into out (COLUMNS,). Without `verify` (a proposal for the 3D
    solver, app/physics/kernel/intercept.py) the landing and time are RK4's, apex NaN."""
    g, vmax = limits[0], limits[1]
    unit = vmax * vmax / g  # the length unit: a vacuum range at full velocity
    h0, ht, wind, k = air[0], air[1], air[2], air[3]
    # A start for the 3D solver in the model's drag envelope needs only the steps its
    # tolerance does, not MIN_STEPS' floor for grazing shots: 3D Newton refines it anyway.
    start_only = not verify and k <= limits[10] * (1 + 1e-9)
    steps = steps_for(tol, unit, START_STEPS if start_only else MIN_STEPS)
    rtol, aim_at = verifier_rtol(tol, unit), tol / 4
    moves_angle = mode in (LOW, HIGH)
    if mode == FREE:
        v, a = proposal[0], proposal[1]
        taken, hit = 0, False
        L, dv, da, _ = slopes(v, a, h0, ht, wind, k, g, steps)
        if math.isnan(L):  # never comes down there: the shot that carries farthest instead
            v, a = vmax, best_angle(vmax, air, steps, limits)
            L, dv, da, _ = slopes(v, a, h0, ht, wind, k, g, steps)
        if refine:
            first = (L, dv, da)
            budget_free = min(budget, FREE_STEPS)
            v, a, taken, hit = free(d, air, v, a, first, aim_at, steps, limits, budget_free)
        if refine and not hit:  # the velocity at this angle, then either arc at full velocity
            likelier = (HIGH, LOW) if a > math.pi / 4 else (LOW, HIGH)
            for attempt in (ANGLE, likelier[0], likelier[1]):
                held = a if attempt == ANGLE else vmax
                start = guess(d, ht - h0, attempt, held, g)
                if not math.isfinite(start):
                    start = vmax if attempt == ANGLE else math.pi / 4
                nv, na, n, hit = bracketed(
                    d, air, attempt, held, start, aim_at, steps, limits, budget
                )
                taken += n
                if hit:
                    v, a = nv, na
                    moves_angle = attempt != ANGLE
                    break
    else:
        start = guess(d, ht - h0, mode, fixed, g)
        if not math.isfinite(start):  # no vacuum answer: start where the shot carries far
            start = vmax if mode == ANGLE else (math.pi / 4 if mode == LOW else 1.2)
        v, a, taken, _ = bracketed(d, air, mode, fixed, start, aim_at, steps, limits, budget)
    if not verify:
        flown, _, _, time = slopes(v, a, h0, ht, wind, k, g, steps)
        out[0], out[1], out[2], out[3], out[4], out[5] = a, v, flown, time, math.nan, taken
        return
    flown, time, apex = landing(v, a, h0, ht, wind, k, g, rtol)
    # Newton on the verifier's miss: RK4's slope first, then the secant through the last two
    # verified landings, which stays right where RK4 resolves the shot poorly (grazing shots).
    last_x, last_landing = math.nan, math.nan
    for _ in range(CORRECTIONS if taken > 0 else 0):  # a raw proposal is reported as it is
        if abs(flown - d) <= tol or math.isnan(flown):
            break
        x = a if moves_angle else v
        if math.isfinite(last_landing) and x != last_x and flown != last_landing:
            slope = (flown - last_landing) / (x - last_x)
        else:
            _, dv, da, _ = slopes(v, a, h0, ht, wind, k, g, steps)
            slope = da if moves_angle else dv
        if (mode == LOW and not slope > 0) or (mode == HIGH and not slope < 0):
            break  # past the best angle: the root there is the other arc's
        step = (flown - d) / slope
        if not math.isfinite(step):
            break
        last_x, last_landing = x, flown
        if moves_angle:
            a = min(max(a - step, limits[2] + EDGE), limits[3] - EDGE)
        else:
            v = min(max(v - step, 1e-9), vmax)
        taken += 1
        flown, time, apex = landing(v, a, h0, ht, wind, k, g, rtol)
    out[0], out[1], out[2], out[3], out[4], out[5] = a, v, flown, time, apex, taken


@jit
def aim_many(
    distances: np.ndarray,
    air: np.ndarray,
    mode: int,
    fixed: float,
    tol: float,
    refine: bool,
    limits: np.ndarray,
    weights: Weights,
    budget: int,
    out: np.ndarray,
) -> None:
    """`aim` for distances (N,) through air (N, 4), into out (N, COLUMNS)."""
    proposals = propose(distances, air, limits, weights) if mode == FREE else np.empty((1, 2))
    for i in range(distances.shape[0]):
        proposal = proposals[i] if mode == FREE else proposals[0]
        aim(distances[i], air[i], mode, fixed, tol, refine, limits, proposal, budget, out[i])
