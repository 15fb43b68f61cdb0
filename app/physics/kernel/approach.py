"""The closest a shot passes a moving target in 3D (`intercept: "any"`), compiled: RK4 to a
given time with the variational equations (`state_at`, what Newton on the 3D gap asks) and
an error-controlled DOP853 that finds the least distance over the flight (`closest`, the
verifier). The equations are app/physics/kernel/space.py's.
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel import space
from app.physics.kernel.flight import _STAGES, MAX_STEPS, NEWTON, jit


@jit
def state_at(
    v: float, el: float, az: float, sc: np.ndarray, t: float, steps: int, out: np.ndarray
) -> None:
    """RK4 in `steps` equal steps to time t (s): into out (N,) the state with its derivatives
    in (v, el, az), for a meeting at any point of the flight (without drag, exactly)."""
    if sc[3] == 0.0:
        space.in_vacuum(v, el, az, sc, t, out)
        return
    s, work = np.empty(space.N), np.empty((5, space.N))
    space.start(v, el, az, sc[0], s)
    h = t / steps
    for _ in range(steps):
        space._rk4(s, h, out, work, sc)
        s[:] = out
    out[:] = s


@jit
def _gap3(y: np.ndarray, rates: np.ndarray, sc: np.ndarray, t: float) -> tuple[float, float, float]:
    """|shot - target|, and d/dt and d2/dt2 of half its square, at time t."""
    dist2 = rate = curve = 0.0
    for axis in range(3):
        d = y[axis] - space.target_at(sc, t, axis)
        dv = y[3 + axis] - space._target_rate(sc, t, axis)
        da = rates[3 + axis] - sc[11 + axis]
        dist2 += d * d
        rate += d * dv
        curve += dv * dv + d * da
    return math.sqrt(dist2), rate, curve


@jit
def closest(
    v: float, el: float, az: float, sc: np.ndarray, h0: float, rtol: float, out: np.ndarray
) -> None:
    """DOP853 at tolerance rtol from a first step h0 (s): into out (6,) the shot's x, y, z (m)
    where it passes closest to the target in 3D, the time (s), that distance (m) and the
    apex (m above the ground). The flight ends once the shot sinks below the target and away
    from it."""
    y, new, rates = np.empty(6), np.empty(6), np.empty(6)
    space.start(v, el, az, sc[0], y)
    K = np.empty((_STAGES + 1, 6))
    space._rates(y, K[0], sc, 6)
    best, _, _ = _gap3(y, K[0], sc, 0.0)
    out[:] = math.nan
    out[0], out[1], out[2], out[3], out[4], out[5] = y[0], y[1], y[2], 0.0, best, sc[0]
    t, h, apex = 0.0, h0, sc[0]
    longest = space.LONGEST * 2.0 * v / sc[4]  # s: steps stay short of the flight's turns
    rejected = False
    if not h > 0.0:
        return
    for _ in range(MAX_STEPS):
        space._dop_step(y, h, K, new, sc)
        norm = space.step_error(y, new, K, h, rtol, sc)
        if norm > 1.0:
            h *= max(0.2, 0.9 * norm ** (-1 / 8))
            rejected = True
            continue
        K0 = K[0].copy()
        _, rate0, _ = _gap3(y, K0, sc, t)
        end, rate1, _ = _gap3(new, K[_STAGES], sc, t + h)
        if end < best:
            best = end
            out[0], out[1], out[2], out[3], out[4] = new[0], new[1], new[2], t + h, end
        if rate0 < 0.0 <= rate1:  # the distance is least inside this step: place it
            tau = 0.5 * h
            at = np.empty(6)
            Ks = np.empty((_STAGES + 1, 6))
            for _ in range(NEWTON):
                Ks[0] = K0
                space._dop_step(y, tau, Ks, at, sc)
                space._rates(at, rates, sc, 6)
                _, rate, curve = _gap3(at, rates, sc, t + tau)
                if curve <= 0.0:
                    break
                step = rate / curve
                tau = min(max(tau - step, 0.0), h)
                if abs(step) <= 1e-15 * (1.0 + tau):  # settled: no need to step again
                    break
            Ks[0] = K0
            space._dop_step(y, tau, Ks, at, sc)
            space._rates(at, rates, sc, 6)
            there, _, _ = _gap3(at, rates, sc, t + tau)
            if there < best:
                best = there
                out[0], out[1], out[2], out[3], out[4] = at[0], at[1], at[2], t + tau, there
        if y[5] > 0.0 and new[5] <= 0.0:
            _, top = space._place_apex(y, K0, h, sc)
            apex = max(apex, top[2])
        below = new[2] - space.target_at(sc, t + h, 2)
        if (
            below < 0.0
            and new[5] < 0.0
            and new[5] - space._target_rate(sc, t + h, 2) < 0.0
            and rate1 > 0.0
        ):
            break  # sinking below the target and away from it
        t += h
        y[:] = new
        apex = max(apex, y[2])
        K[0] = K[_STAGES]
        factor = 10.0 if norm == 0.0 else min(10.0, 0.9 * norm ** (-1 / 8))
        h = min(h * (min(1.0, factor) if rejected else factor), longest)
        rejected = False
    out[5] = apex
