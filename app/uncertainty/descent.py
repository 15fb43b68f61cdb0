"""Weighted least squares with bounds and normal priors, by Levenberg-Marquardt: the
descent app/uncertainty/fit.py runs from each of its starts. Generic in what it fits: it
sees residuals and a Jacobian, nothing of cannons."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

ITERATIONS = 100


def cost_of(r: np.ndarray, theta: np.ndarray, prior: tuple[np.ndarray, np.ndarray]) -> float:
    """The residuals' sum of squares plus the priors' (a chi-square)."""
    mean, precision = prior
    return float(r @ r + np.sum(precision * (theta - mean) ** 2))


def enough(dof: int) -> float:
    """A cost (chi-square) no worse than noise would give, at about 4 sigma: the fit stops
    trying other starts there."""
    dof = max(dof, 1)
    return dof + 4.0 * math.sqrt(2.0 * dof) + 4.0


def descend(
    predict: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    theta: np.ndarray,
    scale: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
    prior: tuple[np.ndarray, np.ndarray],
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, int]:
    """Levenberg-Marquardt from theta, steps projected on the bounds: (cost, theta, the
    residuals and Jacobian there, iterations). `predict(theta)`: the residuals over their
    sigmas (observed minus predicted) and the predictions' Jacobian over the same; `prior`:
    normal priors' means and precisions (0: none); `scale`: the parameters' typical sizes,
    so that the damping treats them alike."""
    mean, precision = prior
    r, J = predict(theta)
    cost = cost_of(r, theta, prior) if np.isfinite(r).all() else math.inf
    lam, used = 1e-3, 0
    for used in range(1, ITERATIONS + 1):  # noqa: B007 (the count is reported)
        Js = J * scale  # in scaled parameters
        A = Js.T @ Js + np.diag(precision * scale**2)
        b = Js.T @ r - precision * scale * (theta - mean)
        try:
            step = np.linalg.solve(A + lam * np.eye(len(theta)), b) * scale
        except np.linalg.LinAlgError:
            lam *= 10.0
            continue
        tried = np.clip(theta + step, *bounds)
        r2, J2 = predict(tried)
        c2 = cost_of(r2, tried, prior) if np.isfinite(r2).all() else math.inf
        if c2 < cost:
            small = np.all(np.abs(tried - theta) <= 1e-10 * scale + 1e-12 * np.abs(theta))
            theta, r, J, lam = tried, r2, J2, max(lam / 3.0, 1e-12)
            settled = cost - c2 <= 1e-14 * (1.0 + cost)
            cost = c2
            if small or settled:
                break
        else:
            lam *= 4.0
            if lam > 1e12:
                break
    return cost, theta, r, J, used
