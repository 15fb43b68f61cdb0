"""The judge of every answer the moving-target benchmark counts, and of how its cases are
built: the service's independent reference, `app.physics.reference.intercept` (scipy's DOP853
at 1e-12), independent of the compiled physics that aims and of the peer's own RK4.

The miss: where the shot first comes down through the moving target's height, the horizontal
distance between the shot and the target then (m); NaN if that never happens. The peer's own
`miss` is something else, the 3D distance of closest approach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.physics import reference

NAME = "the reference (app.physics.reference.intercept, DOP853 at 1e-12)"


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
    return reference.intercept(speed, elevation, azimuth, m.target, m.velocity, m.acceleration,
                               m.wind, m.drag, m.launch_height, gravity)  # fmt: skip


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
