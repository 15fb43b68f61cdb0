"""Aiming through air: the conditioned network proposes, the simulator refines, and the
reference integrator (app/reference.py) verifies every answer.

Three ways to pin the shot down, as fire-control tools offer them:
- free (the default): the lowest launch velocity that reaches the target. The network was
  trained to propose it; Gauss-Newton refinement through the simulator (app/refinement.py,
  the vacuum's own) corrects the proposal with the smallest change, so it stays that shot.
- fixed velocity: the angle, on the low or the high arc. At a fixed velocity the landing
  rises with the angle up to the best angle (app/reach.py) and falls after it, so each arc
  is a bracketed root: safeguarded Newton, bisecting whenever Newton would leave the bracket.
- fixed angle: the velocity, the same way; the landing rises with the velocity.

Reachability is computed, not guessed: the range of landings each constraint allows is found
numerically for the given air, and a target outside it is refused with that range. A target
inside it that is still missed after refinement is a different failure: not converged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from torch import Tensor

from app import reference
from app.air_network import AirNetwork
from app.fitness import air_unfit
from app.flight import Air
from app.physics import Cannon
from app.reach import (
    EDGE,
    best_angle,
    landing_or_worst,
    nearest_landing,
)
from app.refinement import Landing, refine
from app.roots import bracketed_root, ends

Arc = Literal["low", "high"]
SCALES = torch.tensor([2.0, 1.0, 0.5, 0.25, 0.125], dtype=torch.float64)  # line search steps
FREE_STEPS = 12  # Gauss-Newton steps for a free shot before falling back to a fixed velocity
CORRECTIONS = 3  # Newton steps on the reference's own miss, for the rare simulator shortfall


@dataclass(frozen=True)
class Constraint:
    """At most one of velocity and angle is fixed; `arc` picks the arc at a fixed velocity."""

    velocity: float | None = None  # m/s
    angle: float | None = None  # rad
    arc: Arc = "low"


@dataclass(frozen=True)
class Reach:
    """The landings a constraint allows, per target: (N,) m; empty where nearest > farthest."""

    nearest: Tensor
    farthest: Tensor

    def holds(self, distance: Tensor) -> Tensor:
        return (distance >= self.nearest) & (distance <= self.farthest) & (distance > 0)


@dataclass(frozen=True)
class AirShots:
    """Answers, (N,) each; landing_distance, miss, flight_time and apex_height from the
    reference integrator."""

    distance: Tensor  # m
    angle: Tensor  # rad
    velocity: Tensor  # m/s
    landing_distance: Tensor  # m
    miss: Tensor  # m
    tolerance: Tensor  # m
    hit: Tensor  # bool
    refined: Tensor  # bool
    iterations: Tensor  # int64
    flight_time: Tensor  # s
    apex_height: Tensor  # m above the ground


class AirAimer:
    """Aims through air with the conditioned network and the simulator. Shapes: (N,)."""

    def __init__(self, network: AirNetwork, max_iterations: int) -> None:
        self.network = network.eval()
        self.cannon: Cannon = network.cannon
        self.max_iterations = max_iterations

    def self_check(self, card: Mapping[str, Any] | None = None) -> str | None:
        """None if the model is fit to serve, else what failed: first the network itself, as
        for the vacuum (app/fitness.py; the figures need the card), then aim through known
        air, free and held, at the tightest tolerance, and land the shots by the reference."""
        if unfit := air_unfit(self.network, card):
            return f"air self-check failed: {unfit}"
        one = torch.ones(1, dtype=torch.float64)
        air = Air(1.5 * one, 0.5 * one, -3.0 * one, 0.1 * one)
        for constraint in (Constraint(), Constraint(velocity=9.0, arc="high")):
            shots = self.solve(4.0 * one, air, 1e-6, constraint, True)
            if not bool(shots.hit.all()):
                return f"air self-check failed: {constraint} missed by {shots.miss.item()} m"
        return None

    def physics(self, air: Air) -> Landing:
        """The landing (m) of shots at targets `rows`, through those targets' air."""

        def landing(velocity: Tensor, angle: Tensor, rows: Tensor) -> Tensor:
            picked = Air(*(t[rows] for t in vars(air).values()))
            return landing_or_worst(velocity, angle, picked, self.cannon)

        return landing

    def reach(self, air: Air, constraint: Constraint) -> Reach:
        """The nearest and farthest landings (m) the constraint allows in each target's air."""
        c, n = self.cannon, air.wind.shape[0]
        low, high = c.min_angle + EDGE, c.max_angle - EDGE
        if constraint.angle is not None:
            angle = torch.full((n,), constraint.angle, dtype=torch.float64)

            def at(v: Tensor) -> Tensor:
                return landing_or_worst(v, angle, air, c)

            fastest = torch.full((n,), c.max_velocity, dtype=torch.float64)
            slowest = torch.full((n,), 1e-3, dtype=torch.float64)
            return Reach(ends(slowest, fastest, at), at(fastest))
        if constraint.velocity is not None:
            velocity = torch.full((n,), constraint.velocity, dtype=torch.float64)
            best, farthest = best_angle(velocity, air, c)
            end = torch.full((n,), low if constraint.arc == "low" else high, dtype=torch.float64)

            def at_angle(a: Tensor) -> Tensor:
                return landing_or_worst(velocity, a, air, c)

            return Reach(ends(end, best, at_angle), farthest)
        fastest = torch.full((n,), c.max_velocity, dtype=torch.float64)
        return Reach(nearest_landing(air, c), best_angle(fastest, air, c)[1])

    def solve(
        self, distance: Tensor, air: Air, tolerance: float, constraint: Constraint, do_refine: bool
    ) -> AirShots:
        """Aim at reachable targets (check `reach` first) and verify by the reference."""
        distance = distance.double()
        if constraint.velocity is None and constraint.angle is None:
            angle, velocity = self.propose(distance, air)
            iterations = torch.zeros_like(distance, dtype=torch.int64)
            if do_refine:
                better = refine(
                    self.cannon,
                    distance,
                    angle,
                    velocity,
                    tolerance / 4,  # room for the simulator's own error against the reference
                    min(self.max_iterations, FREE_STEPS),
                    physics=self.physics(air),
                    scales=SCALES,
                )
                angle, velocity, iterations = better.angle, better.velocity, better.iterations
                missed = ~((better.landing_distance - distance).abs() <= tolerance / 4)
                if bool(missed.any()):
                    self.fall_back(distance, air, tolerance, missed, (angle, velocity, iterations))
        else:
            angle, velocity, iterations = self.solve_fixed(distance, air, tolerance, constraint)
        moves: Literal["angle", "velocity"] = (
            "angle" if constraint.velocity is not None else "velocity"
        )
        return self.verify(distance, air, tolerance, (angle, velocity, iterations), moves)

    def fall_back(
        self,
        distance: Tensor,
        air: Air,
        tolerance: float,
        missed: Tensor,
        shots: tuple[Tensor, Tensor, Tensor],
    ) -> None:
        """For free shots refinement left short (rare: proposals far off, near the edge of
        reach), hit another way: the velocity at the refined angle, else full velocity on the
        likelier arc, else the other. Not the lowest velocity, but a verified hit. Updates
        `shots` in place."""
        angle, velocity, iterations = shots
        steep = bool((angle[missed] > math.pi / 4).all())  # then the high arc is likelier
        arcs: tuple[Arc, Arc] = ("high", "low") if steep else ("low", "high")
        for attempt in ("angle", *arcs):
            rows = missed.nonzero().squeeze(-1)
            if rows.numel() == 0:
                return
            picked = Air(*(t.expand_as(distance)[rows] for t in vars(air).values()))
            if attempt == "angle":
                held = angle[rows].clone()
                a = held
                v, steps = bracketed_root(
                    lambda v, held=held, picked=picked: landing_or_worst(  # type: ignore[misc]
                        v, held, picked, self.cannon
                    ),
                    torch.full_like(held, 1e-3),
                    torch.full_like(held, self.cannon.max_velocity),
                    distance[rows],
                    tolerance / 4,
                    self.max_iterations,
                )
            else:
                fixed = Constraint(velocity=self.cannon.max_velocity, arc=attempt)
                a, v, steps = self.solve_fixed(distance[rows], picked, tolerance, fixed)
            landing = landing_or_worst(v, a, picked, self.cannon)
            better = (landing - distance[rows]).abs() <= tolerance / 4
            angle[rows] = torch.where(better, a, angle[rows])
            velocity[rows] = torch.where(better, v, velocity[rows])
            iterations[rows] += steps
            missed[rows] = ~better

    @torch.no_grad()
    def propose(self, distance: Tensor, air: Air) -> tuple[Tensor, Tensor]:
        """The network's (angle rad, velocity m/s); where that shot never comes down at the
        target, the farthest-carrying shot at full velocity instead, which does."""
        angle, velocity = self.network(
            distance.float(),
            (air.target_height - air.launch_height).float(),
            air.wind.float(),
            air.drag.float(),
        )
        angle, velocity = angle.double(), velocity.double()
        lost = ~torch.isfinite(landing_or_worst(velocity, angle, air, self.cannon))
        if bool(lost.any()):
            fastest = torch.full_like(velocity, self.cannon.max_velocity)
            best, _ = best_angle(fastest, air, self.cannon)
            angle, velocity = torch.where(lost, best, angle), torch.where(lost, fastest, velocity)
        return angle, velocity

    def solve_fixed(
        self, distance: Tensor, air: Air, tolerance: float, constraint: Constraint
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Angle (fixed velocity) or velocity (fixed angle) by a bracketed root."""
        c, n = self.cannon, distance.shape[0]
        if constraint.angle is not None:
            angle = torch.full((n,), constraint.angle, dtype=torch.float64)
            low = torch.full((n,), 1e-3, dtype=torch.float64)
            high = torch.full((n,), c.max_velocity, dtype=torch.float64)
            velocity, steps = bracketed_root(
                lambda v: landing_or_worst(v, angle, air, c),
                low,
                high,
                distance,
                tolerance / 4,
                self.max_iterations,
            )
            return angle, velocity, steps
        assert constraint.velocity is not None
        velocity = torch.full((n,), constraint.velocity, dtype=torch.float64)
        best, _ = best_angle(velocity, air, c)
        end = torch.full(
            (n,), c.min_angle + EDGE if constraint.arc == "low" else c.max_angle - EDGE
        )
        angle, steps = bracketed_root(
            lambda a: landing_or_worst(velocity, a, air, c),
            end.double(),
            best,
            distance,
            tolerance / 4,
            self.max_iterations,
        )
        return angle, velocity, steps

    def verify(
        self,
        distance: Tensor,
        air: Air,
        tolerance: float,
        shots: tuple[Tensor, Tensor, Tensor],
        moves: Literal["angle", "velocity"],
    ) -> AirShots:
        """Land every shot by the reference. Where the simulator's small error leaves a miss
        above the tolerance, correct the free control (`moves`) by Newton on the reference's
        own miss, with the simulator's slope."""
        angle, velocity, iterations = (t.detach().clone() for t in shots)
        flown = self.fly(air, angle, velocity)
        for _ in range(CORRECTIONS if bool((iterations > 0).any()) else 0):
            off = torch.from_numpy(np.abs(flown.distance - distance.numpy()) > tolerance)
            off &= iterations > 0  # only refined shots: a raw proposal is reported as it is
            off &= iterations < self.max_iterations  # corrections count as steps too
            if not bool(off.any()):
                break
            rows = off.nonzero().squeeze(-1)
            control = (angle if moves == "angle" else velocity)[rows].clone().requires_grad_()
            pair = (velocity[rows], control) if moves == "angle" else (control, angle[rows])
            (slope,) = torch.autograd.grad(self.physics(air)(*pair, rows).sum(), control)
            residual = torch.from_numpy(flown.distance)[rows] - distance[rows]
            corrected = (control - residual / slope).detach()
            if moves == "angle":
                angle[rows] = corrected.clamp(
                    self.cannon.min_angle + EDGE, self.cannon.max_angle - EDGE
                )
            else:
                velocity[rows] = corrected.clamp(1e-9, self.cannon.max_velocity)
            iterations[rows] += 1
            flown = self.fly(air, angle, velocity)
        landing = torch.from_numpy(flown.distance)
        miss = (landing - distance).abs()
        return AirShots(
            distance=distance,
            angle=angle,
            velocity=velocity,
            landing_distance=landing,
            miss=miss,
            tolerance=torch.full_like(distance, tolerance),
            hit=miss <= tolerance,  # False for NaN
            refined=iterations > 0,
            iterations=iterations,
            flight_time=torch.from_numpy(flown.flight_time),
            apex_height=torch.from_numpy(flown.apex_height),
        )

    def fly(self, air: Air, angle: Tensor, velocity: Tensor) -> reference.Landings:
        def array(t: Tensor) -> np.ndarray:
            return t.detach().double().expand_as(velocity).numpy()

        return reference.landings(
            array(velocity),
            array(angle),
            array(air.launch_height),
            array(air.target_height),
            array(air.wind),
            array(air.drag),
            self.cannon.gravity,
        )


def unreachable_detail(distance: float, reach: tuple[float, float]) -> str:
    """Why a target cannot be hit, in words."""
    nearest, farthest = reach
    if not math.isfinite(farthest) or nearest > farthest:
        return "no shot within the cannon's limits comes down at the target's height"
    span = f"[{nearest}, {farthest}]" if nearest > 0 else f"(0, {farthest}]"
    return f"target distance {distance} m is out of reach in this air: targets lie in {span} m"
