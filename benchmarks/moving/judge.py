"""The judge of every answer the moving-target benchmark counts, and of how its cases are
built: the service's independent reference (scipy's DOP853 at 1e-12), independent of the
compiled physics that aims and of the peer's own RK4. Two meanings of a meeting, each judged
by its own reference:

- "descending" (`app.physics.reference.intercept`): where the shot first comes down through
  the moving target's height, the horizontal distance between the shot and the target then
  (m); NaN if that never happens. The service's default miss.
- "any" (`app.physics.reference.closest`): the 3D distance of closest approach between the
  shot and the moving target over the flight (m). The peer's own meaning of its `miss`.

Cases are built on the descending meeting (its horizontal miss 0 at the target's height is a
closest approach of 0), so every case is reachable under both meanings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.physics import reference

MEANINGS = ("descending", "any")
NAME = {
    "descending": "the reference (app.physics.reference.intercept, DOP853 at 1e-12)",
    "any": "the reference (app.physics.reference.closest, DOP853 at 1e-12)",
}


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


def closest(
    speed: float, elevation: float, azimuth: float, m: Motion, gravity: float
) -> reference.Intercept:
    """Where the shot (m/s, rad, rad) passes closest to the moving target in 3D, by the
    reference."""
    return reference.closest(speed, elevation, azimuth, m.target, m.velocity, m.acceleration,
                             m.wind, m.drag, m.launch_height, gravity)  # fmt: skip


def target_at(m: Motion, t: float) -> np.ndarray:
    """The target's position (3,) m at t s after firing."""
    p, v, a = (np.asarray(x, dtype=float) for x in (m.target, m.velocity, m.acceleration))
    position: np.ndarray = p + v * t + 0.5 * a * t * t
    return position


def misses(
    answers: np.ndarray, motions: list[Motion], gravity: float, meaning: str = "descending"
) -> np.ndarray:
    """(N,) misses (m) of answers (N, 3): speed m/s, elevation rad, azimuth rad, by the
    reference of `meaning` (the horizontal miss coming down through the target's height, or
    the 3D closest approach for "any"); inf where there is no answer (NaN) or the reference
    finds no meeting (the shot never comes down through the target's height)."""
    met = {"descending": intercept, "any": closest}[meaning]
    out = np.full(len(motions), np.inf)
    for i, ((speed, elevation, azimuth), m) in enumerate(zip(answers, motions, strict=True)):
        if not np.all(np.isfinite((speed, elevation, azimuth))):
            continue
        miss = met(float(speed), float(elevation), float(azimuth), m, gravity).miss
        if math.isfinite(miss):
            out[i] = miss
    return out
