"""The conditions the air model covers, and the one place their limits are written down."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Envelope:
    """Closed intervals (low, high) of each condition; requests outside get a 422."""

    launch_height: tuple[float, float] = (0.0, 3.0)  # m above the ground
    height_difference: tuple[float, float] = (-3.0, 3.0)  # m, target height minus launch height
    wind: tuple[float, float] = (-5.0, 5.0)  # m/s along the line of fire, + is a tailwind
    drag: tuple[float, float] = (0.0, 0.2)  # 1/m, quadratic drag coefficient k

    def as_dict(self) -> dict[str, list[float]]:
        return {name: list(bounds) for name, bounds in asdict(self).items()}


ENVELOPE = Envelope()
