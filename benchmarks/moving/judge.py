"""The judge of every answer the moving-target benchmark counts, and of how its cases are
built: the service's independent reference, `app.physics.reference.intercept` (scipy's DOP853
at 1e-12), independent of the compiled physics that aims and of the peer's own RK4.

The miss: where the shot first comes down through the moving target's height, the horizontal
distance between the shot and the target then (m); NaN if that never happens. The peer's own
`miss` is something else, the 3D distance of closest approach.

One second look (`grazing`), only where the reference says the shot never comes down through
the target's height: the reference looks again from the shot's own apex for a pass above the
target that fell within one solver step, but over a target that sinks the shot is highest
above it later, where the shot sinks as fast as the target. A free (lowest-velocity) shot at a
target above the muzzle skims just over it (a millimetre above, or less), so the reference
calls some true hits "never down". The second look flies the shot by DOP853 at the same 1e-12
from that moment instead; the benchmark prints how many verdicts it changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from app.physics import reference

NAME = "the reference (app.physics.reference.intercept, DOP853 at 1e-12)"
SECOND_LOOKS = {"asked": 0, "found": 0}  # grazing passes looked at again, and found


@dataclass(frozen=True)
class Motion:
    """One target with its scene: m, m/s, m/s^2, 1/m; x, y horizontal, z up, from the ground
    under the muzzle."""

    launch_height: float
    wind: tuple[float, float]  # horizontal
    drag: float
    target: tuple[float, float, float]  # at firing
    velocity: tuple[float, float, float]  # the target's
    acceleration: tuple[float, float, float]  # the target's, constant


def intercept(
    speed: float, elevation: float, azimuth: float, m: Motion, gravity: float
) -> reference.Intercept:
    """Where the shot (m/s, rad, rad) comes down through the target's height, by the
    reference."""
    met = reference.intercept(speed, elevation, azimuth, m.target, m.velocity, m.acceleration,
                              m.wind, m.drag, m.launch_height, gravity)  # fmt: skip
    if math.isfinite(met.time):
        return met
    SECOND_LOOKS["asked"] += 1
    again = grazing(speed, elevation, azimuth, m, gravity)
    SECOND_LOOKS["found"] += math.isfinite(again.time)
    return again


def grazing(
    speed: float, elevation: float, azimuth: float, m: Motion, gravity: float
) -> reference.Intercept:
    """The reference's flight, its second look taken where the shot is highest above the
    target (its vertical speed the target's), not at its own apex (see the docstring)."""
    (wx, wy), k, p = m.wind, m.drag, np.asarray(m.target, dtype=float)
    u, a = np.asarray(m.velocity, dtype=float), np.asarray(m.acceleration, dtype=float)

    def slope(_: float, s: np.ndarray) -> list[float]:
        rx, ry, vz = s[3] - wx, s[4] - wy, s[5]
        pull = k * math.sqrt(rx * rx + ry * ry + vz * vz)
        return [s[3], s[4], s[5], -pull * rx, -pull * ry, -gravity - pull * vz]

    def below(t: float, s: np.ndarray) -> float:  # the shot's height over the target's
        return float(s[2] - (p[2] + u[2] * t + 0.5 * a[2] * t * t))

    def highest(t: float, s: np.ndarray) -> float:  # the shot's climb over the target's
        return float(s[5] - (u[2] + a[2] * t))

    below.terminal, below.direction = True, -1  # type: ignore[attr-defined]
    highest.terminal, highest.direction = True, -1  # type: ignore[attr-defined]
    c = math.cos(elevation)
    start = [0.0, 0.0, m.launch_height, speed * c * math.cos(azimuth),
             speed * c * math.sin(azimuth), speed * math.sin(elevation)]  # fmt: skip
    kw = {"method": "DOP853", "rtol": reference.TOLERANCE, "atol": reference.TOLERANCE}
    horizon = 600.0  # s, as the reference's
    nan = math.nan
    never = reference.Intercept((nan, nan, nan), nan, nan, nan)
    result = solve_ivp(slope, (0.0, horizon), start, events=(below, highest), **kw)
    if len(result.t_events[0]) == 0 and len(result.t_events[1]):
        t_top, at_top = float(result.t_events[1][0]), result.y_events[1][0]
        if below(t_top, at_top) <= 0:
            return never
        result = solve_ivp(slope, (t_top, horizon), at_top, events=(below,), **kw)
    if len(result.t_events[0]) == 0:
        return never
    t, s = float(result.t_events[0][0]), result.y_events[0][0]
    there = p + u * t + 0.5 * a * t * t
    miss = math.hypot(s[0] - there[0], s[1] - there[1])
    return reference.Intercept((float(s[0]), float(s[1]), float(s[2])), t, miss, nan)


def target_at(m: Motion, t: float) -> np.ndarray:
    """The target's position (3,) m at t s after firing."""
    p, v, a = (np.asarray(x, dtype=float) for x in (m.target, m.velocity, m.acceleration))
    position: np.ndarray = p + v * t + 0.5 * a * t * t
    return position


def misses(answers: np.ndarray, motions: list[Motion], gravity: float) -> np.ndarray:
    """(N,) horizontal misses (m) of answers (N, 3): speed m/s, elevation rad, azimuth rad,
    by the reference; inf where there is no answer (NaN) or the shot never comes down through
    the target's height."""
    out = np.full(len(motions), np.inf)
    for i, ((speed, elevation, azimuth), m) in enumerate(zip(answers, motions, strict=True)):
        if not np.all(np.isfinite((speed, elevation, azimuth))):
            continue
        miss = intercept(float(speed), float(elevation), float(azimuth), m, gravity).miss
        if math.isfinite(miss):
            out[i] = miss
    return out
