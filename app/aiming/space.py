"""Aiming in three dimensions at targets that move: the engine's path for a `target` given as
a point (app/physics/kernel/intercept.py says how it is solved).

A `Scene` is what a request's targets share: the launch height, a horizontal wind from any
side, the drag, and the targets' motion (each target at p + u t + a t^2 / 2, t after firing).
The answers are `Intercepts`: the controls (velocity, elevation, azimuth) and where the shot
meets the target, verified by DOP853 far below the tolerance.

Axes: x and y horizontal, z up, metres, from the ground under the muzzle; the azimuth is
counter-clockwise from +x toward +y, in (-pi, pi].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from app.aiming.air import Constraint
from app.aiming.results import Reach
from app.physics.envelope import (
    METRES,
    TARGET_ACCELERATION,
    TARGET_SPEED,
    Reference,
    unit_length,
)
from app.physics.kernel import approach, intercept, space
from app.physics.kernel.flight import first_time
from app.physics.kernel.model import MODES, CompiledAimer
from app.physics.vacuum import Cannon

Vector = tuple[float, float, float]
Meeting = Literal["descending", "any"]
# Drag as k v_max^2 / g for a held shot: ballistic-solver's heaviest published drag (2e-3 /m
# at 420 m/s, about 36) and a margin; benchmarks/buckets.py measures the solver there.
HELD_DRAG = 40.0
FREE = Constraint()


@dataclass(frozen=True)
class Scene:
    """What a request's targets share."""

    launch_height: float = 0.0  # m
    wind: tuple[float, float] = (0.0, 0.0)  # m/s, horizontal (x, y)
    drag: float = 0.0  # 1/m
    target_velocity: Vector = (0.0, 0.0, 0.0)  # m/s at firing
    target_acceleration: Vector = (0.0, 0.0, 0.0)  # m/s^2, constant

    def rows(self, targets: np.ndarray, gravity: float) -> np.ndarray:
        """The compiled scene (N, len(space.SCENE)) for targets (N, 3)."""
        rows = np.empty((len(targets), len(space.SCENE)))
        rows[:] = (  # one assignment, the targets' columns filled next: a single target's
            self.launch_height, *self.wind, self.drag, gravity,  # whole aim is microseconds
            0.0, 0.0, 0.0, *self.target_velocity, *self.target_acceleration,
        )  # fmt: skip
        rows[:, 5:8] = targets
        return rows


@dataclass(frozen=True)
class Intercepts:
    """Answers for N targets: (N,) arrays unless said. Where the shot never comes down through
    the target's height: NaN time, point and miss, hit False."""

    target: np.ndarray  # (N, 3) m, at firing
    angle: np.ndarray  # rad, the elevation
    azimuth: np.ndarray  # rad
    velocity: np.ndarray  # m/s
    intercept_time: np.ndarray  # s after firing
    intercept_point: np.ndarray  # (N, 3) m: the shot there, at the target's height then
    miss: np.ndarray  # m: horizontal distance between the shot and the target then
    tolerance: np.ndarray  # m
    hit: np.ndarray  # bool
    refined: np.ndarray  # bool
    iterations: np.ndarray  # int64
    apex_height: np.ndarray  # m above the ground

    def row(self, i: int) -> dict[str, Any]:
        """One target's answer in plain Python numbers (vectors as (x, y, z) tuples)."""
        return {  # field by field: a loop over vars() costs more than the aim of a still target
            "target": tuple(self.target[i].tolist()),
            "angle": self.angle[i].item(),
            "azimuth": self.azimuth[i].item(),
            "velocity": self.velocity[i].item(),
            "intercept_time": self.intercept_time[i].item(),
            "intercept_point": tuple(self.intercept_point[i].tolist()),
            "miss": self.miss[i].item(),
            "tolerance": self.tolerance[i].item(),
            "hit": bool(self.hit[i]),
            "refined": bool(self.refined[i]),
            "iterations": int(self.iterations[i]),
            "apex_height": self.apex_height[i].item(),
        }


