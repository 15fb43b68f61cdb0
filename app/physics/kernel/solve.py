"""Aiming one target through air, compiled: the network proposes, Newton on the RK4 flight
(`flight.slopes`) corrects, DOP853 (`flight.landing`) verifies.

Three ways to pin the shot down (`mode`):
- FREE: the lowest velocity that reaches the target. The network proposes it; Gauss-Newton on
  scaled controls (the smallest change that zeroes the miss, app/aiming/refinement.py's step) keeps
  the answer near that proposal. Should it stall, any verified hit will do: the velocity at its
  angle, then full velocity on the likelier arc, then the other.
- LOW, HIGH: a fixed velocity, the angle on that arc. The landing rises with the angle up to
  the best angle and falls after it; the root on each arc is kept in a bracket by a test
  that needs no knowledge of the best angle: a point lies past the low arc's root when it
  lands at or beyond the target, or when the landing falls with the angle there.
- ANGLE: a fixed angle, the velocity; the landing rises with it.
Newton steps that leave the bracket bisect instead.

Every answer the solver refined is then landed by DOP853; where the RK4 flight's own small
error leaves a miss above the tolerance, Newton on DOP853's miss with RK4's slope corrects it.
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel.flight import jit, slopes

FREE, LOW, HIGH, ANGLE = 0, 1, 2, 3
SLOWEST = 1e-3  # m/s, the bottom of the fixed-angle bracket
EDGE = 1e-6  # rad kept off the open angle limits
CORRECTIONS = 6  # Newton and secant steps on the verifier's miss
MIN_STEPS = 32  # fewer resolve a shot that only just climbs to the target height too coarsely
COARSE_FLOOR, COARSE_CAP = 16, 32  # RK4 steps for Newton in 3D inside the drag envelope


@jit
def steps_for(tolerance: float, unit: float, floor: int = MIN_STEPS, cap: int = 128) -> int:
    """RK4 steps per flight for landings within tolerance / 4 of DOP853 on all but grazing
    shots (tests/test_kernel.py holds it over the envelope; the verifier's corrections take
    the rest). The error falls as steps^-4 and scales with the length unit v_max^2 / g; the
    constant comes from the worst error seen over the envelope at 64 steps."""
    return min(max(int(math.ceil((6.3 * unit / tolerance) ** 0.25)), floor), cap)  # noqa: RUF046 (numba)


@jit
def space_steps(tolerance: float, unit: float, drag: float, limits: np.ndarray, mode: int) -> int:
    """RK4 steps per flight for Newton in 3D (app/physics/kernel/intercept.py, anywhere.py).
    Inside the air model's drag envelope (limits[10], 1/m) a coarser flight will do: Newton
    finds its root, RK4 off DOP853 by about 6.3 unit / steps^4 at most (1e-4 of the unit at
    16, 6e-6 at 32), and the corrections on the verifier's own miss, with RK4's slopes, take
    the rest.
    A free shot keeps 32 at least: the search for the lowest velocity follows RK4's slope
    along the hits to where it is 0, at the curve's flat bottom, and coarser slopes stop it
    short (1e-5 of the velocity above the lowest, seen at 16). Past the envelope (the heavy
    drag of a held shot at a gun's scale) RK4's error grows with the drag and the slopes
    themselves go wrong: steps_for's rule, up to 128."""
    if drag <= limits[10] * (1 + 1e-9):
        floor = MIN_STEPS if mode == FREE else COARSE_FLOOR
        return steps_for(tolerance, unit, floor, COARSE_CAP)
    return steps_for(tolerance, unit)


@jit
def verifier_rtol(tolerance: float, unit: float) -> float:
    """DOP853's tolerance: a ten-thousandth of the aiming tolerance, in the length unit."""
    return min(max(1e-4 * tolerance / unit, 1e-12), 1e-6)


@jit
def network(
    features: np.ndarray,
    w_in: np.ndarray,
    b_in: np.ndarray,
    w_hidden: np.ndarray,
    b_hidden: np.ndarray,
    w_out: np.ndarray,
    b_out: np.ndarray,
) -> np.ndarray:
    """The air network's raw outputs for a batch, as matrix products (BLAS): features (N, 5)
    float32 -> (N, 2). Weights transposed: w_in (5, H), w_hidden (L - 1, H, H), w_out (H, 2);
    SiLU between layers."""
    x = features @ w_in + b_in  # (N, H)
    x = x / (1 + np.exp(-x))
    for layer in range(w_hidden.shape[0]):
        x = x @ w_hidden[layer] + b_hidden[layer]
        x = x / (1 + np.exp(-x))
    raw: np.ndarray = x @ w_out + b_out  # (N, 2)
    return raw


@jit
def _clip(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)


@jit
def free(
    d: float,
    air: np.ndarray,
    v: float,
    a: float,
    first: tuple[float, float, float],
    tol: float,
    steps: int,
    limits: np.ndarray,
    budget: int,
) -> tuple[float, float, int, bool]:
    """Gauss-Newton from (v m/s, a rad) toward |landing - d| <= tol; (v, a, steps, hit)."""
    g, vmax, amin, amax = limits[0], limits[1], limits[2] + EDGE, limits[3] - EDGE
    h0, ht, wind, k = air[0], air[1], air[2], air[3]
    span = amax - amin
    L, dv, da = first  # slopes() at (v, a), which the caller has
    for it in range(budget):
        r = L - d
        if abs(r) <= tol:
            return v, a, it, True
        if math.isnan(r):
            return v, a, it, False
        gv, ga = dv * vmax, da * span  # d landing / d scaled control
        for _ in range(2):  # the minimum-norm step, without directions blocked at a limit
            n2 = gv * gv + ga * ga
            if n2 == 0.0:
                return v, a, it, False
            sv, sa = -r * gv / n2, -r * ga / n2
            if (v >= vmax and sv > 0) or (v <= SLOWEST and sv < 0):
                gv = 0.0
            elif (a >= amax and sa > 0) or (a <= amin and sa < 0):
                ga = 0.0
            else:
                break
        best, bv, ba = abs(r), v, a
        bL, bdv, bda = L, dv, da
        # Scale 1 (Gauss-Newton), 2 (exact at a double root, as at the best angle), then
        # halvings: the first that beats the current miss, 2 only if 1 gains little.
        scale = 1.0
        for attempt in range(16):
            tv = _clip(v + scale * sv * vmax, SLOWEST, vmax)
            ta = _clip(a + scale * sa * span, amin, amax)
            tL, tdv, tda, _ = slopes(tv, ta, h0, ht, wind, k, g, steps)
            miss = abs(tL - d)
            if miss < best:
                best, bv, ba, bL, bdv, bda = miss, tv, ta, tL, tdv, tda
            if attempt == 0:
                scale = 2.0
                if best <= 0.5 * abs(r):
                    break
            elif attempt == 1:
                if best < abs(r):
                    break
                scale = 0.5
            elif best < abs(r):
                break
            else:
                scale *= 0.5
        if best >= abs(r):
            return v, a, it + 1, False
        v, a, L, dv, da = bv, ba, bL, bdv, bda
    return v, a, budget, abs(L - d) <= tol


@jit
def _past(mode: int, r: float, slope: float) -> bool:
    """Whether a control lies past the root on its arc (toward larger controls): it lands at
    or beyond the target while the landing rises, or (low arc) the landing falls there, or
    (high arc) it lands short while the landing falls. NaN (never comes down) counts short
    on the low arc and for the velocity, and before the root on the high arc."""
    if math.isnan(r):
        return False
    if mode == HIGH:
        return r < 0 and slope < 0
    return r >= 0 or (mode == LOW and slope < 0)


@jit
def bracketed(
    d: float,
    air: np.ndarray,
    mode: int,
    fixed: float,
    x: float,
    tol: float,
    steps: int,
    limits: np.ndarray,
    budget: int,
) -> tuple[float, float, int, bool]:
    """The free control for a fixed velocity (mode LOW, HIGH: the angle) or a fixed angle
    (ANGLE: the velocity), from the guess x; returns (v, a, steps, hit).

    A target out of reach is given up early, not bisected to the end: at a fixed angle once
    full velocity falls short; at a fixed velocity once the tangents at two short shots either
    side of the best angle cross below the target (near its peak the landing is concave, so
    it lies under both)."""
    g, vmax = limits[0], limits[1]
    h0, ht, wind, k = air[0], air[1], air[2], air[3]
    lo, hi = (SLOWEST, vmax) if mode == ANGLE else (limits[2] + EDGE, limits[3] - EDGE)
    x = _clip(x, lo, hi)
    rising_at = falling_at = (math.nan, math.nan, math.nan)  # (x, r, slope) of short shots
    for it in range(budget):
        v, a = (x, fixed) if mode == ANGLE else (fixed, x)
        L, dv, da, _ = slopes(v, a, h0, ht, wind, k, g, steps)
        r, slope = L - d, (dv if mode == ANGLE else da)
        # A hit on its own arc only: past the best angle lies the other arc's root.
        if abs(r) <= tol and not ((mode == LOW and slope < 0) or (mode == HIGH and slope > 0)):
            return v, a, it, True
        if _past(mode, r, slope):
            hi = x
        else:
            lo = x
        if hi - lo <= 1e-15 * (1.0 + abs(hi)) or (mode == ANGLE and x == vmax and r < 0):
            return v, a, it + 1, False
        if mode != ANGLE and r < 0:
            if slope > 0:
                rising_at = (x, r, slope)
            elif slope < 0:
                falling_at = (x, r, slope)
            if _peak_below(rising_at, falling_at, tol):
                return v, a, it + 1, False
        rising = slope > 0 if mode != HIGH else slope < 0
        newton = x - r / slope if rising and not math.isnan(r) else math.nan
        if mode == ANGLE and newton >= hi == vmax:
            x = vmax  # try full velocity before bisecting toward it
        else:
            x = newton if lo < newton < hi else 0.5 * (lo + hi)
    v, a = (x, fixed) if mode == ANGLE else (fixed, x)
    return v, a, budget, False


@jit
def _peak_below(
    left: tuple[float, float, float], right: tuple[float, float, float], tol: float
) -> bool:
    """Whether the tangents at a rising and a falling short shot, (x, miss, slope) each,
    meet more than tol below the target."""
    (xl, rl, sl), (xr, rr, sr) = left, right
    if math.isnan(xl) or math.isnan(xr) or not xl < xr:
        return False
    meet = (rr - rl + sl * xl - sr * xr) / (sl - sr)
    return rl + sl * (meet - xl) < -tol


@jit
def guess(d: float, rise: float, mode: int, fixed: float, g: float) -> float:
    """The vacuum's answer for a fixed velocity (the angle on the arc) or a fixed angle (the
    velocity), a start for Newton; through air the shot needs more."""
    if mode == ANGLE:
        drop = d * math.tan(fixed) - rise
        if drop <= 0:
            return math.inf
        return d / math.cos(fixed) * math.sqrt(g / (2 * drop))
    v2 = fixed * fixed
    room = v2 * v2 - g * (g * d * d + 2 * rise * v2)
    root = math.sqrt(max(room, 0.0))
    return math.atan((v2 + root) / (g * d)) if mode == HIGH else math.atan((v2 - root) / (g * d))


@jit
def best_angle(v: float, air: np.ndarray, steps: int, limits: np.ndarray) -> float:
    """The angle (rad) that carries farthest at velocity v (m/s): bisection on the sign of
    d landing / d angle, with a shot that never comes down at the target counted as too flat."""
    g = limits[0]
    lo, hi = limits[2] + EDGE, limits[3] - EDGE
    for _ in range(60):
        middle = 0.5 * (lo + hi)
        _, _, da, _ = slopes(v, middle, air[0], air[1], air[2], air[3], g, steps)
        if math.isnan(da) or da > 0:
            lo = middle
        else:
            hi = middle
        if hi - lo <= 1e-12:
            break
    return float(0.5 * (lo + hi))
