"""Aiming answers through air: the request's conditions and constraint in, answers or the
errors that say why not out. HTTP-free apart from raising ApiError with the right fields."""

from __future__ import annotations

import math

import msgspec
import torch

from app import reference
from app.air_aiming import AirAimer, AirShots, Constraint, Reach, unreachable_detail
from app.api.air_schemas import Conditions, Constraints
from app.api.errors import ApiError
from app.api.schemas import VerifyQuery, VerifyResponse
from app.flight import Air
from app.physics import Cannon

encoder = msgspec.json.Encoder()


def conditions(body: Conditions, n: int) -> tuple[torch.Tensor, ...]:
    """(launch_height, target_height, wind, drag), each (n,) float64."""
    values = (body.launch_height, body.target_height, body.wind, body.drag)
    return tuple(torch.full((n,), value, dtype=torch.float64) for value in values)


def constraint_of(aimer: AirAimer, body: Constraints, loc: list[str | int]) -> Constraint:
    """The constraint, refused with a 422 when it lies outside the cannon's limits."""
    c = aimer.cannon
    if body.velocity is not None and not body.velocity <= c.max_velocity:
        raise ApiError(
            422,
            [*loc, "velocity"],
            f"the cannon fires at most {c.max_velocity} m/s",
            "outside_cannon_limits",
        )
    if body.angle is not None and not c.min_angle < body.angle < c.max_angle:
        raise ApiError(
            422,
            [*loc, "angle"],
            f"the cannon fires at angles in ({c.min_angle}, {c.max_angle}) rad",
            "outside_cannon_limits",
        )
    return Constraint(body.velocity, body.angle, body.arc)


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def reach_fields(reach: Reach) -> dict[str, float | None]:
    """max_range and min_range (m); None where no shot reaches, or nothing short of 0 m."""
    nearest, farthest = reach.nearest.item(), reach.farthest.item()
    if not math.isfinite(farthest):
        return {"max_range": None, "min_range": None}
    return {"max_range": farthest, "min_range": nearest if nearest > 0 else None}


def item(shots: AirShots, i: int, version: str) -> dict[str, object]:
    """One answer, with the fields of AimResponse."""
    angle = shots.angle[i].item()
    return {
        "distance": shots.distance[i].item(),
        "angle": angle,
        "velocity": shots.velocity[i].item(),
        "landing_distance": shots.landing_distance[i].item(),
        "miss": shots.miss[i].item(),
        "tolerance": shots.tolerance[i].item(),
        "hit": bool(shots.hit[i]),
        "angle_degrees": math.degrees(angle),
        "flight_time": shots.flight_time[i].item(),
        "apex_height": shots.apex_height[i].item(),
        "refined": bool(shots.refined[i]),
        "iterations": int(shots.iterations[i]),
        "model_version": version,
    }


def aim_one(
    aimer: AirAimer,
    version: str,
    distance: float,
    body: Conditions,
    constraint: Constraint,
    tolerance: float,
    do_refine: bool,
) -> tuple[bytes, AirShots]:
    """One target through air: the answer, or a 422 saying it is out of reach (with the
    reachable range) or that refinement did not converge (with the best miss)."""
    air = conditions(body, 1)
    reach = aimer.reach(Air(*air), constraint)
    target = torch.tensor([distance], dtype=torch.float64)
    if not bool(reach.holds(target)):
        span = (reach.nearest.item(), reach.farthest.item())
        raise ApiError(
            422,
            ["body", "distance"],
            unreachable_detail(distance, span),
            "unreachable_target",
            **reach_fields(reach),
        )
    shots = aimer.solve(target, Air(*air), tolerance, constraint, do_refine)
    if do_refine and not bool(shots.hit[0]):
        miss = finite(shots.miss[0].item())
        raise ApiError(
            422,
            ["body", "distance"],
            f"refinement did not converge: the best shot misses by {miss} m, above the "
            f"tolerance of {tolerance} m",
            "did_not_converge",
            miss=miss,
        )
    return encoder.encode(item(shots, 0, version)), shots


def aim_many(
    aimer: AirAimer,
    version: str,
    distances: list[float],
    body: Conditions,
    constraint: Constraint,
    tolerance: float,
    do_refine: bool,
) -> tuple[bytes, AirShots | None]:
    """Targets sharing one air: answers in order, the unreachable ones in their places."""
    reach = aimer.reach(Air(*conditions(body, 1)), constraint)  # one air: one reach
    target = torch.tensor(distances, dtype=torch.float64)
    ok = reach.holds(target)
    rows = ok.nonzero().squeeze(-1)
    shots = None
    if rows.numel():
        air = Air(*conditions(body, rows.numel()))
        shots = aimer.solve(target[rows], air, tolerance, constraint, do_refine)
    solved = iter(range(rows.numel()))
    span = (reach.nearest.item(), reach.farthest.item())

    def answer(distance: float, reachable: bool) -> dict[str, object]:
        if reachable and shots is not None:
            i = next(solved)
            if math.isfinite(shots.landing_distance[i].item()):
                return {**item(shots, i, version), "reachable": True}
            # Refinement left a shot that never comes down at the target's height: no
            # landing to report, so say so in the unreachable item's shape (never a null).
            detail = (
                "refinement did not converge: the best shot never comes down at the target's height"
            )
        else:
            detail = unreachable_detail(distance, span)
        return {"distance": distance, "reachable": False, "detail": detail, **reach_fields(reach)}

    answers = [answer(d, r) for d, r in zip(distances, ok.tolist(), strict=True)]
    return encoder.encode({"solutions": answers}), shots


def verify_one(cannon: Cannon, query: VerifyQuery, tolerance: float) -> VerifyResponse:
    """Where a shot lands through air, by the reference integrator: VerifyResponse's fields."""
    if not cannon.can_fire(query.velocity, query.angle):
        raise ApiError(
            422,
            ["query"],
            f"the cannon fires velocities in (0, {cannon.max_velocity}] m/s and angles in "
            f"({cannon.min_angle}, {cannon.max_angle}) rad",
            "outside_cannon_limits",
        )
    flown = reference.landing(
        query.velocity,
        query.angle,
        query.launch_height,
        query.target_height,
        query.wind,
        query.drag,
        cannon.gravity,
    )
    if not math.isfinite(flown.distance):
        raise ApiError(
            422,
            ["query"],
            f"the shot never comes down at the target's height of {query.target_height} m: "
            f"its highest point is {float(flown.apex_height)} m",
            "never_lands",
        )
    miss = abs(flown.distance - query.distance)
    return VerifyResponse(
        angle=query.angle,
        velocity=query.velocity,
        distance=query.distance,
        landing_distance=flown.distance,
        miss=miss,
        tolerance=tolerance,
        hit=miss <= tolerance,
        flight_time=flown.flight_time,
        apex_height=float(flown.apex_height),
    )
