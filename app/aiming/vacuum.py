"""The aiming pipeline: predict (network) -> verify (physics, float64) -> refine (gradients).

Plain library code, no HTTP: the engine's path for the conditions' zero (app/aiming/engine.py),
where the closed form verifies. `VacuumPath.solve` aims at whole arrays of targets. One target
goes through `VacuumPath.aim`, in two parts that callers may run apart: `propose_one` (network and
verification, tens of microseconds) and `refine_one` (about a millisecond, only when the
proposal misses). Every answer carries the landing distance and miss computed by the physics in
float64, so a hit is never claimed that is not one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import Tensor

from app.aiming.refinement import refine
from app.aiming.results import Shots
from app.model.fitness import vacuum_unfit
from app.model.network import InverseNetwork, OneTargetNetwork
from app.physics.vacuum import Cannon

MIN_TOLERANCE = 1e-6  # m; refinement reaches it for every reachable target
CHUNK = 1024  # targets per network pass in a batch


class UnreachableTargetError(ValueError):
    """The target is not in (0, max range]."""

    def __init__(self, distance: float, max_range: float) -> None:
        self.distance, self.max_range = distance, max_range
        super().__init__(
            f"target distance {distance} m is out of reach: reachable targets lie in "
            f"(0, {max_range}] m"
        )


class ToleranceError(ValueError):
    """The tolerance is below MIN_TOLERANCE (or not a number)."""


def check_tolerance(tolerance: float) -> None:
    """ToleranceError unless tolerance >= MIN_TOLERANCE (so also for NaN)."""
    if not tolerance >= MIN_TOLERANCE:
        raise ToleranceError(f"tolerance must be at least {MIN_TOLERANCE} m")


class OutsideLimitsError(ValueError):
    """The shot's velocity or angle is outside what the cannon can fire."""


@dataclass(frozen=True)
class Verdict:
    """A shot and what the physics says of it, in plain floats."""

    distance: float  # m, the target
    angle: float  # rad
    velocity: float  # m/s
    landing_distance: float  # m
    miss: float  # m, |landing_distance - distance|
    tolerance: float  # m
    hit: bool  # miss <= tolerance


@dataclass(frozen=True)
class Aim(Verdict):
    """One aiming answer."""

    refined: bool
    iterations: int


@dataclass(frozen=True)
class ShotCheck(Verdict):
    """The physics' verdict on a given shot, with its flight."""

    flight_time: float  # s
    apex_height: float  # m


