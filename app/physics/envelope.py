"""The conditions the air model covers, and the one place their limits are written down.

The networks work in the cannon's own units: lengths over v_max^2/g (its range in a vacuum),
speeds over v_max, drag as k v_max^2/g. A flight measured in them depends on nothing else (the
equations of motion lose g and v_max), so a model trained on one cannon serves any other with
the same angle limits at its own scale: a 10 m/s launcher and a 400 m/s gun see the same
numbers. `ENVELOPE` is written in those units; `Envelope.at(cannon)` gives it in metres.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol

Bounds = tuple[float, float]


class Scaled(Protocol):
    """What sets the units: app/physics/vacuum.py's Cannon."""

    @property
    def gravity(self) -> float: ...  # m/s^2
    @property
    def max_velocity(self) -> float: ...  # m/s


def unit_length(cannon: Scaled) -> float:
    """m: v_max^2 / g, the farthest landing in a vacuum."""
    return cannon.max_velocity**2 / cannon.gravity


@dataclass(frozen=True)
class Envelope:
    """Closed intervals (low, high) of each condition; requests outside get a 422. In metres
    (m, m/s, 1/m) or in the cannon's units, as the name that holds it says."""

    launch_height: Bounds  # above the ground
    height_difference: Bounds  # target height minus launch height
    wind: Bounds  # along the line of fire, + is a tailwind
    drag: Bounds  # quadratic drag coefficient k

    def at(self, cannon: Scaled) -> Envelope:
        """This envelope, in the cannon's units, in metres (m, m, m/s, 1/m) for that cannon."""
        return self._scaled(unit_length(cannon), cannon.max_velocity)

    def in_units(self, cannon: Scaled) -> Envelope:
        """This envelope, in metres for the cannon, in the cannon's units."""
        return self._scaled(1 / unit_length(cannon), 1 / cannon.max_velocity)

    def _scaled(self, length: float, speed: float) -> Envelope:
        def times(bounds: Bounds, factor: float) -> Bounds:
            return bounds[0] * factor, bounds[1] * factor

        return Envelope(
            times(self.launch_height, length),
            times(self.height_difference, length),
            times(self.wind, speed),
            times(self.drag, 1 / length),
        )

    def as_dict(self) -> dict[str, list[float]]:
        return {name: list(bounds) for name, bounds in asdict(self).items()}


class Reference:
    """The cannon the envelope was chosen for: the service's default (10 m/s, 9.81 m/s^2)."""

    gravity = 9.81  # m/s^2
    max_velocity = 10.0  # m/s


# In metres for the reference cannon: heights and winds of a backyard, drag from none to a
# table-tennis ball's (~0.14 /m) and past it.
METRES = Envelope(
    launch_height=(0.0, 3.0),  # m
    height_difference=(-3.0, 3.0),  # m
    wind=(-5.0, 5.0),  # m/s
    drag=(0.0, 0.2),  # 1/m
)
ENVELOPE = METRES.in_units(Reference())  # the same, in the cannon's units
# The targets' motion the 3D model is asked to cover, in metres for the reference cannon: at
# other cannons speeds scale with v_max and accelerations with g.
TARGET_SPEED = 3.0  # m/s, in all
TARGET_ACCELERATION = 2.0  # m/s^2, in all
