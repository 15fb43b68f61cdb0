"""The aim with the best odds: the controls that maximise the chance of landing within the hit
radius when the shot and the air scatter (odds.Spread).

The exact aim puts the commanded shot's landing on the target; when the landing's scatter is
skewed (near the edge of reach a faster shot gains less range than a slower one loses, a high
arc or an uncertain drag bends the distribution) the mass inside the circle is largest
somewhere else. Found by gradient ascent through the sampled physics: a fixed set of
perturbations (common random numbers, so every step compares like with like), each shot's
hit smoothed into a sigmoid of (radius - miss) / eps and differentiated through the
compiled flight (kernel/odds.scatter_slopes: each perturbed shot's miss and its derivatives
in the controls; the perturbations are additive, so that is the reparameterised gradient).
eps shrinks from a quarter of the radius to a tenth as the aim settles.

The answer is judged by the plain indicator on the caller's own samples, beside the exact
aim's on the same samples: unless the ascent gained there beyond the Monte Carlo's noise
(McNemar's paired test at 95%), the exact aim is kept, so the best-odds aim is never worse
on the figures it reports, nor, but for that test's 2.5% of chance, on anyone else's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from app.physics.kernel import odds as kernel
from app.uncertainty import odds

OPTIMISING_SAMPLES = 2_000  # the ascent's common random numbers
SCHEDULE = ((0.25, 20), (0.1, 20))  # (eps / radius, steps) in turn


@dataclass(frozen=True)
class Best:
    controls: np.ndarray  # (3,): v m/s, elevation rad, azimuth rad
    probability: float  # Monte Carlo, on the caller's samples
    interval: tuple[float, float]  # its 95% interval
    exact_probability: float  # the exact aim's, on the same samples
    exact_interval: tuple[float, float]
    gained: bool  # False: the ascent found nothing better and this is the exact aim


def _smoothed(
    c: np.ndarray, scene: np.ndarray, moved: np.ndarray, spread: odds.Spread, n: int, eps: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """The smoothed probability, its gradient in the controls (3,), and the sample-mean
    landing sensitivity |d miss / d control| (3,) m per unit, for preconditioning."""
    out = np.empty((len(moved), 8))
    kernel.scatter_slopes(c[0], c[1], c[2], scene, n, moved, out)
    ok = np.isfinite(out).all(axis=1)
    miss, jac = out[ok, :2], out[ok, 2:].reshape(-1, 2, 3)  # (m, 2), (m, 2, 3)
    distance = np.maximum(np.hypot(miss[:, 0], miss[:, 1]), 1e-300)
    s = expit((spread.hit_radius - distance) / eps)
    pull = -s * (1 - s) / eps  # d s / d distance
    toward = np.einsum("mi,mij->mj", miss / distance[:, None], jac)  # d distance / d controls
    size = len(moved)
    grad = (pull[:, None] * toward).sum(axis=0) / size
    scale = np.sqrt((jac**2).sum(axis=1).mean(axis=0)) if len(jac) else np.ones(3)
    return float(s.sum() / size), grad, scale


def best(
    controls: np.ndarray,
    scene: np.ndarray,
    spread: odds.Spread,
    unit: float,
    free: np.ndarray,
    limits: np.ndarray,
    samples: int,
    seed: int,
) -> Best:
    """From the exact aim `controls` (v, elevation, azimuth), the controls among `free` (3,
    bool) that maximise the hit probability, held inside `limits` (3, 2); both aims'
    probabilities on `samples` perturbations drawn from `seed`."""
    n = odds.steps(spread, unit)
    moved = odds.draws(spread, OPTIMISING_SAMPLES, seed + 1)  # not the judging samples
    x = np.array(controls, dtype=np.float64)
    r = spread.hit_radius
    for share, count in SCHEDULE:
        eps, rate = share * r, 0.5
        if not eps > 0.0:  # a radius too small to smooth (underflows): the exact aim stands
            break
        value, grad, scale = _smoothed(x, scene, moved, spread, n, eps)
        for _ in range(count):
            # A step that would move the landing by about rate * r: each control scaled by
            # how far it moves the landing.
            direction = np.where(free, grad / np.maximum(scale, 1e-12) ** 2, 0.0) * r * r
            tried = np.clip(x + rate * direction, limits[:, 0], limits[:, 1])
            got, g, sc = _smoothed(tried, scene, moved, spread, n, eps)
            if got > value:
                x, value, grad, scale, rate = tried, got, g, sc, min(rate * 1.5, 4.0)
            else:
                rate *= 0.3
                if rate < 1e-4:
                    break
    judge = odds.draws(spread, samples, seed)
    exact_hit = odds.misses(controls, scene, judge, spread, unit) <= r
    best_hit = odds.misses(x, scene, judge, spread, unit) <= r
    exact_hits, hits = int(exact_hit.sum()), int(best_hit.sum())
    exact = (exact_hits / samples, odds.wilson(exact_hits, samples))
    # Paired on the same samples (McNemar): the move is kept only when it gains beyond the
    # Monte Carlo's noise, so an independent run does not find it worse.
    won, lost = int(np.sum(best_hit & ~exact_hit)), int(np.sum(exact_hit & ~best_hit))
    if won - lost <= odds.Z95 * np.sqrt(won + lost):
        return Best(np.array(controls, dtype=np.float64), *exact, *exact, False)
    return Best(x, hits / samples, odds.wilson(hits, samples), *exact, True)
