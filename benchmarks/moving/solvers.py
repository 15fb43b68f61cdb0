"""The two solvers on the benchmark's cases, one target at a time and batched, timed the same
way: ours (`Engine.aim_at`, in process, what a request costs) and the peer's
(`ballistic_solver.solve`, its g set to 9.81, its wind to ours, its `tolMiss` to the tolerance
compared at, the target's acceleration as its `relAcc`).

An answer is a row (speed m/s, elevation rad, azimuth rad, said): `said` is the solver's own
verdict, 1.0 when it says it hit (ours: `hit`; the peer: `success`), else 0.0."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from app.aiming import space
from app.aiming.air import Constraint
from app.aiming.engine import Engine
from benchmarks.moving import judge
from benchmarks.moving.cases import VELOCITY, Cases

Call = Callable[[int], tuple[float, float, float, float]]


def timed(call: Call, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per target seconds (n,) and answers (n, 4), one call at a time."""
    seconds, answers = np.empty(n), np.empty((n, 4))
    for i in range(n):
        began = time.perf_counter()
        answers[i] = call(i)
        seconds[i] = time.perf_counter() - began
    return seconds, answers


def constraint(how: str) -> Constraint:
    """Free (the lowest velocity) for "free", else VELOCITY on that arc ("low", "high")."""
    return Constraint() if how == "free" else Constraint(velocity=VELOCITY, arc=how)  # type: ignore[arg-type]


def scene(m: judge.Motion) -> space.Scene:
    """The engine's Scene for a case."""
    return space.Scene(
        launch_height=m.launch_height,
        wind=m.wind,
        drag=m.drag,
        target_velocity=m.velocity,
        target_acceleration=m.acceleration,
    )


def answers_of(shots: space.Intercepts) -> np.ndarray:
    """(N, 4) rows from an Intercepts."""
    return np.column_stack([shots.velocity, shots.angle, shots.azimuth, shots.hit.astype(float)])


def ours(
    engine: Engine, cases: Cases, how: str, tolerance: float, meeting: str = "descending"
) -> Call:
    """One target a call; meeting: "descending" or "any" (the engine's `meeting`)."""
    held, scenes = constraint(how), [scene(m) for m in cases.motions]
    targets, met = cases.targets, cast(space.Meeting, meeting)

    def call(i: int) -> tuple[float, float, float, float]:
        shots = engine.aim_at(targets[i : i + 1], scenes[i], held, tolerance, meeting=met)
        said = 1.0 if shots.hit[0] else 0.0  # read as the peer's answer is: a field at a time
        return float(shots.velocity[0]), float(shots.angle[0]), float(shots.azimuth[0]), said

    return call


def ours_batched(
    engine: Engine, cases: Cases, how: str, tolerance: float, meeting: str = "descending"
) -> tuple[float, np.ndarray]:
    """Seconds for one aim_at call per scene with all its targets, and the answers (N, 4)."""
    held, targets, met = constraint(how), cases.targets, cast(space.Meeting, meeting)
    answers, spent = np.empty((len(targets), 4)), 0.0
    for rows in cases.groups():
        shared = scene(cases.motions[rows[0]])
        began = time.perf_counter()
        shots = engine.aim_at(targets[rows], shared, held, tolerance, meeting=met)
        spent += time.perf_counter() - began
        answers[rows] = answers_of(shots)
    return spent, answers


def peer(cases: Cases, arc: str, tolerance: float, gravity: float) -> Call:
    import ballistic_solver as bs  # the bench extra

    def parameters(m: judge.Motion) -> Any:
        params = bs.params_preset("precise")
        params.g, params.tolMiss, params.wind = gravity, tolerance, [*m.wind, 0.0]
        return params

    mode = bs.ArcMode.High if arc == "high" else bs.ArcMode.Low
    each = [parameters(m) for m in cases.motions]  # built before the clock runs
    relative = [[m.target[0], m.target[1], m.target[2] - m.launch_height] for m in cases.motions]

    def call(i: int) -> tuple[float, float, float, float]:
        m = cases.motions[i]
        answer = bs.solve(relative[i], m.velocity, VELOCITY, m.drag, mode, params=each[i],
                          relAcc=m.acceleration)  # fmt: skip
        said = 1.0 if answer["success"] else 0.0
        if not (math.isfinite(answer["theta"]) and math.isfinite(answer["phi"])):
            return math.nan, math.nan, math.nan, said
        return VELOCITY, answer["theta"], answer["phi"], said

    return call


def peer_loop(cases: Cases, arc: str, tolerance: float, gravity: float) -> float:
    """Seconds for the peer's loop over every target (its batch)."""
    call, n = peer(cases, arc, tolerance, gravity), len(cases.motions)
    began = time.perf_counter()
    for i in range(n):
        call(i)
    return time.perf_counter() - began
