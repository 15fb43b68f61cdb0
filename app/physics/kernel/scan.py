"""The 3D solver's last resort for a held shot (app/physics/kernel/intercept.py): when Newton
from the line of fire stalls (a shot that only just comes down through a target falling
away, a start that never comes down), scan the free control over its whole range.

At each elevation (a fixed velocity) or velocity (a fixed elevation) the azimuth is solved
so the miss has no sideways part; what is left, the miss along the line of fire, changes
sign at a hit. A grid finds the sign change on the mode's arc (LOW: the first from short to
long going up in elevation; HIGH: the last from long to short; ANGLE: the first from short
to long going up in velocity), bisection and secant steps close it. A shot that never comes
down through the target's height counts as short.
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel import space
from app.physics.kernel.flight import jit
from app.physics.kernel.solve import ANGLE, EDGE, HIGH, SLOWEST

GRID = 24  # points over the control's range
CLOSE = 40  # bisection and secant steps inside the bracket
SIDEWAYS = 8  # Newton steps on the azimuth at each point


@jit
def along(
    v: float, el: float, az: float, sc: np.ndarray, h: float, res: np.ndarray
) -> tuple[float, float]:
    """(miss along the line of fire m, azimuth rad) with the sideways miss solved away; NaN
    where the shot never comes down through the target's height."""
    for _ in range(SIDEWAYS):
        space.slopes(v, el, az, sc, h, res)
        if math.isnan(res[0]):
            return math.nan, az
        c, s = math.cos(az), math.sin(az)
        side = -s * res[0] + c * res[1]
        slope = -s * res[4] + c * res[7] - (c * res[0] + s * res[1])  # d side / d az
        if slope == 0.0:
            break
        az -= side / slope
        if abs(side) <= 1e-12 * (1.0 + abs(res[0]) + abs(res[1])):
            break
    space.slopes(v, el, az, sc, h, res)
    return math.cos(az) * res[0] + math.sin(az) * res[1], az


@jit
def scan(
    sc: np.ndarray, mode: int, fixed: float, az: float, h: float, tol: float, limits: np.ndarray
) -> tuple[float, float, float, int, float]:
    """(v, el, az, steps, miss m) of the hit on the mode's arc; miss NaN if none was found."""
    vmax = limits[1]
    lo, hi = (SLOWEST, vmax) if mode == ANGLE else (limits[2] + EDGE, limits[3] - EDGE)
    res = np.empty(space.SLOPES)
    xs, rs, azs = np.empty(GRID), np.empty(GRID), np.empty(GRID)
    taken = 0
    for i in range(GRID):
        xs[i] = lo + (hi - lo) * i / (GRID - 1)
        v, el = (xs[i], fixed) if mode == ANGLE else (fixed, xs[i])
        rs[i], azs[i] = along(v, el, az, sc, h, res)
        if math.isfinite(rs[i]):
            az = azs[i]
        taken += 1
    found = -1
    for i in range(GRID - 1):  # a short shot (or none) then a long one, going up
        short = not rs[i] >= 0.0
        if mode == HIGH:
            if rs[i] >= 0.0 and not rs[i + 1] >= 0.0 and math.isfinite(rs[i + 1]):
                found = i  # the last change from long to short
        elif short and rs[i + 1] >= 0.0:
            found = i
            break
    if found < 0:
        return fixed, fixed, az, taken, math.nan
    a, b = xs[found], xs[found + 1]
    ra, rb, az = rs[found], rs[found + 1], azs[found + 1]
    x, r = b, rb
    for _ in range(CLOSE):
        if math.isfinite(ra) and math.isfinite(rb) and ra != rb:
            x = b - rb * (b - a) / (rb - ra)  # secant, kept inside the bracket
            if not a < x < b:
                x = 0.5 * (a + b)
        else:
            x = 0.5 * (a + b)
        v, el = (x, fixed) if mode == ANGLE else (fixed, x)
        r, az = along(v, el, az, sc, h, res)
        taken += 1
        if abs(r) <= tol:
            return v, el, az, taken, math.hypot(res[0], res[1])
        if (r >= 0.0) == (rb >= 0.0):
            b, rb = x, r
        else:
            a, ra = x, r
    v, el = (x, fixed) if mode == ANGLE else (fixed, x)
    return v, el, az, taken, math.hypot(res[0], res[1])
