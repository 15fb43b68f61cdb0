"""Aiming answers through air: the request's conditions and constraint in, answers or the
errors that say why not out. HTTP-free apart from raising ApiError with the right fields."""

from __future__ import annotations

import math
from dataclasses import dataclass

import msgspec
import numpy as np

from app.aiming.air import AirAimer, Constraint, unreachable_detail
from app.aiming.results import Reach, Shots
from app.api.air_schemas import Conditions, Constraints
from app.api.answers import batch_json
from app.api.errors import ApiError
from app.api.schemas import VerifyQuery, VerifyResponse
from app.physics.kernel import flight
from app.physics.vacuum import Cannon

encoder = msgspec.json.Encoder()
VERIFY_RTOL = 1e-12  # DOP853's tolerance for GET /verify: the landing to about 1e-11 m


def conditions(body: Conditions) -> tuple[float, float, float, float]:
    """(launch_height m, target_height m, wind m/s, drag 1/m)."""
    return body.launch_height, body.target_height, body.wind, body.drag


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


def item(shots: Shots, i: int, version: str) -> dict[str, object]:
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


def unreachable(distance: float, reach: Reach) -> ApiError:
    """The 422 for a target outside what the constraint allows in this air."""
    span = (reach.nearest.item(), reach.farthest.item())
    return ApiError(
        422,
        ["body", "distance"],
        unreachable_detail(distance, span),
        "unreachable_target",
        **reach_fields(reach),
    )


@dataclass(frozen=True)
class Asked:
    """A request through air: who aims, under what conditions, constraint and tolerance."""

    aimer: AirAimer
    version: str  # of the air model
    body: Conditions
    constraint: Constraint
    tolerance: float  # m
    refine: bool

    def solve(self, distance: float | list[float]) -> Shots:
        return self.aimer.solve(
            distance, conditions(self.body), self.tolerance, self.constraint, self.refine
        )

    def reach(self) -> Reach:
        return self.aimer.reach(conditions(self.body), self.constraint)


def hit_one(asked: Asked, distance: float) -> tuple[bytes, Shots] | None:
    """One target through air when it is hit (tens of microseconds), else None: then
    `aim_one` says why, which may take a search of the reach."""
    shots = asked.solve(distance)
    return (encoder.encode(item(shots, 0, asked.version)), shots) if shots.hit[0] else None


def aim_one(asked: Asked, distance: float) -> tuple[bytes, Shots]:
    """One target through air: the answer, or a 422 saying it is out of reach (with the
    reachable range) or that refinement did not converge (with the best miss). The reach is
    computed only for a shot that missed."""
    shots = asked.solve(distance)
    if not shots.hit[0]:
        reach = asked.reach()
        if not reach.holds(distance).all():
            raise unreachable(distance, reach)
        if asked.refine or not math.isfinite(shots.landing_distance[0].item()):
            miss = finite(shots.miss[0].item())
            raise ApiError(
                422,
                ["body", "distance"],
                f"refinement did not converge: the best shot misses by {miss} m, above the "
                f"tolerance of {asked.tolerance} m",
                "did_not_converge",
                miss=miss,
            )
    return encoder.encode(item(shots, 0, asked.version)), shots


def aim_many(asked: Asked, distances: list[float]) -> tuple[bytes, Shots | None]:
    """Targets sharing one air: answers in order, the unreachable ones in their places."""
    shots = asked.solve(distances)
    reach = None
    if not shots.hit.all():  # one air: one reach, for the targets missed
        reach = asked.reach()

    if reach is None:
        answered = np.ones(len(distances), dtype=bool)
    else:  # a miss inside the reach is still answered, hit False, where it lands somewhere
        inside = reach.holds(shots.distance)
        answered = shots.hit | (inside & np.isfinite(shots.landing_distance))

    def refused(i: int) -> dict[str, object]:
        assert reach is not None
        distance = distances[i]
        detail = (
            # A missed shot that never comes down at the target's height: no landing to
            # report, so say so in the unreachable item's shape (never a null).
            "refinement did not converge: the best shot never comes down at the target's height"
            if inside[i]
            else unreachable_detail(distance, (reach.nearest.item(), reach.farthest.item()))
        )
        return {"distance": distance, "reachable": False, "detail": detail, **reach_fields(reach)}

    content = batch_json(shots, answered, asked.version, refused)
    return content, (shots.only(answered) if answered.any() else None)  # metrics: answered


def verify_one(cannon: Cannon, query: VerifyQuery, tolerance: float) -> VerifyResponse:
    """Where a shot lands through air, by the compiled DOP853 (microseconds, so inline):
    VerifyResponse's fields."""
    if not cannon.can_fire(query.velocity, query.angle):
        raise ApiError(
            422,
            ["query"],
            f"the cannon fires velocities in (0, {cannon.max_velocity}] m/s and angles in "
            f"({cannon.min_angle}, {cannon.max_angle}) rad",
            "outside_cannon_limits",
        )
    distance, time, apex = flight.landing(
        query.velocity,
        query.angle,
        query.launch_height,
        query.target_height,
        query.wind,
        query.drag,
        cannon.gravity,
        VERIFY_RTOL,
    )
    if not math.isfinite(distance):
        raise ApiError(
            422,
            ["query"],
            f"the shot never comes down at the target's height of {query.target_height} m: "
            f"its highest point is {apex} m",
            "never_lands",
        )
    miss = abs(distance - query.distance)
    return VerifyResponse(
        angle=query.angle,
        velocity=query.velocity,
        distance=query.distance,
        landing_distance=distance,
        miss=miss,
        tolerance=tolerance,
        hit=miss <= tolerance,
        flight_time=time,
        apex_height=apex,
    )
