"""Aiming through air: the conditioned network proposes, Newton on the compiled physics
corrects, and an independent compiled integrator verifies every answer (app/physics/kernel/ says how).

Three ways to pin the shot down, as fire-control tools offer them:
- free (the default): the lowest launch velocity that reaches the target. The network was
  trained to propose it; Gauss-Newton refinement corrects the proposal with the smallest
  change, so it stays that shot.
- fixed velocity: the angle, on the low or the high arc, each a bracketed root.
- fixed angle: the velocity, the same way; the landing rises with the velocity.

Reach is only computed when a target is missed: most targets lie well inside it, and a hit
needs no reach. A missed target is then either out of reach (refused with the range the
constraint allows, searched for the given air by app/physics/kernel/reach.py) or inside it
and not converged, a different failure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from app.aiming.results import Reach, Shots
from app.model.fitness import air_unfit
from app.model.network import InverseNetwork
from app.physics.envelope import Reference, unit_length
from app.physics.flight import Air
from app.physics.kernel.model import CompiledAimer
from app.physics.vacuum import Cannon

Arc = Literal["low", "high"]


@dataclass(frozen=True)
class Constraint:
    """At most one of velocity and angle is fixed; `arc` picks the arc at a fixed velocity."""

    velocity: float | None = None  # m/s
    angle: float | None = None  # rad
    arc: Arc = "low"

    def mode(self) -> tuple[str, float]:
        """The compiled solver's mode and the fixed control (m/s or rad; 0 when free)."""
        if self.velocity is not None:
            return self.arc, self.velocity
        if self.angle is not None:
            return "angle", self.angle
        return "free", 0.0


class AirPath:
    """The engine's path through air (app/aiming/engine.py): the conditioned network and the
    compiled physics. Callers aim through the engine. Shapes: (N,)."""

    def __init__(self, network: InverseNetwork, max_iterations: int) -> None:
        self.network = network.eval()
        self.cannon: Cannon = network.cannon
        self.max_iterations = max_iterations
        self.compiled = CompiledAimer.of(network)

    def self_check(self, card: Mapping[str, Any] | None = None) -> str | None:
        """None if the model is fit to serve, else what failed: first the network itself, as
        for the vacuum (app/model/fitness.py; the figures need the card), then aim through known
        air, free and held, at the tightest tolerance, verified (which also loads the compiled
        kernel before the first request)."""
        if unfit := air_unfit(self.network, card):
            return f"air self-check failed: {unfit}"
        # Known air at the reference cannon, carried to this one's scale (app/physics/envelope.py).
        length = unit_length(self.cannon) / unit_length(Reference())
        speed = self.cannon.max_velocity / Reference.max_velocity
        air = (1.5 * length, 0.5 * length, -3.0 * speed, 0.1 / length)
        for constraint in (Constraint(), Constraint(velocity=9.0 * speed, arc="high")):
            shots = self.solve(4.0 * length, air, 1e-6 * length, constraint, True)
            if not bool(shots.hit.all()):
                return f"air self-check failed: {constraint} missed by {shots.miss.item()} m"
        return None

    def reach(self, air: Air | Sequence[ArrayLike], constraint: Constraint) -> Reach:
        """The nearest and farthest landings (m) the constraint allows in each air (a search:
        asked for targets the solver missed)."""
        mode, fixed = constraint.mode()
        ends = self.compiled.reach(conditions_of(air), mode, fixed)  # (N, 2)
        return Reach(ends[:, 0], ends[:, 1])

    def solve(
        self,
        distance: ArrayLike,
        air: Air | Sequence[ArrayLike],
        tolerance: float,
        constraint: Constraint,
        do_refine: bool,
    ) -> Shots:
        """Aim at the targets (m), each verified; a missed one may be out of reach (`reach`).
        `air`: an Air, or its four conditions as arrays or floats that broadcast."""
        distance = np.array(np.asarray(distance), dtype=np.float64, ndmin=1)  # (N,)
        mode, fixed = constraint.mode()
        out = self.compiled.aim(
            distance,
            conditions_of(air, len(distance)),
            mode,
            fixed,
            tolerance,
            do_refine,
            self.max_iterations,
        )
        angle, velocity, landing, time, apex, steps = out.T
        miss = np.abs(landing - distance)
        iterations = steps.astype(np.int64)
        return Shots(
            distance=distance,
            angle=angle,
            velocity=velocity,
            landing_distance=landing,
            miss=miss,
            tolerance=np.full_like(distance, tolerance),
            hit=miss <= tolerance,  # False for NaN
            refined=iterations > 0,
            iterations=iterations,
            flight_time=time,
            apex_height=apex,
        )

    def propose(self, distance: ArrayLike, air: Air) -> tuple[np.ndarray, np.ndarray]:
        """The network's (angle rad, velocity m/s); where that shot never comes down at the
        target, the farthest-carrying shot at full velocity instead, which does."""
        shots = self.solve(distance, air, math.inf, Constraint(), False)
        return shots.angle, shots.velocity


def conditions_of(air: Air | Sequence[ArrayLike], n: int | None = None) -> np.ndarray:
    """(N, 4) float64: launch height m, target height m, wind m/s, drag 1/m, each column
    broadcast to n rows (by default, as many as the longest condition has)."""
    values = [
        np.asarray(v, dtype=np.float64).ravel()
        for v in (vars(air).values() if isinstance(air, Air) else air)
    ]
    rows = np.empty((n or max(len(v) for v in values), 4))
    for column, value in enumerate(values):
        rows[:, column] = value
    return rows


def unreachable_detail(distance: float, reach: tuple[float, float]) -> str:
    """Why a target cannot be hit, in words."""
    nearest, farthest = reach
    if not math.isfinite(farthest) or nearest > farthest:
        return "no shot within the cannon's limits comes down at the target's height"
    span = f"[{nearest}, {farthest}]" if nearest > 0 else f"(0, {farthest}]"
    return f"target distance {distance} m is out of reach in this air: targets lie in {span} m"
