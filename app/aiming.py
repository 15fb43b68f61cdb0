"""The aiming pipeline: predict (network) -> verify (physics, float64) -> refine (gradients).

Plain library code, no HTTP. `Aimer.solve` works on whole tensors of targets; `Aimer.aim`
is the single-target convenience the API calls. Every answer carries the landing distance
and miss computed by the physics in float64, so a hit is never claimed that is not one.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from app.network import InverseNetwork
from app.physics import Cannon
from app.refinement import refine

MIN_TOLERANCE = 1e-6  # m; refinement reaches it for every reachable target


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


class OutsideLimitsError(ValueError):
    """The shot's velocity or angle is outside what the cannon can fire."""


@dataclass(frozen=True)
class Solutions:
    """Aiming answers for N targets, float64 tensors of shape (N,)."""

    distance: Tensor  # m
    angle: Tensor  # rad
    velocity: Tensor  # m/s
    landing_distance: Tensor  # m, verified by the physics
    miss: Tensor  # m, |landing_distance - distance|
    tolerance: Tensor  # m
    hit: Tensor  # bool, miss <= tolerance
    refined: Tensor  # bool, whether refinement ran
    iterations: Tensor  # int64, refinement steps

    def answer(self, i: int) -> Aim:
        """Row i as plain floats."""
        return Aim(
            distance=self.distance[i].item(),
            angle=self.angle[i].item(),
            velocity=self.velocity[i].item(),
            landing_distance=self.landing_distance[i].item(),
            miss=self.miss[i].item(),
            tolerance=self.tolerance[i].item(),
            hit=bool(self.hit[i]),
            refined=bool(self.refined[i]),
            iterations=int(self.iterations[i]),
        )


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


class Aimer:
    """Holds the trained network and answers aiming requests."""

    def __init__(
        self, network: InverseNetwork, max_iterations: int = 50, version: str = ""
    ) -> None:
        self.network = network.eval()
        self.cannon: Cannon = network.cannon
        self.max_iterations = max_iterations
        self.version = version  # the model's version, reported with every answer

    @torch.no_grad()
    def propose(self, distance: Tensor) -> tuple[Tensor, Tensor]:
        """The network's controls for targets (N,) m -> angle (N,) rad, velocity (N,) m/s."""
        angle, velocity = self.network(distance.float())
        return angle.double(), velocity.double()

    def solve(
        self, distance: Tensor, tolerance: Tensor | float, do_refine: bool = True
    ) -> Solutions:
        """Aim at every target in `distance` (N,) m; all must be reachable."""
        distance = distance.double()
        tolerance = torch.as_tensor(tolerance, dtype=torch.float64).expand_as(distance)
        reachable = self.cannon.is_reachable(distance)
        if not bool(reachable.all()):
            raise UnreachableTargetError(distance[~reachable][0].item(), self.cannon.max_range)
        if not bool((tolerance >= MIN_TOLERANCE).all()):  # False for NaN
            raise ToleranceError(f"tolerance must be at least {MIN_TOLERANCE} m")
        angle, velocity = self.propose(distance)
        landing = self.cannon.landing_distance(velocity, angle)  # verify, float64
        iterations = torch.zeros_like(distance, dtype=torch.int64)
        needs_refining = (landing - distance).abs() > tolerance
        if do_refine and bool(needs_refining.any()):
            rows = needs_refining.nonzero().squeeze(-1)
            better = refine(
                self.cannon,
                distance[rows],
                angle[rows],
                velocity[rows],
                tolerance[rows],
                self.max_iterations,
            )
            angle[rows], velocity[rows] = better.angle, better.velocity
            landing[rows], iterations[rows] = better.landing_distance, better.iterations
        miss = (landing - distance).abs()
        return Solutions(
            distance=distance,
            angle=angle,
            velocity=velocity,
            landing_distance=landing,
            miss=miss,
            tolerance=tolerance,
            hit=miss <= tolerance,
            refined=needs_refining & do_refine,
            iterations=iterations,
        )

    def aim(self, distance: float, tolerance: float, do_refine: bool = True) -> Aim:
        """Aim at one target (m); UnreachableTargetError or ToleranceError on bad input."""
        return self.solve(
            torch.tensor([distance], dtype=torch.float64), tolerance, do_refine
        ).answer(0)


def check_shot(
    cannon: Cannon, angle: float, velocity: float, distance: float, tolerance: float
) -> ShotCheck:
    """Verify any shot the cannon can fire against a target distance (m), in float64."""
    if not cannon.can_fire(velocity, angle):
        raise OutsideLimitsError(
            f"the cannon fires velocities in (0, {cannon.max_velocity}] m/s and angles in "
            f"({cannon.min_angle}, {cannon.max_angle}) rad; got {velocity} m/s at {angle} rad"
        )
    v = torch.tensor(velocity, dtype=torch.float64)
    theta = torch.tensor(angle, dtype=torch.float64)
    landing = cannon.landing_distance(v, theta).item()
    miss = abs(landing - distance)
    return ShotCheck(
        angle=angle,
        velocity=velocity,
        distance=distance,
        landing_distance=landing,
        miss=miss,
        tolerance=tolerance,
        hit=miss <= tolerance,
        flight_time=cannon.flight_time(v, theta).item(),
        apex_height=cannon.apex_height(v, theta).item(),
    )
