"""From a validated request to its answer, through the engine: the one place the API and the
local client get answers from, HTTP-free apart from raising ApiError with the right fields.
The engine picks the path (app/aiming/engine.py); the writers are app/api/answers.py (the vacuum's)
and app/api/air_answers.py (through air).

Each aiming call says what it answered for the metrics in a `Reply`: per target the miss (m),
whether it was refined and its steps. `first_try` is the cheap attempt a route makes inline
(microseconds: a vacuum proposal that hits, or a shot through air that hits); `aim_one` the
full one, for the worker lane (refinement, or a missed shot's reach).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.aiming.engine import Engine
from app.aiming.results import Shots
from app.aiming.vacuum import OutsideLimitsError, UnreachableTargetError, check_shot
from app.api import air_answers
from app.api.air_answers import Asked
from app.api.answers import aim_json, vacuum_batch
from app.api.errors import ApiError
from app.api.schemas import AimBatchRequest, AimRequest, VerifyQuery, VerifyResponse


@dataclass(frozen=True)
class Reply:
    content: bytes  # the JSON answer
    misses: np.ndarray | list[float]  # (N,) m, per answered target
    refined: np.ndarray | list[bool]  # (N,)
    iterations: np.ndarray | list[int]  # (N,)


def first_try(engine: Engine, body: AimRequest, tolerance: float) -> Reply | None:
    """The answer when it costs microseconds, else None (then `aim_one`)."""
    if not engine.in_vacuum(body):
        hit = air_answers.hit_one(asked(engine, body, tolerance), body.distance)
        return None if hit is None else air_reply(*hit)
    try:
        answer = engine.vacuum.propose_one(body.distance, tolerance)
    except UnreachableTargetError as error:
        raise ApiError(
            422, ["body", "distance"], str(error), "unreachable_target", max_range=error.max_range
        ) from error
    if not answer.hit and body.refine is not False:
        return None
    content = aim_json(answer, engine.version, engine.vacuum.cannon)
    return Reply(content, [answer.miss], [answer.refined], [answer.iterations])


def aim_one(engine: Engine, body: AimRequest, tolerance: float) -> Reply:
    """The answer, refined or with its reach searched: milliseconds, for a worker."""
    if not engine.in_vacuum(body):
        return air_reply(*air_answers.aim_one(asked(engine, body, tolerance), body.distance))
    shot = engine.vacuum.propose_one(body.distance, tolerance)
    answer = engine.vacuum.refine_one(shot) if body.refine is not False and not shot.hit else shot
    content = aim_json(answer, engine.version, engine.vacuum.cannon)
    return Reply(content, [answer.miss], [answer.refined], [answer.iterations])


def aim_many(engine: Engine, body: AimBatchRequest, tolerance: float) -> Reply:
    """Answers in order, the unreachable ones in their places."""
    if not engine.in_vacuum(body):
        return air_reply(*air_answers.aim_many(asked(engine, body, tolerance), body.distances))
    content, solved = vacuum_batch(
        engine.vacuum, body.distances, tolerance, body.refine is not False
    )
    return Reply(content, solved.miss, solved.refined, solved.iterations)


def verify(engine: Engine, query: VerifyQuery, tolerance: float) -> VerifyResponse:
    """Where a given shot lands, how long it flies, how high it goes, and whether it hits."""
    if not engine.in_vacuum(query):
        return air_answers.verify_one(engine.air.cannon, query, tolerance)
    try:
        shot = check_shot(
            engine.vacuum.cannon, query.angle, query.velocity, query.distance, tolerance
        )
    except OutsideLimitsError as error:
        raise ApiError(422, ["query"], str(error), "outside_cannon_limits") from error
    return VerifyResponse(**vars(shot))


def asked(engine: Engine, body: AimRequest | AimBatchRequest, tolerance: float) -> Asked:
    """The request through air; a 422 when its constraint lies outside the cannon's limits."""
    constraint = air_answers.constraint_of(engine.air, body, ["body"])
    return Asked(
        engine.air, engine.air_version, body, constraint, tolerance, body.refine is not False
    )


def air_reply(content: bytes, shots: Shots | None) -> Reply:
    if shots is None:
        return Reply(content, [], [], [])
    return Reply(content, shots.miss, shots.refined, shots.iterations)
