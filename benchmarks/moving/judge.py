"""The judge of every answer the moving-target benchmark counts: where the shot comes down
through the moving target's height, and how far (horizontally) from the target it is then.

`app.physics.reference.intercept` (the service's independent reference, scipy's DOP853) is
the judge once it exists; until then this module's own DOP853 integration, written from the
issue's definition alone, stands in (`intercept` below picks). Both are independent of the
compiled physics that aims and of the peer's own RK4.

The flight: x, y horizontal, z up (m), from the ground under the muzzle; the muzzle at
`launch_height`; quadratic drag on the velocity relative to the horizontal wind; the target at
p + v t + a t^2 / 2. The miss: at the first time the shot's height minus the target's passes
downward through 0 (the shot comes down through the target's height), the horizontal distance
between them (m); NaN if that never happens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

TOLERANCE = 1e-12  # solve_ivp's rtol and atol, as app/physics/reference.py
HORIZON = 60.0  # s: every shot in the envelope is down long before
MAX_STEP = 0.02  # s: a grazing pass above the target's height is not stepped over
NAME = "the judge (DOP853 at 1e-12, benchmarks/moving/judge.py)"
GIVE_UP = -20.0  # m below the target: past the apex, it can only fall further behind it
# (a target sinking faster, at most 2 m/s^2, could pass it again, upward: no descent)


@dataclass(frozen=True)
class Motion:
    """One shot's air and its target (m, m/s, m/s^2, 1/m), as the benchmark's cases hold them."""

    launch_height: float
    wind: tuple[float, float]
    drag: float
    target: tuple[float, float, float]  # at firing
    velocity: tuple[float, float, float]  # the target's
    acceleration: tuple[float, float, float]  # the target's, constant


@dataclass(frozen=True)
class Meeting:
    time: float  # s after firing; NaN if the shot never comes down through the target's height
    point: tuple[float, float, float]  # the shot then (m)
    miss: float  # m, horizontal; NaN likewise


def flight(
    speed: float, elevation: float, azimuth: float, m: Motion, gravity: float
) -> tuple[float, np.ndarray]:
    """(t, state (6,)) where the shot first comes down through the target's height; t NaN if
    never. Integrates the shot alone by DOP853 at 1e-12."""
    wx, wy = m.wind
    z0, vz, az = m.target[2], m.velocity[2], m.acceleration[2]

    def slope(_: float, s: np.ndarray) -> list[float]:
        rx, ry, rz = s[3] - wx, s[4] - wy, s[5]
        pull = m.drag * math.sqrt(rx * rx + ry * ry + rz * rz)
        return [s[3], s[4], s[5], -pull * rx, -pull * ry, -gravity - pull * rz]

    def above(t: float, s: np.ndarray) -> float:
        return float(s[2] - (z0 + vz * t + 0.5 * az * t * t))

    def sunk(t: float, s: np.ndarray) -> float:
        return above(t, s) - GIVE_UP

    above.terminal, above.direction = True, -1  # type: ignore[attr-defined]
    sunk.terminal, sunk.direction = True, -1  # type: ignore[attr-defined]
    c = math.cos(elevation)
    start = [0.0, 0.0, m.launch_height, speed * c * math.cos(azimuth),
             speed * c * math.sin(azimuth), speed * math.sin(elevation)]  # fmt: skip
    out = solve_ivp(slope, (0.0, HORIZON), start, method="DOP853", events=(above, sunk),
                    rtol=TOLERANCE, atol=TOLERANCE, max_step=MAX_STEP)  # fmt: skip
    if len(out.t_events[0]) == 0:
        return math.nan, np.full(6, math.nan)
    return float(out.t_events[0][0]), np.asarray(out.y_events[0][0])


def target_at(m: Motion, t: float) -> np.ndarray:
    """The target's position (3,) m at t s after firing."""
    p, v, a = (np.asarray(x, dtype=float) for x in (m.target, m.velocity, m.acceleration))
    return p + v * t + 0.5 * a * t * t


def own_intercept(
    speed: float, elevation: float, azimuth: float, m: Motion, gravity: float
) -> Meeting:
    t, state = flight(speed, elevation, azimuth, m, gravity)
    if not math.isfinite(t):
        return Meeting(math.nan, (math.nan,) * 3, math.nan)
    there = target_at(m, t)
    miss = math.hypot(state[0] - there[0], state[1] - there[1])
    return Meeting(t, (float(state[0]), float(state[1]), float(state[2])), miss)


def misses(answers: np.ndarray, motions: list[Motion], gravity: float) -> np.ndarray:
    """(N,) horizontal misses (m) of answers (N, 3): speed m/s, elevation rad, azimuth rad;
    inf where there is no answer (NaN) or the shot never comes down through the target's
    height."""
    out = np.full(len(motions), np.inf)
    for i, ((speed, elevation, azimuth), m) in enumerate(zip(answers, motions, strict=True)):
        if not np.all(np.isfinite((speed, elevation, azimuth))):
            continue
        miss = intercept(float(speed), float(elevation), float(azimuth), m, gravity).miss
        if math.isfinite(miss):
            out[i] = miss
    return out


def intercept(speed: float, elevation: float, azimuth: float, m: Motion, gravity: float) -> Meeting:
    """The service's reference when it has one, else this module's (see the docstring)."""
    return own_intercept(speed, elevation, azimuth, m, gravity)