class SpacePath:
    """The compiled 3D solver bound to the air network (one model for 2D and 3D)."""

    def __init__(self, compiled: CompiledAimer, cannon: Cannon, max_iterations: int) -> None:
        self.compiled, self.cannon, self.max_iterations = compiled, cannon, max_iterations

    def self_check(self) -> str | None:
        """None when a moving target through a crosswind is hit, met both ways, at the
        tightest tolerance at this cannon's scale (which also loads the compiled 3D solver
        before the first request), else what failed."""
        length = unit_length(self.cannon) / unit_length(Reference())
        speed = self.cannon.max_velocity / Reference.max_velocity
        scene = Scene(
            1.5 * length,
            (-2.0 * speed, 2.0 * speed),
            0.1 / length,
            (0.5 * speed, -0.5 * speed, 0.0),
        )
        target = (3.0 * length, 1.5 * length, 0.5 * length)
        for meeting in ("descending", "any"):
            for constraint in (FREE, Constraint(velocity=9.0 * speed, arc="high")):
                shot = self.aim(target, scene, constraint, 1e-6 * length, True, meeting)
                if not bool(shot.hit[0]):
                    return (
                        f"3D self-check failed: {constraint} ({meeting}) missed by {shot.miss[0]} m"
                    )
        return None

    def aim(
        self,
        targets: ArrayLike,
        scene: Scene,
        constraint: Constraint,
        tolerance: float,
        refine: bool,
        meeting: Meeting = "descending",
    ) -> Intercepts:
        """Aim at targets (N, 3) m in the scene, each answer verified. `meeting`: where the
        shot comes down through the target's height (the miss horizontal), or at any point of
        its flight (the miss the 3D distance of closest approach)."""
        points = np.array(targets, dtype=np.float64, ndmin=2).reshape(-1, 3)
        mode, fixed = constraint.mode()
        rows = scene.rows(points, self.cannon.gravity)
        out = self.compiled.aim_at(
            rows, mode, fixed, tolerance, refine, self.max_iterations, meeting == "any"
        )
        return self._intercepts(points, out, tolerance)

    def verify(
        self,
        velocity: float,
        angle: float,
        azimuth: float,
        target: Vector,
        scene: Scene,
        tolerance: float,
        meeting: Meeting = "descending",
    ) -> Intercepts:
        """Where a given shot meets the target (its height on the way down, or its closest
        pass), by DOP853 at 1e-12."""
        points = np.array([target], dtype=np.float64)
        rows = scene.rows(points, self.cannon.gravity)
        met = np.empty(6)
        flight = first_time(velocity, angle, target[2] - scene.launch_height, self.cannon.gravity)
        flown = approach.closest if meeting == "any" else space.meet
        flown(velocity, angle, azimuth, rows[0], 0.02 * flight, 1e-12, met)
        wrapped = math.atan2(math.sin(azimuth), math.cos(azimuth))
        out = np.array([[angle, wrapped, velocity, met[3], *met[:3], met[4], met[5], 0]])
        return self._intercepts(points, out, tolerance)

    def reach(self, target: Vector, scene: Scene, constraint: Constraint) -> Reach:
        """The nearest and farthest horizontal landings (m) the constraint allows along the
        line of fire to where the target will be (asked only for a missed target)."""
        rows = scene.rows(np.array([target], dtype=np.float64), self.cannon.gravity)
        mode, fixed = constraint.mode()
        line = np.empty(intercept.LINE)
        time = self._arrival(rows[0], mode, fixed)
        intercept.line_of_fire(rows[0], time if math.isfinite(time) else 0.0, line)
        ends = self.compiled.reach(line[None, 2:], mode, fixed)
        return Reach(ends[:, 0], ends[:, 1])

    def _arrival(self, row: np.ndarray, mode: str, fixed: float) -> float:
        c = self.compiled
        return float(
            intercept.propose(
                row,
                MODES[mode],
                fixed,
                1e-3 * unit_length(self.cannon),
                c.limits,
                c.weights,
                self.max_iterations,
            )[3]
        )

    def outside(
        self, targets: ArrayLike, scene: Scene, constraint: Constraint = FREE
    ) -> str | None:
        """Why the scene lies outside what the solver covers at this cannon's scale, else
        None. A held shot (its velocity or elevation fixed) needs no network: its drag may
        go as far as HELD_DRAG, where the compiled physics was measured to hold."""
        length = unit_length(self.cannon) / unit_length(Reference())
        held = constraint.velocity is not None or constraint.angle is not None
        drag = HELD_DRAG / unit_length(self.cannon) if held else METRES.drag[1] / length
        speed = self.cannon.max_velocity / Reference.max_velocity
        accel = self.cannon.gravity / Reference.gravity
        points = np.array(targets, dtype=np.float64, ndmin=2).reshape(-1, 3)
        rise = points[:, 2] - scene.launch_height
        for name, value, high, unit in (
            ("launch_height", scene.launch_height, METRES.launch_height[1] * length, "m"),
            (
                "height difference",
                float(np.max(np.abs(rise))),
                METRES.height_difference[1] * length,
                "m",
            ),
            ("wind", math.hypot(*scene.wind), METRES.wind[1] * speed, "m/s"),
            ("drag", scene.drag, drag, "1/m"),
            ("target speed", math.hypot(*scene.target_velocity), TARGET_SPEED * speed, "m/s"),
            (
                "target acceleration",
                math.hypot(*scene.target_acceleration),
                TARGET_ACCELERATION * accel,
                "m/s^2",
            ),
        ):
            if not -1e-9 * high <= value <= high * (1 + 1e-9):
                whose = "a held shot's envelope" if held else "the model's envelope"
                return f"{name} {value:g} {unit} is outside {whose} for this cannon: at most {high:.6g} {unit}"
        return None

    def _intercepts(self, points: np.ndarray, out: np.ndarray, tolerance: float) -> Intercepts:
        # Columns as intercept.COLUMNS says; positional, in the fields' order: a single
        # target's answer is microseconds, and keywords cost a noticeable part of them.
        c = out.T
        miss, iterations = c[7], c[9].astype(np.int64)
        n = len(points)
        return Intercepts(
            points, c[0], c[1], c[2], c[3], out[:, 4:7], miss, np.full(n, tolerance),
            miss <= tolerance, iterations > 0, iterations, c[8],
        )  # fmt: skip
