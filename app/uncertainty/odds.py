"""The odds of a hit when nothing is exact: where a shot may land, how likely it is to land
within a radius of the target, and the aim that makes that most likely.

A shot's launch velocity, elevation and azimuth scatter about the commanded ones, and the air
(its drag and the wind's two horizontal components) about the believed one, independently
and normally with the `Spread`'s standard deviations. The landing (where the shot comes down
through the target's height, as everywhere in the engine) then scatters too:

- `dispersion`: linearised, the covariance J S J^T of the miss from the compiled flight's
  sensitivities (kernel/odds.sense), as an ellipse;
- `linearised_probability`: the chance that miss lies within the hit radius under that normal
  law, by quadrature (exact for the normal law, which is only the first-order picture);
- `monte_carlo`: the chance by flying `samples` perturbed shots through the same compiled
  physics (kernel/odds.scatter), reproducible by seed, with its 95% (Wilson) interval. Where
  the landing is skewed (the edge of reach, a high arc, an uncertain drag) it is the figure
  to trust.

Axes as in 3D (app/aiming/space.py): x, y horizontal, m; for the 2D form, x along the line of
fire and y across it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, roots_legendre

from app.physics.kernel import odds as kernel
from app.physics.kernel.solve import steps_for

Z95 = 1.959963984540054  # the normal's two-sided 95% quantile
PANELS, NODES = 16, 16  # Gauss-Legendre panels and nodes across the ellipse's long axis
_X, _W = roots_legendre(NODES)


@dataclass(frozen=True)
class Spread:
    """Standard deviations of what is not exact, and the radius that counts as a hit."""

    hit_radius: float  # m
    velocity: float = 0.0  # m/s, the launch velocity
    angle: float = 0.0  # rad, the elevation
    azimuth: float = 0.0  # rad
    drag: float = 0.0  # 1/m; a drawn drag below 0 is 0
    wind: float = 0.0  # m/s, each horizontal component, independently

    def sigmas(self) -> np.ndarray:
        """(P,) in kernel.PERTURBED's order."""
        return np.array([self.velocity, self.angle, self.azimuth, self.drag, self.wind, self.wind])


@dataclass(frozen=True)
class Dispersion:
    """The linearised landing: the nominal miss and its covariance, as an ellipse."""

    miss: np.ndarray  # (2,) m, the commanded shot minus the target, x and y
    covariance: np.ndarray  # (2, 2) m^2
    semi_axes: tuple[float, float]  # m, one standard deviation: major, minor
    orientation: float  # rad, the major axis counter-clockwise from +x, in (-pi/2, pi/2]
    time: float  # s, the commanded shot's flight


@dataclass(frozen=True)
class Odds:
    """The hit probability two ways."""

    linearised: float
    monte_carlo: float
    interval: tuple[float, float]  # the Monte Carlo figure's 95% interval
    samples: int
    seed: int


def steps(spread: Spread, unit: float) -> int:
    """RK4 steps per sampled flight: a landing within a hundredth of the hit radius of DOP853's
    (solve.steps_for's rule), 16 to 64."""
    return int(steps_for(0.01 * spread.hit_radius, unit, 16, 64))


def dispersion(controls: np.ndarray, scene: np.ndarray, spread: Spread, unit: float) -> Dispersion:
    """The linearised landing of the shot `controls` (v m/s, elevation, azimuth rad) in the
    compiled `scene` (kernel/space.SCENE). NaN where the shot never comes down through the
    target's height."""
    out = np.empty(kernel.SENSE)
    kernel.sense(controls[0], controls[1], controls[2], scene, steps(spread, unit), out)
    p = kernel.P
    jacobian = np.stack([out[3 : 3 + p], out[3 + p : 3 + 2 * p]])  # (2, P)
    covariance = (jacobian * spread.sigmas() ** 2) @ jacobian.T
    if not np.isfinite(covariance).all():
        nan = math.nan
        return Dispersion(out[:2], covariance, (nan, nan), nan, nan)
    values, vectors = np.linalg.eigh(covariance)  # ascending
    major = vectors[:, 1]
    orientation = math.atan2(major[1], major[0])
    if orientation <= -math.pi / 2:
        orientation += math.pi
    elif orientation > math.pi / 2:
        orientation -= math.pi
    axes = (math.sqrt(max(values[1], 0.0)), math.sqrt(max(values[0], 0.0)))
    return Dispersion(out[:2].copy(), covariance, axes, orientation, float(out[2]))


