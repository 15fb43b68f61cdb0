"""From a validated 3D request to its answer, through the engine (issue 13): the /aim and
/aim/batch answers for a `target` (`targets`) and GET /verify's 3D form. HTTP-free apart from
raising ApiError with the right fields, as app/api/replies.py, whose `Reply` it returns.

A number `wind` blows along the line of fire, toward the target's bearing at firing, so each
target of a batch may see another wind vector: those are aimed one scene at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app import cancel
from app.aiming.air import Constraint, unreachable_detail
from app.aiming.engine import Engine
from app.aiming.results import Reach
from app.aiming.space import Intercepts, Meeting, Scene
from app.api.answers import reach_fields
from app.api.errors import ApiError
from app.api.replies import Reply, constraint_of, never_lands
from app.api.space_answers import (
    encoder,
    finite,
    intercept_fields,
    one_reply,
    refused,
    response_fields,
)
from app.api.space_responses import InterceptVerdict
from app.api.space_schemas import (
    AimAtBatchRequest,
    AimAtRequest,
    SceneOptions,
    Target,
    VerifyAtQuery,
    Wind,
)

Vector = tuple[float, float, float]
NO_BEARING = (
    "a target at horizontal distance 0 m has no bearing: the cannon fires below the vertical, "
    "so it meets only targets at a horizontal distance above 0 m"
)


def point(target: Target) -> Vector:
    return target.x, target.y, target.z


def scene_of(body: SceneOptions, target: Vector) -> Scene:
    """The scene a target sees: a number wind turned toward its bearing at firing."""
    if isinstance(body.wind, Wind):
        wind = (body.wind.x, body.wind.y)
    else:
        across = math.hypot(target[0], target[1])
        wind = (
            (0.0, 0.0)
            if across == 0
            else (body.wind * target[0] / across, body.wind * target[1] / across)
        )
    return Scene(
        launch_height=body.launch_height,
        wind=wind,
        drag=body.drag,
        target_velocity=vector(body.target_velocity),
        target_acceleration=vector(body.target_acceleration),
    )


def vector(given: Any) -> Vector:
    return (0.0, 0.0, 0.0) if given is None else (given.x, given.y, given.z)


@dataclass(frozen=True)
class AskedAt:
    """A 3D request: who aims, the constraint, the tolerance, whether to refine."""

    engine: Engine
    body: SceneOptions
    constraint: Constraint
    tolerance: float  # m
    refine: bool
    reaches: dict[object, Reach] = field(default_factory=dict, compare=False)

    @classmethod
    def of(
        cls, engine: Engine, body: SceneOptions, targets: list[Vector], tolerance: float
    ) -> AskedAt:
        """The request, refused with a 422 when its constraint lies outside the cannon's
        limits or its scene outside what the model covers at this cannon's scale."""
        constraint = constraint_of(engine.air, body, ["body"])
        aimed = [t for t in targets if math.hypot(t[0], t[1]) > 0] or targets
        if why := engine.outside_scene(scene_of(body, aimed[0]), targets, constraint):
            raise ApiError(422, ["body"], why, "outside_envelope")
        return cls(engine, body, constraint, tolerance, body.refine is not False)

    @property
    def meeting(self) -> Meeting:
        return self.body.intercept

    def shared(self) -> bool:
        """Whether every target sees the same scene (no number wind to turn)."""
        return isinstance(self.body.wind, Wind) or self.body.wind == 0

    def solve(self, targets: list[Vector]) -> Intercepts:
        aim = self.engine.aim_at
        if self.shared():
            scene = scene_of(self.body, targets[0])
            return aim(targets, scene, self.constraint, self.tolerance, self.refine, self.meeting)
        each = []
        for t in targets:  # a number wind: each target's own scene
            cancel.checkpoint()
            scene = scene_of(self.body, t)
            each.append(aim([t], scene, self.constraint, self.tolerance, self.refine, self.meeting))
        return Intercepts(
            **{name: np.concatenate([vars(i)[name] for i in each]) for name in vars(each[0])}
        )

    def reach(self, target: Vector) -> Reach:
        """The reach toward a target (a search: milliseconds). In still air at targets that
        stay put it depends on the target's height alone, so a batch searches it once a
        height; otherwise once a missed target."""
        cancel.checkpoint()  # a batch's misses one after another: work given up on stops here
        scene = scene_of(self.body, target)
        still = scene.wind == (0.0, 0.0) and scene.target_velocity == scene.target_acceleration
        key = target[2] if still and scene.target_velocity == (0.0, 0.0, 0.0) else target
        if key not in self.reaches:
            self.reaches[key] = self.engine.reach_at(target, scene, self.constraint)
        return self.reaches[key]

    def holds(self, reach: Reach, answer: dict[str, Any]) -> bool:
        """Whether the target, where the shot would meet it, lies within the reach."""
        return bool(reach.holds(predicted_distance(answer, self.body)).all())


def predicted_distance(answer: dict[str, Any], body: SceneOptions) -> float:
    """The target's horizontal distance (m) at the intercept time, or at firing without one."""
    x, y, _ = answer["target"]
    time = answer["intercept_time"]
    if math.isfinite(time):
        u, a = vector(body.target_velocity), vector(body.target_acceleration)
        x += u[0] * time + a[0] * time * time / 2
        y += u[1] * time + a[1] * time * time / 2
    return math.hypot(x, y)


