"""Projectile physics in a vacuum over flat ground, written once in torch.

Every function is batched (any tensor shape, broadcast), differentiable by autograd and
correct in float32 and float64. The closed forms also take one plain float (app/physics/ops.py),
which is how a single target is verified without torch's per-op overhead. Units: metres, seconds,
m/s, radians.

The `Cannon` bundles the physical constants with the cannon's limits and is the one forward
model the network, the aiming pipeline and the tests all use. Later physics (drag, wind,
launch height) with no closed form plugs in as another `Cannon` with the same methods.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cached_property

import torch
from torch import Tensor

from app.physics.ops import Value, sin

STANDARD_GRAVITY = 9.81  # m/s^2, the article's value


def landing_distance(velocity: Value, angle: Value, gravity: float) -> Value:
    """Horizontal distance (m) where the shot lands back at height 0: R = v^2 sin(2θ) / g."""
    return velocity**2 * sin(2 * angle) / gravity


def flight_time(velocity: Value, angle: Value, gravity: float) -> Value:
    """Time (s) from launch to landing at height 0: T = 2 v sin(θ) / g."""
    return 2 * velocity * sin(angle) / gravity


def apex_height(velocity: Value, angle: Value, gravity: float) -> Value:
    """Highest point (m) of the flight: H = (v sin θ)^2 / (2 g)."""
    return (velocity * sin(angle)) ** 2 / (2 * gravity)


def trajectory(
    velocity: Tensor, angle: Tensor, gravity: float, points: int = 50
) -> tuple[Tensor, Tensor]:
    """Positions (x, y) in metres at `points` evenly spaced times from launch to landing.

    Shapes: velocity, angle (...,) -> x, y (..., points).
    """
    fraction = torch.linspace(0.0, 1.0, points, dtype=velocity.dtype, device=velocity.device)
    t = flight_time(velocity, angle, gravity).unsqueeze(-1) * fraction  # (..., points) s
    vx = (velocity * torch.cos(angle)).unsqueeze(-1)  # (..., 1) m/s
    vy = (velocity * torch.sin(angle)).unsqueeze(-1)  # (..., 1) m/s
    return vx * t, vy * t - 0.5 * gravity * t**2


def max_range(max_velocity: Tensor, gravity: float) -> Tensor:
    """Farthest landing distance (m) at launch velocities up to `max_velocity` (m/s).

    Over flat ground that is the 45-degree shot at full velocity: v^2 / g.
    """
    return landing_distance(max_velocity, torch.full_like(max_velocity, math.pi / 4), gravity)


MIN_VELOCITY_FRACTION = 1e-6  # of max_velocity: the slowest launch (Cannon.min_velocity)


@dataclass(frozen=True)
class Cannon:
    """Physical constants and the cannon's limits.

    Velocity lies in [min_velocity, max_velocity] m/s and the angle in the open interval
    (min_angle, max_angle) radians, which must contain 45 degrees so that the maximum range
    is max_velocity^2 / gravity.
    """

    gravity: float = STANDARD_GRAVITY  # m/s^2
    max_velocity: float = 10.0  # m/s
    min_angle: float = 0.0  # rad, exclusive
    max_angle: float = math.pi / 2  # rad, exclusive

    def __post_init__(self) -> None:
        if not (self.gravity > 0 and math.isfinite(self.gravity)):
            raise ValueError(f"gravity must be positive and finite, got {self.gravity}")
        if not (self.max_velocity > 0 and math.isfinite(self.max_velocity)):
            raise ValueError(f"max_velocity must be positive and finite, got {self.max_velocity}")
        if not (0 <= self.min_angle < math.pi / 4 < self.max_angle <= math.pi / 2):
            raise ValueError(
                "angle limits must satisfy 0 <= min_angle < pi/4 < max_angle <= pi/2, got "
                f"({self.min_angle}, {self.max_angle})"
            )

    @cached_property
    def max_range(self) -> float:
        """Farthest reachable target (m)."""
        return max_range(torch.tensor(self.max_velocity, dtype=torch.float64), self.gravity).item()

    def landing_distance(self, velocity: Value, angle: Value) -> Value:
        """Where the shot lands (m)."""
        return landing_distance(velocity, angle, self.gravity)

    def flight_time(self, velocity: Value, angle: Value) -> Value:
        """Time of flight (s)."""
        return flight_time(velocity, angle, self.gravity)

    def apex_height(self, velocity: Value, angle: Value) -> Value:
        """Highest point of the flight (m)."""
        return apex_height(velocity, angle, self.gravity)

    def trajectory(
        self, velocity: Tensor, angle: Tensor, points: int = 50
    ) -> tuple[Tensor, Tensor]:
        """Positions (x, y) in metres along the flight, shape (..., points)."""
        return trajectory(velocity, angle, self.gravity, points)

    def is_reachable(self, distance: Value) -> Value:
        """Whether target distances (m) lie in (0, max_range]; False for NaN. (...) -> (...)"""
        return (distance > 0) & (distance <= self.max_range)

    @property
    def min_velocity(self) -> float:
        """The slowest launch a request may fix (m/s): a millionth of the fastest. Slower
        shots land within 1e-12 of the range, and at speeds near 1e-154 m/s their squares
        underflow, which sent the reach search through air into seconds of work."""
        return MIN_VELOCITY_FRACTION * self.max_velocity

    def fires(self, velocity: float) -> bool:
        """Whether the velocity (m/s) lies inside the cannon's limits; False for NaN."""
        return self.min_velocity <= velocity <= self.max_velocity

    def can_fire(self, velocity: float, angle: float) -> bool:
        """Whether (velocity m/s, angle rad) lies inside the cannon's limits."""
        return self.fires(velocity) and self.min_angle < angle < self.max_angle

    def limits(self) -> str:
        """The limits in words, for messages."""
        return (
            f"the cannon fires velocities in [{self.min_velocity:g}, {self.max_velocity:g}] m/s "
            f"and angles in ({self.min_angle:.10g}, {self.max_angle:.10g}) rad"
        )

    def as_dict(self) -> dict[str, float]:
        """Constants for the model card."""
        return {**asdict(self), "max_range": self.max_range}
