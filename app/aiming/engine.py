"""The aiming engine: the one object the API, the local client and the command line aim with.

It loads both models by one path, checks both by one self-check, and is the one place that
decides how a request is aimed: the vacuum's closed-form fast path (still air, flat ground,
no drag, a free shot: the conditions' zero) or the compiled physics through air. Callers
hand it the request's conditions and constraint and never choose themselves.

It aims a cannon of any muzzle speed and gravity with the same models: the networks take
their inputs in the cannon's units (app/physics/envelope.py), the compiled physics sizes its
steps and tolerances in them, and `outside` holds a request's air to the model's envelope at
the configured cannon's scale. Its answers are in metres and seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from app.aiming.air import AirPath, Constraint
from app.aiming.results import Reach, Shots
from app.aiming.space import FREE, Intercepts, Meeting, Scene, SpacePath, Vector
from app.aiming.vacuum import VacuumPath
from app.config import Settings
from app.model.network import InverseNetwork
from app.model.space_fitness import space_unfit
from app.model.store import load_model
from app.physics.envelope import ENVELOPE, Envelope
from app.physics.kernel.model import CompiledAimer

CALM = (0.0, 0.0, 0.0, 0.0)  # launch height m, target height m, wind m/s, drag 1/m
STILL = Scene()  # flat ground, still air, a target standing still


class Calm(Protocol):
    def still_and_flat(self) -> bool:
        """No drag and the target at the launch height (app/api/conditions.py)."""
        ...


@runtime_checkable
class Held(Calm, Protocol):
    def free(self) -> bool:
        """Neither the velocity nor the angle fixed."""
        ...


@dataclass(frozen=True)
class Engine:
    vacuum: VacuumPath
    air: AirPath
    card: dict[str, Any]  # the vacuum model's card
    air_card: dict[str, Any]
    space_network: InverseNetwork  # proposes 3D shots at moving targets
    space_card: dict[str, Any]

    @classmethod
    def load(cls, settings: Settings) -> Engine:
        """The models from the settings' paths; ModelError if one is missing or tampered."""
        cannon, steps = settings.cannon(), settings.max_refine_iterations
        network, card = load_model(settings.model_path, cannon)
        air_network, air_card = load_model(settings.air_model_path, cannon, "air")
        space_network, space_card = load_model(settings.space_model_path, cannon, "space")
        return cls(
            VacuumPath(network, steps, card["version"]),
            AirPath(air_network, steps),
            card,
            air_card,
            space_network,
            space_card,
        )

    @property
    def version(self) -> str:
        """The vacuum model's version (the first twelve hex digits of its sha256)."""
        return self.vacuum.version

    @property
    def air_version(self) -> str:
        version: str = self.air_card["version"]
        return version

    def version_at(self, constraint: Constraint) -> str:
        """The version of the model that proposes a 3D shot under the constraint: the 3D
        network's for a free shot, the air network's (along the line of fire) for a held one."""
        held = constraint.velocity is not None or constraint.angle is not None
        version: str = (self.air_card if held else self.space_card)["version"]
        return version

    def self_check(self) -> str | None:
        """None when the models aim as their cards say, else why not (a crash counts)."""
        try:
            return (
                self.vacuum.self_check(self.card)
                or self.air.self_check(self.air_card)
                or self.space_unfit()
                or self.space.self_check()
            )
        except Exception as error:
            return f"self-check failed: {type(error).__name__}: {error}"

    def space_unfit(self) -> str | None:
        """Why the 3D network is unfit to serve (app/model/space_fitness.py), else None."""
        unfit = space_unfit(self.space_network, self.space_card, self.space.compiled)
        return f"3D self-check failed: {unfit}" if unfit else None

    def aim(
        self,
        distance: ArrayLike,
        conditions: Sequence[ArrayLike] = CALM,
        constraint: Constraint = FREE,
        tolerance: float = 0.05,
        refine: bool = True,
    ) -> Shots:
        """Aim at targets (m) in conditions (launch height m, target height m, wind m/s, drag
        1/m; each a float or one per target) under a constraint, each answer verified. A
        target out of reach is not hit: `reach` says what is."""
        if self.calm(conditions, constraint):
            return self.vacuum.solve(distance, tolerance, refine)
        return self.air.solve(distance, conditions, tolerance, constraint, refine)

    def reach(self, conditions: Sequence[float] = CALM, constraint: Constraint = FREE) -> Reach:
        """The nearest and farthest landings (m) the constraint allows in these conditions."""
        if self.calm(conditions, constraint):  # the closed form: (0, v_max^2 / g]
            return Reach(np.zeros(1), np.array([self.vacuum.cannon.max_range]))
        return self.air.reach(conditions, constraint)

    @cached_property
    def space(self) -> SpacePath:
        """Aiming in 3D at moving targets (app/aiming/space.py): the 3D network proposes free
        shots, the air network's answer along the line of fire starts held ones."""
        compiled = CompiledAimer.of(self.air.network, self.space_network)
        return SpacePath(compiled, self.air.cannon, self.air.max_iterations)

    def aim_at(
        self,
        targets: ArrayLike,
        scene: Scene = STILL,
        constraint: Constraint = FREE,
        tolerance: float = 0.05,
        refine: bool = True,
        meeting: Meeting = "descending",
    ) -> Intercepts:
        """Aim at targets (N, 3) m in a scene (its wind from any side, the targets' motion),
        each answer verified. A target missed may be out of reach: `reach_at` says."""
        return self.space.aim(targets, scene, constraint, tolerance, refine, meeting)

    def verify_at(
        self,
        velocity: float,
        angle: float,
        azimuth: float,
        target: Vector,
        scene: Scene,
        tolerance: float,
        meeting: Meeting = "descending",
    ) -> Intercepts:
        """Where a given shot (m/s, rad, rad) meets the target's height, and its miss (m)."""
        return self.space.verify(velocity, angle, azimuth, target, scene, tolerance, meeting)

    def reach_at(self, target: Vector, scene: Scene, constraint: Constraint = FREE) -> Reach:
        """The nearest and farthest horizontal landings (m) along the line of fire toward
        where the target will be."""
        return self.space.reach(target, scene, constraint)

    def outside_scene(
        self, scene: Scene, targets: ArrayLike, constraint: Constraint = FREE
    ) -> str | None:
        """Why a scene lies outside what the solver covers at this cannon's scale for this
        constraint (a held shot takes heavier drag: app/aiming/space.py), else None."""
        return self.space.outside(targets, scene, constraint)

    @cached_property
    def envelope(self) -> Envelope:
        """The air model's envelope in metres (m, m, m/s, 1/m) for this cannon."""
        return ENVELOPE.at(self.air.cannon)

    def outside(self, conditions: Sequence[float]) -> str | None:
        """Why one air (launch height m, target height m, wind m/s, drag 1/m) lies outside
        what the air model covers at this cannon's scale, else None. The requests' bounds
        are the default cannon's (app/api/conditions.py); another cannon's are these."""
        envelope = self.envelope
        launch, target, wind, drag = conditions
        for name, value, (low, high), unit in (
            ("launch_height", launch, envelope.launch_height, "m"),
            ("height difference", target - launch, envelope.height_difference, "m"),
            ("wind", wind, envelope.wind, "m/s"),
            ("drag", drag, envelope.drag, "1/m"),
        ):
            slack = 1e-9 * (high - low)  # the bounds are products: a rounding off them
            if not low - slack <= value <= high + slack:
                return (
                    f"{name} {value:g} {unit} is outside the air model's envelope for this "
                    f"cannon: {low:.6g} to {high:.6g} {unit}"
                )
        return None

    @staticmethod
    def calm(conditions: Sequence[ArrayLike], constraint: Constraint = FREE) -> bool:
        """The conditions' zero, aimed by the vacuum's closed forms: no drag (then wind
        changes nothing), the target at the launch height, and a free shot."""
        launch, target, _, drag = conditions
        if isinstance(launch, float | int) and isinstance(target, float | int):
            flat = drag == 0 and launch == target  # one request's floats: no numpy here
        else:
            flat = bool(np.all(np.asarray(drag) == 0) and np.all(np.equal(launch, target)))
        return bool(flat) and constraint.velocity is None and constraint.angle is None

    @staticmethod
    def in_vacuum(request: Calm) -> bool:
        """`calm` for a request (a /verify query fixes both controls and asks only where the
        shot lands: its calm is the conditions')."""
        return request.still_and_flat() and (request.free() if isinstance(request, Held) else True)