def no_bearing(target: Vector) -> ApiError:
    return ApiError(422, ["body", "target"], NO_BEARING, "unreachable_target", max_range=None)


@dataclass(frozen=True)
class One:
    """One target asked in 3D: checked (a bearing, the constraint, the envelope) when made,
    in microseconds; solved (0.1 to a few ms: off the event loop) and, when missed, told
    why (a search of the reach: in the lane) by the route."""

    asked: AskedAt
    target: Vector

    @classmethod
    def of(cls, engine: Engine, body: AimAtRequest, tolerance: float) -> One:
        target = point(body.target)
        if math.hypot(target[0], target[1]) == 0:
            raise no_bearing(target)
        return cls(AskedAt.of(engine, body, [target], tolerance), target)

    def solve(self) -> dict[str, Any]:
        """The answer (`Intercepts.row`), refined if asked, hit or not."""
        return self.asked.solve([self.target]).row(0)

    def reply(self, answer: dict[str, Any]) -> Reply:
        """The answer as the reply, or, for a miss, a 422 saying it is out of reach (with the
        reachable horizontal distances toward it) or that refinement did not converge (with
        the best miss). The reach is searched only for a miss."""
        asked, engine = self.asked, self.asked.engine
        if not answer["hit"]:
            reach = asked.reach(self.target)
            if not asked.holds(reach, answer):
                span = (reach.nearest.item(), reach.farthest.item())
                detail = unreachable_detail(predicted_distance(answer, asked.body), span)
                fields = reach_fields(reach)
                raise ApiError(422, ["body", "target"], detail, "unreachable_target", **fields)
            if asked.refine or not math.isfinite(answer["miss"]):
                miss = finite(answer["miss"])
                raise ApiError(
                    422,
                    ["body", "target"],
                    f"refinement did not converge: the best shot misses by {miss} m, above the "
                    f"tolerance of {asked.tolerance} m",
                    "did_not_converge",
                    miss=miss,
                )
        return one_reply(answer, engine.version_at(asked.constraint))


def aim_one(engine: Engine, body: AimAtRequest, tolerance: float) -> Reply:
    """One target, all in this thread: the local client's call (the routes split it)."""
    one = One.of(engine, body, tolerance)
    return one.reply(one.solve())


def aim_many(engine: Engine, body: AimAtBatchRequest, tolerance: float) -> Reply:
    """Targets sharing one scene: answers in order, the ones no shot meets in their places."""
    targets = [point(t) for t in body.targets]
    bearing = [math.hypot(t[0], t[1]) > 0 for t in targets]
    asked = AskedAt.of(engine, body, targets, tolerance)
    aimed = [t for t, ok in zip(targets, bearing, strict=True) if ok]
    solved = asked.solve(aimed) if aimed else None
    rows = iter(range(len(aimed)))
    items: list[dict[str, Any]] = []
    misses, refined, iterations = [], [], []
    for target, ok in zip(targets, bearing, strict=True):
        if not ok:
            items.append(refused(target, NO_BEARING, None))
            continue
        assert solved is not None
        answer = solved.row(next(rows))
        if not answer["hit"]:
            reach = asked.reach(target)
            inside = asked.holds(reach, answer)
            if not inside or not math.isfinite(answer["miss"]):
                detail = (
                    "refinement did not converge: the best shot never comes down at the "
                    "target's height"
                    if inside
                    else unreachable_detail(
                        predicted_distance(answer, body),
                        (reach.nearest.item(), reach.farthest.item()),
                    )
                )
                items.append(refused(target, detail, reach))
                continue
        items.append(
            {**response_fields(answer, engine.version_at(asked.constraint)), "reachable": True}
        )
        misses.append(answer["miss"])
        refined.append(answer["refined"])
        iterations.append(answer["iterations"])
    content = encoder.encode({"solutions": items})
    return Reply(
        content,
        np.array(misses),
        np.array(refined, dtype=bool),
        np.array(iterations, dtype=np.int64),
    )


def verify(engine: Engine, query: VerifyAtQuery, tolerance: float) -> InterceptVerdict:
    """Where a given shot meets the target's height, by DOP853 (microseconds, so inline)."""
    cannon = engine.air.cannon
    if not cannon.can_fire(query.velocity, query.angle):
        raise ApiError(422, ["query"], cannon.limits(), "outside_cannon_limits")
    scene = Scene(
        launch_height=query.launch_height,
        wind=(query.wind_x, query.wind_y),
        drag=query.drag,
        target_velocity=(query.target_velocity_x, query.target_velocity_y, query.target_velocity_z),
        target_acceleration=(
            query.target_acceleration_x,
            query.target_acceleration_y,
            query.target_acceleration_z,
        ),
    )
    answer = engine.verify_at(
        query.velocity, query.angle, query.azimuth, query.target, scene, tolerance, query.intercept
    ).row(0)
    if not math.isfinite(answer["intercept_time"]):
        raise never_lands(query.target_z, answer["apex_height"])
    return InterceptVerdict.model_validate(intercept_fields(answer))
