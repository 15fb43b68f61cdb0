"""The reference a shot in three dimensions is checked against: scipy's solve_ivp (DOP853,
tolerances 1e-12) with an event where the shot comes down through the moving target's height.
One shot at a time, in float64, independent of the compiled flight (app/physics/kernel/space.py).

Axes: x and y horizontal, z up, metres, from the ground under the muzzle. The target is at
p + v t + a t^2 / 2 at time t after firing; the wind is horizontal; the drag pulls
-k |v - w| (v - w)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

TOLERANCE = 1e-12  # solve_ivp's rtol and atol
HORIZON = 600.0  # s: no flight in any envelope lasts a tenth of it


def motion(
    wind: Sequence[float], drag: float, gravity: float
) -> Callable[[float, np.ndarray], list[float]]:
    """d/dt of a shot's state (x, y, z, vx, vy, vz) through a horizontal wind, for solve_ivp."""
    wx, wy = float(wind[0]), float(wind[1])

    def slope(_: float, s: np.ndarray) -> list[float]:
        rx, ry, vz = s[3] - wx, s[4] - wy, s[5]
        pull = drag * math.sqrt(rx * rx + ry * ry + vz * vz)
        return [s[3], s[4], s[5], -pull * rx, -pull * ry, -gravity - pull * vz]

    return slope


@dataclass(frozen=True)
class Intercept:
    point: tuple[float, float, float]  # m: the shot where it comes down through the target's height
    time: float  # s after firing
    miss: float  # m: horizontal distance between the shot and the target then
    apex_height: float  # m above the ground
    # NaN point, time and miss where the shot never comes down through the target's height


def intercept(
    velocity: float,
    angle: float,
    azimuth: float,
    target: Sequence[float],
    target_velocity: Sequence[float] = (0.0, 0.0, 0.0),
    target_acceleration: Sequence[float] = (0.0, 0.0, 0.0),
    wind: Sequence[float] = (0.0, 0.0),
    drag: float = 0.0,
    launch_height: float = 0.0,
    gravity: float = 9.81,
) -> Intercept:
    """Fly the shot (m/s, elevation rad, azimuth rad) until it comes down through the height
    of the moving target; where it is then, and how far it passes from the target."""
    p, u, acc = (
        np.asarray(x, dtype=np.float64) for x in (target, target_velocity, target_acceleration)
    )

    slope = motion(wind, drag, gravity)

    def below(t: float, s: np.ndarray) -> float:  # the shot's height over the target's
        return float(s[2] - (p[2] + u[2] * t + 0.5 * acc[2] * t * t))

    def apex(_: float, s: np.ndarray) -> float:
        return float(s[5])

    def closest(t: float, s: np.ndarray) -> float:  # the shot's climb over the target's
        return float(s[5] - (u[2] + acc[2] * t))

    below.terminal, below.direction = True, -1  # type: ignore[attr-defined]
    apex.direction = closest.direction = -1  # type: ignore[attr-defined]
    c = math.cos(angle)
    start = [
        0.0,
        0.0,
        launch_height,
        velocity * c * math.cos(azimuth),
        velocity * c * math.sin(azimuth),
        velocity * math.sin(angle),
    ]
    kw = {"method": "DOP853", "rtol": TOLERANCE, "atol": TOLERANCE}
    result = solve_ivp(slope, (0.0, HORIZON), start, events=(below, apex, closest), **kw)
    highest = float(max([launch_height, *(s[2] for s in result.y_events[1])]))
    if len(result.t_events[0]) == 0:
        # It may have climbed above the target and fallen back within one solver step,
        # unseen by the event: fly on from where it passed highest over the target.
        for t_top, at_top in zip(result.t_events[2], result.y_events[2], strict=True):
            if below(float(t_top), at_top) > 0:
                result = solve_ivp(slope, (float(t_top), HORIZON), at_top, events=(below,), **kw)
                break
    if len(result.t_events[0]) == 0:
        nan = math.nan
        return Intercept((nan, nan, nan), nan, nan, highest)
    t, s = float(result.t_events[0][0]), result.y_events[0][0]
    there = p + u * t + 0.5 * acc * t * t
    miss = math.hypot(s[0] - there[0], s[1] - there[1])
    return Intercept((float(s[0]), float(s[1]), float(s[2])), t, miss, highest)


def closest(
    velocity: float,
    angle: float,
    azimuth: float,
    target: Sequence[float],
    target_velocity: Sequence[float] = (0.0, 0.0, 0.0),
    target_acceleration: Sequence[float] = (0.0, 0.0, 0.0),
    wind: Sequence[float] = (0.0, 0.0),
    drag: float = 0.0,
    launch_height: float = 0.0,
    gravity: float = 9.81,
) -> Intercept:
    """Where the shot passes closest to the moving target in 3D over its flight (until it
    is far below it), and that distance as the miss: a dense sweep of solve_ivp's output,
    then Newton on the distance's derivative from the least sample."""
    p, u, acc = (
        np.asarray(x, dtype=np.float64) for x in (target, target_velocity, target_acceleration)
    )
    depth = velocity * velocity / gravity  # far below: a vacuum range under the target

    slope = motion(wind, drag, gravity)

    def sunk(t: float, s: np.ndarray) -> float:
        return float(s[2] - (p[2] + u[2] * t + 0.5 * acc[2] * t * t) + depth)

    sunk.terminal, sunk.direction = True, -1  # type: ignore[attr-defined]
    c = math.cos(angle)
    start = [
        0.0,
        0.0,
        launch_height,
        velocity * c * math.cos(azimuth),
        velocity * c * math.sin(azimuth),
        velocity * math.sin(angle),
    ]
    result = solve_ivp(
        slope,
        (0.0, HORIZON),
        start,
        events=(sunk,),
        method="DOP853",
        rtol=TOLERANCE,
        atol=TOLERANCE,
        dense_output=True,
    )

    def distance(t: float) -> float:
        s = result.sol(t)
        there = p + u * t + 0.5 * acc * t * t
        return float(np.linalg.norm(s[:3] - there))

    times = np.linspace(0.0, result.t[-1], 200_001)
    states = result.sol(times)[:3]
    there = p[:, None] + u[:, None] * times + 0.5 * acc[:, None] * times**2
    i = int(np.argmin(np.linalg.norm(states - there, axis=0)))
    t = float(times[i])
    for _ in range(30):  # Newton on d/dt |gap|^2 / 2 = gap . gap' on the dense output
        s = result.sol(t)
        gap = s[:3] - (p + u * t + 0.5 * acc * t * t)
        rate = s[3:6] - (u + acc * t)
        bend = np.asarray(slope(t, s)[3:6]) - acc
        step = float(gap @ rate) / float(rate @ rate + gap @ bend)
        t = min(max(t - step, 0.0), float(result.t[-1]))
        if abs(step) < 1e-15:
            break
    s = result.sol(t)
    apex = float(max(launch_height, np.max(states[2])))
    return Intercept((float(s[0]), float(s[1]), float(s[2])), t, distance(t), apex)
