"""A shot's odds, whole: what /aim adds for a request with `uncertainty` (and `objective`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.uncertainty import best, odds


@dataclass(frozen=True)
class Assessment:
    dispersion: odds.Dispersion
    odds: odds.Odds
    best: best.Best | None  # with the objective max_hit_probability


def assess(
    controls: np.ndarray,
    scene: np.ndarray,
    spread: odds.Spread,
    unit: float,
    samples: int,
    seed: int,
    search: tuple[np.ndarray, np.ndarray] | None = None,
) -> Assessment:
    """The exact aim `controls` (v m/s, elevation, azimuth rad) in the compiled `scene`:
    its dispersion and hit probability, and with `search` (which controls are free (3,) and
    their limits (3, 2)) the aim with the best odds."""
    dispersion, chance = odds.odds(controls, scene, spread, unit, samples, seed)
    found = None
    if search is not None:
        found = best.best(controls, scene, spread, unit, *search, samples, seed)
    return Assessment(dispersion, chance, found)
