"""The shot under uncertainty, compiled: the 3D flight of app/physics/kernel/space.py with
its sensitivities to everything that is not known exactly, and the same flight sampled.

- `sense`: RK4 with the variational equations in the launch velocity, elevation and azimuth
  and in the air's drag and wind (x, y): where the shot comes down through the target's
  height, the miss, the time and their derivatives in all six (PERTURBED) at once. The
  calibration's Jacobian (app/uncertainty/fit.py) and the linearised landing dispersion
  (app/uncertainty/odds.py) are both read off it.
- `scatter`: the miss of many shots, each with its own perturbation of those six, flown one
  after another without the sensitivities: the Monte Carlo of the hit probability.
- `scatter_slopes`: the same shots with their miss's derivatives in the controls (space.slopes
  per sample): the gradient of the probability for the best-odds aim.

The variational equations: with r = v - w the air-relative velocity and a = -k |r| r,
d(dS)/dt = J dS + da/dp, where J r-derivative is -k (|r| I + r r^T / |r|); a wind component
moves r by -1 in its axis and drag adds -|r| r.
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel.flight import MAX_STEPS, NEWTON, first_time, jit
from app.physics.kernel.space import N, slopes, start, target_at

PERTURBED = ("velocity", "elevation", "azimuth", "drag", "wind_x", "wind_y")
P = len(PERTURBED)  # m/s, rad, rad, 1/m, m/s, m/s
M = 6 + 6 * P  # the state: x, y, z, vx, vy, vz, then their derivatives in each of PERTURBED
SENSE = 3 + 3 * P  # sense's answer: miss x, y (m), time (s), then d/dp of each, row by row


@jit
def _rates(s: np.ndarray, out: np.ndarray, sc: np.ndarray, n: int) -> None:
    """d/dt of the state s (n = 6 or M) into out."""
    rx, ry, vz = s[3] - sc[1], s[4] - sc[2], s[5]
    speed = math.sqrt(rx * rx + ry * ry + vz * vz)
    k = sc[3]
    pull = k * speed
    out[0], out[1], out[2] = s[3], s[4], s[5]
    out[3], out[4], out[5] = -pull * rx, -pull * ry, -sc[4] - pull * vz
    c = k / speed if speed > 0.0 else 0.0
    for p in range(P if n == M else 0):
        j = 6 + 6 * p
        dx, dy, dz = s[j + 3], s[j + 4], s[j + 5]  # the relative velocity's derivative
        if p == 4:
            dx -= 1.0
        elif p == 5:
            dy -= 1.0
        dot = c * (rx * dx + ry * dy + vz * dz)
        out[j], out[j + 1], out[j + 2] = s[j + 3], s[j + 4], s[j + 5]
        out[j + 3] = -pull * dx - rx * dot
        out[j + 4] = -pull * dy - ry * dot
        out[j + 5] = -pull * dz - vz * dot
        if p == 3:  # d a / d k = -|r| r
            out[j + 3] -= speed * rx
            out[j + 4] -= speed * ry
            out[j + 5] -= speed * vz


@jit
def _rk4(
    s: np.ndarray, h: float, out: np.ndarray, work: np.ndarray, sc: np.ndarray, n: int
) -> None:
    """One RK4 step of the first n entries of the state by h into out. work: (5, M)."""
    k1, k2, k3, k4, tmp = work[0], work[1], work[2], work[3], work[4]
    _rates(s, k1, sc, n)
    for j in range(n):
        tmp[j] = s[j] + 0.5 * h * k1[j]
    _rates(tmp, k2, sc, n)
    for j in range(n):
        tmp[j] = s[j] + 0.5 * h * k2[j]
    _rates(tmp, k3, sc, n)
    for j in range(n):
        tmp[j] = s[j] + h * k3[j]
    _rates(tmp, k4, sc, n)
    for j in range(n):
        out[j] = s[j] + h / 6.0 * (k1[j] + 2.0 * (k2[j] + k3[j]) + k4[j])


@jit
def _fly(
    v: float, el: float, az: float, sc: np.ndarray, steps: int, n: int, s: np.ndarray
) -> float:
    """Fly the first n entries of the state (6: the shot; M: with its sensitivities) by RK4,
    `steps` steps over the vacuum's flight time, to where the shot comes down through the
    target's height: s holds the state there, the time (s) is returned; NaN if it never
    does."""
    nxt = np.empty(M)
    work = np.empty((5, M))
    s[:] = 0.0
    start(v, el, az, sc[0], s[:N])
    # start fills the controls' blocks in space's layout, which is ours too; the air's stay 0
    h = first_time(v, el, sc[7] - sc[0], sc[4]) / steps
    if not h > 0.0:
        return math.nan
    t = 0.0
    for _ in range(MAX_STEPS):
        _rk4(s, h, nxt, work, sc, n)
        above = s[2] - target_at(sc, t, 2)
        after = nxt[2] - target_at(sc, t + h, 2)
        if above >= 0.0 and after < 0.0:  # comes down through the target's height here
            tau = h * above / (above - after)
            for _ in range(NEWTON):
                _rk4(s, tau, nxt, work, sc, 6)
                rate = nxt[5] - (sc[10] + sc[13] * (t + tau))
                if rate >= 0.0:
                    break
                step = (nxt[2] - target_at(sc, t + tau, 2)) / rate
                tau = min(max(tau - step, 0.0), h)
                if abs(step) <= 1e-15 * (1.0 + tau):
                    break
            _rk4(s, tau, nxt, work, sc, n)
            for j in range(n):
                s[j] = nxt[j]
            return float(t + tau)
        if after < 0.0 and nxt[5] < 0.0 and nxt[5] - (sc[10] + sc[13] * (t + h)) < 0.0:
            return math.nan  # falling, below the target and sinking from it
        t += h
        for j in range(n):
            s[j] = nxt[j]
    return math.nan


@jit
def sense(v: float, el: float, az: float, sc: np.ndarray, steps: int, out: np.ndarray) -> None:
    """Into out (SENSE,): the miss x, y (shot minus target, m) where the shot comes down
    through the target's height, the time (s), then d miss x, d miss y and d time in each of
    PERTURBED (P each); NaNs where it never comes down through it."""
    s = np.empty(M)
    out[:] = math.nan
    T = _fly(v, el, az, sc, steps, M, s)
    if math.isnan(T):
        return
    closing = s[5] - (sc[10] + sc[13] * T)
    ux, uy = sc[8] + sc[11] * T, sc[9] + sc[12] * T  # the target's horizontal velocity then
    out[0] = s[0] - target_at(sc, T, 0)
    out[1] = s[1] - target_at(sc, T, 1)
    out[2] = T
    for p in range(P):  # along the crossing: dT/dp = -(dz/dp) / closing
        j = 6 + 6 * p
        dT = -s[j + 2] / closing
        out[3 + p] = s[j] + (s[3] - ux) * dT
        out[3 + P + p] = s[j + 1] + (s[4] - uy) * dT
        out[3 + 2 * P + p] = dT


@jit
def _perturbed(sc: np.ndarray, d: np.ndarray, into: np.ndarray) -> None:
    """The scene with drag and wind moved by d[3:6]; drag never below 0."""
    into[:] = sc
    into[3] = max(sc[3] + d[3], 0.0)
    into[1] += d[4]
    into[2] += d[5]


@jit
def scatter(
    v: float, el: float, az: float, sc: np.ndarray, steps: int, draws: np.ndarray, out: np.ndarray
) -> None:
    """The miss (x, y, m) of each shot i with (v, el, az, drag, wind x, wind y) moved by
    draws[i] (n, P): into out (n, 2), NaNs where it never comes down through the target's
    height. A drag drawn below 0 is 0."""
    s = np.empty(M)
    here = np.empty_like(sc)
    for i in range(draws.shape[0]):
        d = draws[i]
        _perturbed(sc, d, here)
        T = _fly(v + d[0], el + d[1], az + d[2], here, steps, 6, s)
        if not math.isnan(T):
            out[i, 0] = s[0] - target_at(here, T, 0)
            out[i, 1] = s[1] - target_at(here, T, 1)
        else:
            out[i, 0] = out[i, 1] = math.nan


@jit
def scatter_slopes(
    v: float, el: float, az: float, sc: np.ndarray, steps: int, draws: np.ndarray, out: np.ndarray
) -> None:
    """As scatter, with each miss's derivatives in (v, el, az): into out (n, 8), the miss x, y
    (m) then d miss x / d (v, el, az) and d miss y / d (v, el, az); NaNs where it never comes
    down through the target's height."""
    here = np.empty_like(sc)
    row = np.empty(10)
    for i in range(draws.shape[0]):
        d = draws[i]
        _perturbed(sc, d, here)
        vi, ei = v + d[0], el + d[1]
        slopes(vi, ei, az + d[2], here, first_time(vi, ei, sc[7] - sc[0], sc[4]) / steps, row)
        for j in range(8):
            out[i, j] = row[j]