def linearised_probability(d: Dispersion, radius: float) -> float:
    """P(|miss| <= radius) for miss ~ N(d.miss, d.covariance): the long axis integrated by
    Gauss-Legendre over where it can matter, the short one in closed form."""
    if not np.isfinite(d.covariance).all():
        return 0.0
    values, vectors = np.linalg.eigh(d.covariance)
    mu = vectors.T @ d.miss  # the mean in the ellipse's axes: (short, long)
    s_long, s_short = math.sqrt(max(values[1], 0.0)), math.sqrt(max(values[0], 0.0))
    if s_long == 0.0:
        return float(np.hypot(*d.miss) <= radius)
    if s_short == 0.0:  # a line: the chord through the disk at the short axis's offset
        if abs(mu[0]) > radius:
            return 0.0
        chord = math.sqrt(radius * radius - mu[0] * mu[0])
        return float(ndtr((chord - mu[1]) / s_long) - ndtr((-chord - mu[1]) / s_long))
    low = max(-radius, mu[1] - 9.0 * s_long)
    high = min(radius, mu[1] + 9.0 * s_long)
    if not low < high:
        return 0.0
    edges = np.linspace(low, high, PANELS + 1)
    half = 0.5 * (edges[1:] - edges[:-1])
    u = ((edges[:-1] + half)[:, None] + half[:, None] * _X).ravel()  # along the long axis
    w = (half[:, None] * _W).ravel()
    across = np.sqrt(np.maximum(radius * radius - u * u, 0.0))  # the disk's half-chord
    inside = ndtr((across - mu[0]) / s_short) - ndtr((-across - mu[0]) / s_short)
    density = np.exp(-0.5 * ((u - mu[1]) / s_long) ** 2) / (s_long * math.sqrt(2 * math.pi))
    return float(min(max(np.sum(w * density * inside), 0.0), 1.0))


def draws(spread: Spread, samples: int, seed: int) -> np.ndarray:
    """(samples, P) perturbations, reproducible by seed: standard normals times the sigmas."""
    z = np.random.default_rng(seed).standard_normal((samples, kernel.P))
    return np.asarray(z * spread.sigmas())


def misses(
    controls: np.ndarray, scene: np.ndarray, moved: np.ndarray, spread: Spread, unit: float
) -> np.ndarray:
    """(n,) m: each perturbed shot's horizontal miss; inf where it never comes down."""
    out = np.empty((len(moved), 2))
    kernel.scatter(controls[0], controls[1], controls[2], scene, steps(spread, unit), moved, out)
    distance = np.hypot(out[:, 0], out[:, 1])
    return np.where(np.isnan(distance), math.inf, distance)


def wilson(hits: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion: honest at 0 and 1 hits too."""
    if hits == 0:
        return 0.0, Z95**2 / (n + Z95**2)
    if hits == n:
        return n / (n + Z95**2), 1.0
    p = hits / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def odds(
    controls: np.ndarray, scene: np.ndarray, spread: Spread, unit: float, samples: int, seed: int
) -> tuple[Dispersion, Odds]:
    """The shot's dispersion and its hit probability both ways."""
    d = dispersion(controls, scene, spread, unit)
    hits = int(
        np.sum(
            misses(controls, scene, draws(spread, samples, seed), spread, unit) <= spread.hit_radius
        )
    )
    chance = Odds(
        linearised_probability(d, spread.hit_radius),
        hits / samples,
        wilson(hits, samples),
        samples,
        seed,
    )
    return d, chance
