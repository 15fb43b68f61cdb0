"""Aiming answers written as JSON straight from the library's results.

Describing an answer can cost more than finding it. For a 10,000-target batch, building
10,000 response models and letting FastAPI validate and serialise them again took several
times longer than the aiming itself; for one target, FastAPI's response handling took about
as long as the network and the physics. So the answers are plain dicts with exactly the
fields of the response models in app/api/schemas.py, written by orjson; the tests validate
every kind of answer against those models.
"""

from __future__ import annotations

import math

import orjson
import torch

from app.aiming import Aim, Aimer, UnreachableTargetError


def aim_json(answer: Aim, version: str) -> bytes:
    """An `AimResponse` for one answer."""
    fields = vars(answer)  # the dataclass's own fields, no copy
    degrees = math.degrees(answer.angle)
    return orjson.dumps({**fields, "angle_degrees": degrees, "model_version": version})


def batch_json(aimer: Aimer, distances: list[float], tolerance: float, do_refine: bool) -> bytes:
    """`{"solutions": [...]}` for the targets (m), one item per target, in request order."""
    target = torch.tensor(distances, dtype=torch.float64)  # (N,) m
    reachable, solved = aimer.solve_reachable(target, tolerance, do_refine)
    version, max_range = aimer.version, aimer.cannon.max_range
    rows = zip(
        solved.distance.tolist(),
        solved.angle.tolist(),
        torch.rad2deg(solved.angle).tolist(),
        solved.velocity.tolist(),
        solved.landing_distance.tolist(),
        solved.miss.tolist(),
        solved.tolerance.tolist(),
        solved.hit.tolist(),
        solved.refined.tolist(),
        solved.iterations.tolist(),
        strict=True,
    )
    solutions = [
        {
            "distance": d,
            "angle": angle,
            "angle_degrees": degrees,
            "velocity": velocity,
            "landing_distance": landing,
            "miss": miss,
            "tolerance": tol,
            "hit": hit,
            "refined": refined,
            "iterations": iterations,
            "model_version": version,
            "reachable": True,
        }
        for d, angle, degrees, velocity, landing, miss, tol, hit, refined, iterations in rows
    ]
    if len(solutions) < len(distances):  # put the unreachable targets in their places
        solved_rows = iter(solutions)
        solutions = [
            next(solved_rows) if ok else unreachable_item(distance, max_range)
            for distance, ok in zip(distances, reachable.tolist(), strict=True)
        ]
    return orjson.dumps({"solutions": solutions})


def unreachable_item(distance: float, max_range: float) -> dict[str, object]:
    detail = str(UnreachableTargetError(distance, max_range))
    return {"distance": distance, "reachable": False, "detail": detail, "max_range": max_range}
