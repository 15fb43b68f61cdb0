"""A shot in three dimensions sampled at evenly spaced times, for drawing: classic RK4 in plain
floats on the equations of app/physics/kernel/space.py,

    a = -g z^ - k |v - w| (v - w),   w = (wx, wy, 0),

(x, y horizontal, z up, metres, seconds; from the ground under the muzzle), and the moving
target at p + u t + a_t t^2 / 2 at the same times.

Why RK4 here and not the compiled DOP853 or scipy: a drawing needs the flight at fixed times,
which an error-controlled integrator gives only through dense output; the kernel's DOP853
(`space.meet`, what /verify reports) says where and when the shot meets the target, and this
RK4 fills the points in between over exactly that time, in enough steps (STEPS at least)
that its last point lies within 1e-9 m of DOP853's. It is a few hundred steps of six floats:
milliseconds, no compilation, and independent of both the kernel and the scipy reference the
tests hold it to (tests/test_trajectory3d.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

STEPS = 256  # RK4 steps over one flight at least


def _rates(s: list[float], wind: Sequence[float], drag: float, gravity: float) -> list[float]:
    rx, ry, vz = s[3] - wind[0], s[4] - wind[1], s[5]
    pull = drag * math.sqrt(rx * rx + ry * ry + vz * vz)
    return [s[3], s[4], s[5], -pull * rx, -pull * ry, -gravity - pull * vz]


def trace(
    velocity: float,
    angle: float,
    azimuth: float,
    launch_height: float,
    wind: Sequence[float],
    drag: float,
    gravity: float,
    duration: float,
    points: int,
) -> np.ndarray:
    """The shot's position (points, 3) in m at `points` evenly spaced times from launch (0 s)
    to `duration` s, by RK4 with a whole number of steps between two points."""
    every = math.ceil(STEPS / (points - 1))  # RK4 steps between two points
    h = duration / ((points - 1) * every)
    c = math.cos(angle)
    s = [
        0.0,
        0.0,
        launch_height,
        velocity * c * math.cos(azimuth),
        velocity * c * math.sin(azimuth),
        velocity * math.sin(angle),
    ]
    out = np.empty((points, 3))
    out[0] = s[:3]
    for i in range(1, points):
        for _ in range(every):
            k1 = _rates(s, wind, drag, gravity)
            k2 = _rates([a + 0.5 * h * b for a, b in zip(s, k1, strict=True)], wind, drag, gravity)
            k3 = _rates([a + 0.5 * h * b for a, b in zip(s, k2, strict=True)], wind, drag, gravity)
            k4 = _rates([a + h * b for a, b in zip(s, k3, strict=True)], wind, drag, gravity)
            s = [
                a + h / 6.0 * (b1 + 2.0 * (b2 + b3) + b4)
                for a, b1, b2, b3, b4 in zip(s, k1, k2, k3, k4, strict=True)
            ]
        out[i] = s[:3]
    return out


def target_path(
    target: Sequence[float],
    target_velocity: Sequence[float],
    target_acceleration: Sequence[float],
    times: np.ndarray,
) -> np.ndarray:
    """The target's position (len(times), 3) in m: p + u t + a t^2 / 2 at each time t (s)."""
    p, u, a = (
        np.asarray(v, dtype=np.float64) for v in (target, target_velocity, target_acceleration)
    )
    t = np.asarray(times, dtype=np.float64)[:, None]
    return p + u * t + 0.5 * a * t * t
