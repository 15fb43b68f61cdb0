"""How far and how near a constraint lets a shot land in given air, compiled: asked only for
a target the solver missed, to tell `unreachable_target` (with the range) from
`did_not_converge`. There is no closed form through air, so it is searched (its cost is in
docs/physics.md, under Reach):

- the farthest landing at a velocity: at its best angle (solve.best_angle, a bisection on
  the sign of d landing / d angle);
- the near end of an arc (fixed velocity) or of the velocities (fixed angle): the landing at
  that end, or where that end never comes down at the target's height, at the last control
  toward the far end that still does (bisection);
- the nearest landing of any shot (free): a grid over log-velocity (from 1 mm/s, so that
  near-zero shots count) and angle, refined twice around its best point, and the slowest
  steep shots that still climb to a raised target, which the grid can step over.

The searches fly shots by RK4 (`flight.slopes`, fine steps); the reported ends are landed by
DOP853. A landing of -inf (farthest) or +inf (nearest) means no shot comes down there.
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel.flight import jit, landing, slopes
from app.physics.kernel.solve import ANGLE, EDGE, FREE, LOW, SLOWEST, best_angle

STEPS = 128  # RK4 steps a flight in the searches
GRID = 16  # points a side of the nearest-landing grid
STEEP = (1.45, 1.3)  # rad, besides the steepest allowed: where the slowest shots climb highest


@jit
def _lands(v: float, a: float, air: np.ndarray, g: float) -> float:
    """The landing (m) by RK4, NaN where the shot never comes down at the target's height."""
    return slopes(v, a, air[0], air[1], air[2], air[3], g, STEPS)[0]


@jit
def _exact(v: float, a: float, air: np.ndarray, g: float) -> float:
    return landing(v, a, air[0], air[1], air[2], air[3], g, 1e-12)[0]


@jit
def _last_landing(
    angle_moves: bool, fixed: float, inside: float, outside: float, air: np.ndarray, g: float
) -> float:
    """Bisect the moving control between one that lands (`inside`) and one that does not
    (`outside`) to the last that lands: its landing (m), or -inf if `inside` does not land."""
    v, a = (fixed, inside) if angle_moves else (inside, fixed)
    if math.isnan(_lands(v, a, air, g)):
        return -math.inf
    for _ in range(50):
        middle = 0.5 * (inside + outside)
        v, a = (fixed, middle) if angle_moves else (middle, fixed)
        if math.isnan(_lands(v, a, air, g)):
            outside = middle
        else:
            inside = middle
    v, a = (fixed, inside) if angle_moves else (inside, fixed)
    return _exact(v, a, air, g)


@jit
def _near_end(
    angle_moves: bool, fixed: float, end: float, far: float, air: np.ndarray, g: float
) -> float:
    """The landing at `end`, or where that does not land, at the last control toward `far`
    that does."""
    v, a = (fixed, end) if angle_moves else (end, fixed)
    at_end = _exact(v, a, air, g)
    return at_end if not math.isnan(at_end) else _last_landing(angle_moves, fixed, far, end, air, g)


@jit
def nearest_of_all(air: np.ndarray, limits: np.ndarray) -> float:
    """The nearest landing (m) of any shot within the cannon's limits; +inf if none lands."""
    g, vmax = limits[0], limits[1]
    low_v, low_a = math.log(SLOWEST), limits[2] + EDGE
    span_v, span_a = math.log(vmax) - low_v, limits[3] - EDGE - low_a
    cv, ca, width, nearest = 0.5, 0.5, 1.0, math.inf
    for _ in range(3):
        best_v, best_a = cv, ca
        for i in range(GRID):
            for j in range(GRID):
                pv = min(max(cv + width * (i / (GRID - 1) - 0.5), 0.0), 1.0)
                pa = min(max(ca + width * (j / (GRID - 1) - 0.5), 0.0), 1.0)
                found = _lands(math.exp(low_v + span_v * pv), low_a + span_a * pa, air, g)
                if found < nearest:
                    nearest, best_v, best_a = found, pv, pa
        cv, ca, width = best_v, best_a, 4 * width / GRID
    for steep in (low_a + span_a, STEEP[0], STEEP[1]):
        slowest = _last_landing(False, steep, vmax, SLOWEST, air, g)
        if math.isfinite(slowest):
            nearest = min(nearest, slowest)
    if math.isfinite(nearest):  # landed by DOP853 where the grid found it
        v = math.exp(low_v + span_v * cv)
        exact = _exact(v, low_a + span_a * ca, air, g)
        nearest = min(nearest, exact) if not math.isnan(exact) else nearest
    return nearest


@jit
def reach(mode: int, fixed: float, air: np.ndarray, limits: np.ndarray) -> tuple[float, float]:
    """(nearest, farthest) landing (m) the constraint allows in this air (air: launch height,
    target height, wind, drag)."""
    g, vmax = limits[0], limits[1]
    if mode == ANGLE:
        farthest = _exact(vmax, fixed, air, g)
        if math.isnan(farthest):
            return math.inf, -math.inf
        return _near_end(False, fixed, SLOWEST, vmax, air, g), farthest
    v = vmax if mode == FREE else fixed
    best = best_angle(v, air, STEPS, limits)
    farthest = _exact(v, best, air, g)
    if math.isnan(farthest):
        return math.inf, -math.inf
    if mode == FREE:
        return nearest_of_all(air, limits), farthest
    end = limits[2] + EDGE if mode == LOW else limits[3] - EDGE
    return _near_end(True, v, end, best, air, g), farthest
