"""Moving targets that a shot can meet, by construction (the way ballistic-solver's
benchmark builds its cases, written here): fly a real shot through a random scene with the
reference, take where it comes down through a height, and put a moving target there at that
moment. A target whose height the shot comes down through earlier (a target rising to meet
it) is drawn again: the shot would not meet it where it comes down first. Each case knows
the shot that meets it, and which arc that shot is on."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.aiming.space import Scene
from app.physics import reference
from app.physics.envelope import METRES, TARGET_ACCELERATION, TARGET_SPEED, Reference, unit_length
from app.physics.vacuum import Cannon


@dataclass(frozen=True)
class Case:
    target: np.ndarray  # (3,) m at firing
    scene: Scene
    velocity: float  # m/s: the shot that meets it
    angle: float  # rad
    arc: str  # "low" or "high": whether a steeper shot at that velocity lands farther
    azimuth: float = 0.0  # rad


def landed(shot: dict[str, float] | tuple[float, float, float], case: Case) -> reference.Intercept:
    """Where a shot (velocity m/s, elevation rad, azimuth rad) meets the case's target, by
    the reference."""
    v, el, az = (
        (shot["velocity"], shot["angle"], shot["azimuth"]) if isinstance(shot, dict) else shot
    )
    s = case.scene
    return reference.intercept(
        v, el, az, tuple(case.target), s.target_velocity, s.target_acceleration, s.wind, s.drag,
        s.launch_height, CANNON.gravity,
    )  # fmt: skip


CANNON = Cannon()


def cases(n: int, seed: int, cannon: Cannon = CANNON, shared: Scene | None = None) -> list[Case]:
    """n reachable moving targets across the envelope at the cannon's scale; all in one
    scene when `shared` is given (a batch's targets share theirs)."""
    rng = np.random.default_rng(seed)
    length = unit_length(cannon) / unit_length(Reference())
    speed = cannon.max_velocity / Reference.max_velocity
    accel = cannon.gravity / Reference.gravity
    drawn: list[Case] = []

    def direction(size: int) -> np.ndarray:
        u = rng.normal(size=size)
        return u / np.linalg.norm(u)

    while len(drawn) < n:
        v = cannon.max_velocity * rng.uniform(0.4, 1.0)
        el, az = rng.uniform(0.25, 1.3), rng.uniform(-math.pi, math.pi)
        h0 = rng.uniform(0.0, 2.0) * length
        wind = tuple(METRES.wind[1] * speed * rng.uniform(0, 1) * direction(2))
        drag = rng.uniform(*METRES.drag) / length
        height = h0 + rng.uniform(-1.5, 1.5) * length
        if shared is not None:  # the draws above still made, so a seed means one sequence
            h0, wind, drag = shared.launch_height, shared.wind, shared.drag
        met = reference.intercept(
            v, el, az, (0.0, 0.0, height), wind=wind, drag=drag, launch_height=h0,
            gravity=cannon.gravity,
        )  # fmt: skip
        if not math.isfinite(met.time):
            continue
        u = TARGET_SPEED * speed * rng.uniform(0, 1) * direction(3)
        a = TARGET_ACCELERATION * accel * rng.uniform(0, 1) * direction(3)
        if shared is not None:
            u, a = np.array(shared.target_velocity), np.array(shared.target_acceleration)
        t = met.time
        target = np.array(met.point) - u * t - 0.5 * a * t * t
        if abs(target[2] - h0) > 3 * length or math.hypot(*target[:2]) < 0.3 * length:
            continue
        scene = Scene(h0, wind, drag, tuple(u), tuple(a))
        case = Case(target, scene, v, el, "low", az)
        if not landed((v, el, az), case).miss <= 1e-9 * length:
            continue  # it comes down through the moving target's height earlier, elsewhere
        drawn.append(Case(target, scene, v, el, arc_of((v, el, az), case), az))
    return drawn


def arc_of(shot: tuple[float, float, float], case: Case) -> str:
    """The arc of a shot (velocity m/s, elevation rad, azimuth rad) that meets the case's
    target, by the reference: "low" if a steeper shot comes down farther along the line of
    fire, else "high"."""
    v, el, az = shot
    steeper = landed((v, el + 1e-6, az), case)
    s = case.scene
    there = case.target + np.multiply(s.target_velocity, steeper.time)
    there += 0.5 * np.multiply(s.target_acceleration, steeper.time**2)
    ahead = (np.array(steeper.point[:2]) - there[:2]) @ (math.cos(az), math.sin(az))
    return "low" if ahead > 0 else "high"
