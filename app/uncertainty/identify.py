"""When observed shots cannot give a calibration: shots that no air explains (`BadShot`,
refused before fitting, with the shot's index) and parameters the shots cannot tell apart
(`NotIdentifiable`, found from the information matrix at the fit, with the shot that would
separate them)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from app.physics.reference import vacuum

if TYPE_CHECKING:
    from app.uncertainty.fit import Problem

SINGULAR = 1e-9  # the smallest eigenvalue of the information's correlation form that counts
MAX_BIAS = 2.0  # the velocity bias is fitted in [1 / MAX_BIAS, MAX_BIAS]
FARTHEST = 3.0  # a landing past this many times the shot's vacuum reach is no shot of its


class NotIdentifiable(ValueError):
    """The shots cannot tell these parameters apart (or one has no effect on them)."""

    def __init__(self, names: list[str], hint: str) -> None:
        self.names, self.hint = names, hint
        super().__init__(f"the shots cannot determine {' and '.join(names)}: {hint}")


class BadShot(ValueError):
    """A shot no air or bias the fit allows could have landed where it is said to."""

    def __init__(self, index: int, why: str) -> None:
        self.index = index
        super().__init__(f"shot {index}: {why}")


def check_shots(problem: Problem) -> None:
    """Refuse a shot that comes down through its target height nowhere (not even in a
    vacuum, where it flies highest, at the fastest the bias allows) or lands past FARTHEST
    times its vacuum reach there."""
    s = problem.shots
    bias = MAX_BIAS if "velocity_bias" in problem.fit else problem.known.get("velocity_bias", 1.0)
    for i in range(len(s.velocity)):
        v = s.velocity[i] * bias
        fly = vacuum(v, s.angle[i], s.launch_height[i], s.target_height[i], problem.gravity)
        if math.isnan(fly.distance):
            raise BadShot(
                i,
                f"it never comes down through its target_height of {s.target_height[i]} m: "
                f"its apex in a vacuum at {v:.6g} m/s is {fly.apex_height:.6g} m",
            )
        far = math.hypot(*s.landed[i])
        if far > FARTHEST * fly.distance + 3.0 * problem.sigma:
            raise BadShot(
                i,
                f"it landed {far:.6g} m away, past {FARTHEST:g} times what it reaches in a "
                f"vacuum at {v:.6g} m/s ({fly.distance:.6g} m): no drag, wind or bias the fit "
                "allows explains it; check its numbers",
            )


def check(problem: Problem, names: list[str], information: np.ndarray) -> None:
    """Raise NotIdentifiable when the information matrix is singular to working precision."""
    if not np.isfinite(information).all():
        raise NotIdentifiable(
            names, "the shots' sensitivities overflow: check their numbers and sigma"
        )
    diagonal = np.diag(information)
    dead = [n for n, d in zip(names, diagonal, strict=True) if not d > 0.0]
    if dead:
        raise NotIdentifiable(dead, _hint(problem, dead, none=True))
    norm = information / np.sqrt(np.outer(diagonal, diagonal))
    values, vectors = np.linalg.eigh(norm)
    if values[0] < SINGULAR:
        weak = vectors[:, 0]
        confounded = [n for n, w in zip(names, weak, strict=True) if abs(w) > 0.2]
        raise NotIdentifiable(confounded, _hint(problem, confounded))


def _hint(problem: Problem, names: list[str], none: bool = False) -> str:
    s = problem.shots
    seen = (1 if problem.plane else 2) * len(s.velocity) + int(np.sum(~np.isnan(s.flight_time)))
    if none and any(n.startswith("wind") for n in names):
        return (
            "the drag is 0 (1/m) here, and without drag the wind has no effect on the shots: "
            "give the wind a prior, or leave it out of `fit`"
        )
    if seen < len(problem.names()):
        return f"{seen} observed numbers for {len(problem.names())} parameters; fire more shots"
    if np.ptp(s.angle) < 1e-3:
        return "every shot was fired at one elevation; fire one at another elevation (a high and a low arc separate them), or time its flight"
    return "fire shots at other elevations and velocities, or time their flights (flight_time)"
