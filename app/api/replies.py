"""From a validated request to its answer, through the engine: the one place the API and the
local client get answers from, HTTP-free apart from raising ApiError with the right fields.

`way(engine, request)` picks the path once, by the engine's rule; each `Way` answers the
same four calls and says what it answered for the metrics in a `Reply` (per target the miss
in m, whether it was refined, its steps). `first_try` is the cheap attempt a route makes
inline (microseconds: a proposal that hits); `aim_one` the full one, off the event loop
(refinement, or a missed shot's reach: out of reach, with the range, or not converged, with
the best miss). The JSON is written by app/api/answers.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.aiming.air import AirPath, Constraint, unreachable_detail
from app.aiming.engine import Calm, Engine
from app.aiming.results import Reach, Shots
from app.aiming.vacuum import Aim, OutsideLimitsError, UnreachableTargetError, check_shot
from app.api.answers import aim_json, batch_json, finite, reach_fields, shot_json, vacuum_batch
from app.api.conditions import Conditions, Constraints
from app.api.errors import ApiError
from app.api.schemas import AimBatchRequest, AimRequest, VerifyQuery, VerifyResponse
from app.physics.kernel import flight
from app.physics.vacuum import Cannon

VERIFY_RTOL = 1e-12  # DOP853's tolerance for GET /verify: the landing to about 1e-11 m


@dataclass(frozen=True)
class Reply:
    content: bytes  # the JSON answer
    misses: np.ndarray | list[float]  # (N,) m, per answered target
    refined: np.ndarray | list[bool]  # (N,)
    iterations: np.ndarray | list[int]  # (N,)


def way(engine: Engine, request: Calm | Conditions) -> Way:
    """The one place the API picks the path, by the engine's rule (`Engine.in_vacuum`): the
    vacuum's closed form for the conditions' zero, the compiled physics through air."""
    return InVacuum(engine) if engine.in_vacuum(request) else ThroughAir(engine)


class Way(Protocol):
    lane: bool  # whether its work beyond the first try waits in the worker lane

    def first_try(self, body: AimRequest, tolerance: float) -> Reply | None: ...
    def aim_one(self, body: AimRequest, tolerance: float) -> Reply: ...
    def aim_many(self, body: AimBatchRequest, tolerance: float) -> Reply: ...
    def verify(self, query: VerifyQuery, tolerance: float) -> VerifyResponse: ...


@dataclass(frozen=True)
class InVacuum:
    """The conditions' zero: the network's numpy pass for one target, the closed form to
    verify, refinement (about a millisecond) only for a proposal that misses. Its work is
    short, so it never waits in the lane."""

    engine: Engine
    lane = False

    def first_try(self, body: AimRequest, tolerance: float) -> Reply | None:
        answer = self.proposed(body, tolerance)
        if not answer.hit and body.refine is not False:
            return None
        return self.reply(answer)

    def aim_one(self, body: AimRequest, tolerance: float) -> Reply:
        shot = self.proposed(body, tolerance)
        refined = body.refine is not False and not shot.hit
        return self.reply(self.engine.vacuum.refine_one(shot) if refined else shot)

    def aim_many(self, body: AimBatchRequest, tolerance: float) -> Reply:
        content, solved = vacuum_batch(
            self.engine.vacuum, body.distances, tolerance, body.refine is not False
        )
        return Reply(content, solved.miss, solved.refined, solved.iterations)

    def verify(self, query: VerifyQuery, tolerance: float) -> VerifyResponse:
        cannon = self.engine.vacuum.cannon
        try:
            shot = check_shot(cannon, query.angle, query.velocity, query.distance, tolerance)
        except OutsideLimitsError as error:
            raise ApiError(422, ["query"], str(error), "outside_cannon_limits") from error
        return VerifyResponse(**vars(shot))

    def proposed(self, body: AimRequest, tolerance: float) -> Aim:
        """The network's verified shot; a 422 with the range for a target out of reach."""
        try:
            return self.engine.vacuum.propose_one(body.distance, tolerance)
        except UnreachableTargetError as error:
            raise ApiError(
                422,
                ["body", "distance"],
                str(error),
                "unreachable_target",
                max_range=error.max_range,
            ) from error

    def reply(self, answer: Aim) -> Reply:
        content = aim_json(answer, self.engine.version, self.engine.vacuum.cannon)
        return Reply(content, [answer.miss], [answer.refined], [answer.iterations])


@dataclass(frozen=True)
class ThroughAir:
    """Any other conditions or a held shot: the compiled physics (tens of microseconds for
    a hit); a missed target's reach is searched to say why. Batches and misses wait in the
    lane, sized to the cores."""

    engine: Engine
    lane = True

    def first_try(self, body: AimRequest, tolerance: float) -> Reply | None:
        hit = hit_one(asked(self.engine, body, tolerance), body.distance)
        return None if hit is None else air_reply(*hit)

    def aim_one(self, body: AimRequest, tolerance: float) -> Reply:
        return air_reply(*air_aim_one(asked(self.engine, body, tolerance), body.distance))

    def aim_many(self, body: AimBatchRequest, tolerance: float) -> Reply:
        return air_reply(*air_aim_many(asked(self.engine, body, tolerance), body.distances))

    def verify(self, query: VerifyQuery, tolerance: float) -> VerifyResponse:
        return verify_one(self.engine.air.cannon, query, tolerance)


def asked(engine: Engine, body: AimRequest | AimBatchRequest, tolerance: float) -> Asked:
    """The request through air; a 422 when its constraint lies outside the cannon's limits
    or its air outside what the model covers at this cannon's scale."""
    if why := engine.outside(conditions(body)):
        raise ApiError(422, ["body"], why, "outside_envelope")
    constraint = constraint_of(engine.air, body, ["body"])
    return Asked(
        engine.air, engine.air_version, body, constraint, tolerance, body.refine is not False
    )


def air_reply(content: bytes, shots: Shots | None) -> Reply:
    if shots is None:
        return Reply(content, [], [], [])
    return Reply(content, shots.miss, shots.refined, shots.iterations)


def conditions(body: Conditions) -> tuple[float, float, float, float]:
    """(launch_height m, target_height m, wind m/s, drag 1/m)."""
    return body.launch_height, body.target_height, body.wind, body.drag


def constraint_of(aimer: AirPath, body: Constraints, loc: list[str | int]) -> Constraint:
    """The constraint, refused with a 422 when it lies outside the cannon's limits."""
    c = aimer.cannon
    if body.velocity is not None and not c.fires(body.velocity):
        raise ApiError(
            422,
            [*loc, "velocity"],
            f"the cannon fires velocities in [{c.min_velocity:g}, {c.max_velocity:g}] m/s",
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

    aimer: AirPath
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
    return (shot_json(shots, 0, asked.version), shots) if shots.hit[0] else None


def air_aim_one(asked: Asked, distance: float) -> tuple[bytes, Shots]:
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
    return shot_json(shots, 0, asked.version), shots


def air_aim_many(asked: Asked, distances: list[float]) -> tuple[bytes, Shots | None]:
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
            cannon.limits(),
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
        raise never_lands(query.target_height, apex)
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


def never_lands(target_height: float, apex: float) -> ApiError:
    """The 422 for a shot that never comes down through the target's height (m)."""
    return ApiError(
        422,
        ["query"],
        f"the shot never comes down at the target's height of {target_height} m: "
        f"its highest point is {apex} m",
        "never_lands",
    )