class VacuumPath:
    """The engine's path for the conditions' zero (app/aiming/engine.py): the vacuum network,
    the closed form and refinement. Callers aim through the engine."""

    def __init__(
        self, network: InverseNetwork, max_iterations: int = 50, version: str = ""
    ) -> None:
        self.network = network.eval()
        self.one_target = OneTargetNetwork(network)
        self.cannon: Cannon = network.cannon
        self.max_iterations = max_iterations
        self.version = version  # the model's version, reported with every answer

    @torch.no_grad()
    def propose(self, distance: Tensor) -> tuple[Tensor, Tensor]:
        """The network's controls for targets (N,) m -> angle (N,) rad, velocity (N,) m/s."""
        # In chunks whose activations (CHUNK x 64 float32, 256 KB a layer) stay in the CPU's
        # cache: 10,000 targets took about 5 ms this way against 8.5 ms in one piece.
        parts = [self.network(chunk) for chunk in torch.split(distance.float(), CHUNK)]
        angle = torch.cat([angle for angle, _ in parts])
        velocity = torch.cat([velocity for _, velocity in parts])
        return angle.double(), velocity.double()

    def solve(self, distance: ArrayLike, tolerance: float, do_refine: bool = True) -> Shots:
        """Aim at every target (N,) m: each in its place, one out of reach with NaN controls
        and landing (hit False); ToleranceError below MIN_TOLERANCE."""
        check_tolerance(tolerance)
        target = torch.as_tensor(distance, dtype=torch.float64).reshape(-1)  # (N,) m
        rows = self.cannon.is_reachable(target)  # (N,) bool
        d = target[rows]  # (R,) m
        tol = torch.full_like(d, tolerance)
        angle, velocity = self.propose(d)  # (R,), (R,)
        landing = self.cannon.landing_distance(velocity, angle)  # verify, float64
        iterations = torch.zeros_like(d, dtype=torch.int64)
        needs_refining = (landing - d).abs() > tol
        if do_refine and bool(needs_refining.any()):
            some = needs_refining.nonzero().squeeze(-1)
            better = refine(
                self.cannon, d[some], angle[some], velocity[some], tol[some], self.max_iterations
            )
            angle[some], velocity[some] = better.angle, better.velocity
            landing[some], iterations[some] = better.landing_distance, better.iterations
        miss = (landing - d).abs()
        mask = rows.numpy()

        def placed(values: Tensor, fill: float | bool) -> np.ndarray:
            out = np.full(mask.shape, fill, dtype=values.numpy().dtype)
            out[mask] = values.numpy()
            return out

        nan = math.nan
        return Shots(
            distance=target.numpy(),
            angle=placed(angle, nan),
            velocity=placed(velocity, nan),
            landing_distance=placed(landing, nan),
            miss=placed(miss, nan),
            tolerance=np.full(mask.shape, float(tolerance)),
            hit=placed(miss <= tol, False),
            refined=placed(needs_refining & do_refine, False),
            iterations=placed(iterations, 0),
            flight_time=placed(self.cannon.flight_time(velocity, angle), nan),
            apex_height=placed(self.cannon.apex_height(velocity, angle), nan),
        )

    def propose_one(self, distance: float, tolerance: float) -> Aim:
        """The network's shot at one target (m), verified in float64 but not refined."""
        if not self.cannon.is_reachable(distance):
            raise UnreachableTargetError(distance, self.cannon.max_range)
        check_tolerance(tolerance)
        angle, velocity = self.one_target(distance)
        landing = self.cannon.landing_distance(velocity, angle)
        miss = abs(landing - distance)
        return Aim(distance, angle, velocity, landing, miss, tolerance, miss <= tolerance, False, 0)

    def refine_one(self, shot: Aim) -> Aim:
        """Refine a shot on the true physics until it lands within its tolerance."""
        better = refine(
            self.cannon,
            torch.tensor([shot.distance], dtype=torch.float64),
            torch.tensor([shot.angle], dtype=torch.float64),
            torch.tensor([shot.velocity], dtype=torch.float64),
            shot.tolerance,
            self.max_iterations,
        )
        landing = better.landing_distance.item()
        miss = abs(landing - shot.distance)
        return replace(
            shot,
            angle=better.angle.item(),
            velocity=better.velocity.item(),
            landing_distance=landing,
            miss=miss,
            hit=miss <= shot.tolerance,
            refined=True,
            iterations=int(better.iterations.item()),
        )

    def self_check(self, card: Mapping[str, Any] | None = None) -> str | None:
        """None if the model is fit to serve, else what failed. First the network itself
        (app/model/fitness.py: degenerate weights, and, given the model card it was loaded with, its
        raw misses against the card's validation figures), since refinement hides a broken
        network from the end-to-end part: then aim at known targets, one at a time and as a
        batch, at the tightest tolerance and verify every answer by the physics."""
        if unfit := vacuum_unfit(self.network, card):
            return f"self-check failed: {unfit}"
        targets = [1e-3, 0.5, 5.0, 9.0, self.cannon.max_range]  # m, across the range
        batch = self.solve(targets, MIN_TOLERANCE)
        singles = [self.aim(d, MIN_TOLERANCE) for d in targets]
        controls = list(zip(batch.angle.tolist(), batch.velocity.tolist(), strict=True))
        controls += [(s.angle, s.velocity) for s in singles]
        for (angle, velocity), target in zip(controls, targets * 2, strict=True):
            check = check_shot(self.cannon, angle, velocity, target, MIN_TOLERANCE)
            if not check.hit:
                return f"self-check failed: target {target} m missed by {check.miss} m"
        return None

    def aim(self, distance: float, tolerance: float, do_refine: bool = True) -> Aim:
        """Aim at one target (m); UnreachableTargetError or ToleranceError on bad input."""
        shot = self.propose_one(distance, tolerance)
        return self.refine_one(shot) if do_refine and not shot.hit else shot


def check_shot(
    cannon: Cannon, angle: float, velocity: float, distance: float, tolerance: float
) -> ShotCheck:
    """Verify any shot the cannon can fire against a target distance (m), in float64."""
    if not cannon.can_fire(velocity, angle):
        raise OutsideLimitsError(f"{cannon.limits()}; got {velocity} m/s at {angle} rad")
    landing = cannon.landing_distance(velocity, angle)
    miss = abs(landing - distance)
    return ShotCheck(
        angle=angle,
        velocity=velocity,
        distance=distance,
        landing_distance=landing,
        miss=miss,
        tolerance=tolerance,
        hit=miss <= tolerance,
        flight_time=cannon.flight_time(velocity, angle),
        apex_height=cannon.apex_height(velocity, angle),
    )
