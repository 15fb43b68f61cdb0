"""The engine's one result type, in a vacuum and through air: shots and their reach."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class Reach:
    """The landings a constraint allows, per air: (N,) m; none where nearest > farthest."""

    nearest: np.ndarray  # m; +inf where no shot comes down at the target's height
    farthest: np.ndarray  # m; -inf where no shot comes down at the target's height

    def holds(self, distance: ArrayLike) -> np.ndarray:
        d = np.asarray(distance, dtype=np.float64)
        return (d >= self.nearest) & (d <= self.farthest) & (d > 0)


@dataclass(frozen=True)
class Shots:
    """Answers for N targets, (N,) numpy arrays each (no torch: serving one shot stays in
    microseconds); landing_distance, miss, flight_time and apex_height from the verifying
    physics (the closed form in a vacuum, DOP853 through air). A target out of reach has
    NaN controls and landing, hit False."""

    distance: np.ndarray  # m
    angle: np.ndarray  # rad
    velocity: np.ndarray  # m/s
    landing_distance: np.ndarray  # m
    miss: np.ndarray  # m
    tolerance: np.ndarray  # m
    hit: np.ndarray  # bool
    refined: np.ndarray  # bool
    iterations: np.ndarray  # int64
    flight_time: np.ndarray  # s
    apex_height: np.ndarray  # m above the ground

    def only(self, rows: np.ndarray) -> Shots:
        """The shots of these rows (a mask or indices)."""
        return Shots(**{name: values[rows] for name, values in vars(self).items()})
