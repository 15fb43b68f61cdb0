"""One shot in three dimensions at a moving target, compiled: the equations of
app/physics/kernel/flight.py with a horizontal wind from any side,

    a = -g z^ - k |v - w| (v - w),   w = (wx, wy, 0),

(x, y horizontal, z up, from the ground under the muzzle; metres, seconds) and a target at
p + u t + a_t t^2 / 2. The shot "meets" the target where it comes down through the target's
height at that moment; the miss is the horizontal distance between them there.

As in 2D, two independent ways: `slopes` (fixed-step RK4 with the variational equations in
the launch velocity, elevation and azimuth: the miss vector and its 2x3 Jacobian in one pass,
what Newton asks) and `meet` (error-controlled DOP853, the verifier). Both place the crossing
by Newton on the time inside its step, re-stepping from the step's start. `scene` packs the
conditions (SCENE fields, float64) so every call shares one signature.
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel.flight import _A, _B, _STAGES, MAX_STEPS, NEWTON, dop_error, jit

SCENE = (
    "launch_height", "wind_x", "wind_y", "drag", "gravity",  # m, m/s, m/s, 1/m, m/s^2
    "x", "y", "z", "vx", "vy", "vz", "ax", "ay", "az",  # the target at firing: m, m/s, m/s^2
)  # fmt: skip
N = 24  # x, y, z, vx, vy, vz, then their derivatives in velocity, elevation and azimuth
# DOP853's longest step, of a vertical shot's flight in a vacuum (2 v / g): without drag its
# error estimate is zero and the step would grow tenfold each time, until one step spans the
# apex and a meeting and hides a pass.
LONGEST = 0.05
SLOPES = 10  # slopes' answer: miss x, miss y (m), the Jacobian's rows (6), time s, closing m/s


@jit
def _rates(s: np.ndarray, out: np.ndarray, sc: np.ndarray, n: int) -> None:
    """d/dt of the state s (n = 6 or N) into out."""
    rx, ry, vz = s[3] - sc[1], s[4] - sc[2], s[5]
    speed = math.sqrt(rx * rx + ry * ry + vz * vz)
    k = sc[3]
    pull = k * speed
    out[0], out[1], out[2] = s[3], s[4], s[5]
    out[3], out[4], out[5] = -pull * rx, -pull * ry, -sc[4] - pull * vz
    c = k / speed if speed > 0.0 else 0.0
    for j in range(6, n, 6):  # d/dt dS = J dS, J = -k (|r| I + r r^T / |r|)
        dx, dy, dz = s[j + 3], s[j + 4], s[j + 5]
        dot = c * (rx * dx + ry * dy + vz * dz)
        out[j], out[j + 1], out[j + 2] = dx, dy, dz
        out[j + 3] = -pull * dx - rx * dot
        out[j + 4] = -pull * dy - ry * dot
        out[j + 5] = -pull * dz - vz * dot


@jit
def _rk4(s: np.ndarray, h: float, out: np.ndarray, work: np.ndarray, sc: np.ndarray) -> None:
    """One RK4 step of the N-state by h into out. work: (5, N) scratch."""
    k1, k2, k3, k4, tmp = work[0], work[1], work[2], work[3], work[4]
    _rates(s, k1, sc, N)
    for j in range(N):
        tmp[j] = s[j] + 0.5 * h * k1[j]
    _rates(tmp, k2, sc, N)
    for j in range(N):
        tmp[j] = s[j] + 0.5 * h * k2[j]
    _rates(tmp, k3, sc, N)
    for j in range(N):
        tmp[j] = s[j] + h * k3[j]
    _rates(tmp, k4, sc, N)
    for j in range(N):
        out[j] = s[j] + h / 6.0 * (k1[j] + 2.0 * (k2[j] + k3[j]) + k4[j])


@jit
def target_at(sc: np.ndarray, t: float, axis: int) -> float:
    """The target's coordinate `axis` (0 x, 1 y, 2 z) in m at time t s."""
    return float(sc[5 + axis] + sc[8 + axis] * t + 0.5 * sc[11 + axis] * t * t)


@jit
def _target_rate(sc: np.ndarray, t: float, axis: int) -> float:
    return float(sc[8 + axis] + sc[11 + axis] * t)


@jit
def start(v: float, el: float, az: float, h0: float, s: np.ndarray) -> None:
    """The state at firing, with the derivatives of the launch velocity in (v, el, az)."""
    ce, se, ca, sa = math.cos(el), math.sin(el), math.cos(az), math.sin(az)
    s[:] = 0.0
    s[2] = h0
    s[3], s[4], s[5] = v * ce * ca, v * ce * sa, v * se
    if s.shape[0] == N:
        s[9], s[10], s[11] = ce * ca, ce * sa, se
        s[15], s[16], s[17] = -v * se * ca, -v * se * sa, v * ce
        s[21], s[22] = -v * ce * sa, v * ce * ca


@jit
def in_vacuum(v: float, el: float, az: float, sc: np.ndarray, t: float, out: np.ndarray) -> None:
    """Without drag the flight is a parabola: into out (N,) the state at time t (s) with its
    derivatives in (v, el, az), exactly (what RK4 gives there too, for less)."""
    start(v, el, az, sc[0], out)
    for j in range(0, N, 6):  # position += velocity t; the velocity's derivatives stay
        for axis in range(3):
            out[j + axis] += out[j + 3 + axis] * t
    out[2] -= 0.5 * sc[4] * t * t
    out[5] -= sc[4] * t


@jit
def _crossing(s: np.ndarray, sc: np.ndarray, T: float, out: np.ndarray) -> None:
    """slopes' answer from the state s (N,) at the crossing time T."""
    closing = s[5] - _target_rate(sc, T, 2)
    out[0] = s[0] - target_at(sc, T, 0)
    out[1] = s[1] - target_at(sc, T, 1)
    for j in range(3):  # along the crossing: dT/dp = -(dz/dp) / closing
        dT = -s[6 * j + 8] / closing
        out[2 + j] = s[6 * j + 6] + (s[3] - _target_rate(sc, T, 0)) * dT
        out[5 + j] = s[6 * j + 7] + (s[4] - _target_rate(sc, T, 1)) * dT
    out[8], out[9] = T, closing


@jit
def slopes(v: float, el: float, az: float, sc: np.ndarray, h: float, out: np.ndarray) -> None:
    """RK4 with steps of h (s): into out (SLOPES,) the miss vector (shot minus target, x and
    y, m) where the shot comes down through the target's height, d miss / d (v, el, az) row
    by row, the time (s) and the closing speed (m/s, the shot's fall relative to the
    target's). NaNs where it never comes down through it. Without drag, in closed form: the
    shot's height over the target's is a parabola, its later root the crossing."""
    s, nxt = np.empty(N), np.empty(N)
    work = np.empty((5, N))
    out[:] = math.nan
    if not h > 0.0:
        return
    if sc[3] == 0.0:
        a = -0.5 * (sc[4] + sc[13])  # the gap: a t^2 + b t + c
        b, c = v * math.sin(el) - sc[10], sc[0] - sc[7]
        room = b * b - 4.0 * a * c
        if a < 0.0 and room >= 0.0:
            T = (-b - math.sqrt(room)) / (2.0 * a)
            if T > 0.0:
                in_vacuum(v, el, az, sc, T, s)
                _crossing(s, sc, T, out)
        return
    start(v, el, az, sc[0], s)
    t = 0.0
    for _ in range(MAX_STEPS):
        _rk4(s, h, nxt, work, sc)
        above = s[2] - target_at(sc, t, 2)
        after = nxt[2] - target_at(sc, t + h, 2)
        if above >= 0.0 and after < 0.0:  # comes down through the target's height in this step
            tau = h * above / (above - after)
            for _ in range(NEWTON):
                _rk4(s, tau, nxt, work, sc)
                rate = nxt[5] - _target_rate(sc, t + tau, 2)
                if rate >= 0.0:
                    break
                step = (nxt[2] - target_at(sc, t + tau, 2)) / rate
                tau = min(max(tau - step, 0.0), h)
                if abs(step) <= 1e-15 * (1.0 + tau):  # settled: no need to step again
                    break
            _rk4(s, tau, nxt, work, sc)
            _crossing(nxt, sc, t + tau, out)
            return
        if after < 0.0 and nxt[5] < 0.0 and nxt[5] - _target_rate(sc, t + h, 2) < 0.0:
            return  # falling, below the target and sinking from it: never meets it
        t += h
        for j in range(N):
            s[j] = nxt[j]


@jit
def step_error(
    y: np.ndarray, new: np.ndarray, K: np.ndarray, h: float, rtol: float, sc: np.ndarray
) -> float:
    """DOP853's error norm of the step y -> new: 0 without drag, where the step is exact."""
    return 0.0 if sc[3] == 0.0 else dop_error(y, new, K, h, rtol)


@jit
def _dop_step(y: np.ndarray, h: float, K: np.ndarray, out: np.ndarray, sc: np.ndarray) -> None:
    """One DOP853 step of the 6-state by h: out = y(h); K (13, 6) holds the stages, K[0]
    the rates at y on entry, K[12] gets the rates at out. Without drag the flight is a
    parabola, which DOP853 integrates exactly (to rounding): the parabola's own step instead,
    the stages left unset (`step_error` is then 0)."""
    if sc[3] == 0.0:
        for j in range(3):
            out[j] = y[j] + h * y[3 + j]
            out[3 + j] = y[3 + j]
        out[2] -= 0.5 * sc[4] * h * h
        out[5] -= sc[4] * h
        _rates(out, K[_STAGES], sc, 6)
        return
    tmp = np.empty(6)
    for s in range(1, _STAGES):
        for j in range(6):
            acc = 0.0
            for r in range(s):
                acc += _A[s, r] * K[r, j]
            tmp[j] = y[j] + h * acc
        _rates(tmp, K[s], sc, 6)
    for j in range(6):
        acc = 0.0
        for r in range(_STAGES):
            acc += _B[r] * K[r, j]
        out[j] = y[j] + h * acc
    _rates(out, K[_STAGES], sc, 6)


@jit
def _gap(
    state: np.ndarray, rates: np.ndarray, sc: np.ndarray, t: float, index: int
) -> tuple[float, float]:
    """index 0: the shot's height over the target's and its rate; 1: that rate and its own."""
    if index == 0:
        return state[2] - target_at(sc, t, 2), state[5] - _target_rate(sc, t, 2)
    return state[5] - _target_rate(sc, t, 2), rates[5] - sc[13]


@jit
def _place(
    y: np.ndarray, K0: np.ndarray, t: float, lo: float, hi: float, index: int, sc: np.ndarray
) -> tuple[float, np.ndarray]:
    """Newton on tau in [lo, hi] for _gap(index) = 0 at t + tau, re-stepping from y."""
    K = np.empty((_STAGES + 1, 6))
    out, rates = np.empty(6), np.empty(6)
    tau = 0.5 * (lo + hi)
    for _ in range(NEWTON):
        K[0] = K0
        _dop_step(y, tau, K, out, sc)
        _rates(out, rates, sc, 6)
        value, slope = _gap(out, rates, sc, t + tau, index)
        if slope == 0.0:
            break
        step = value / slope
        tau = min(max(tau - step, lo), hi)
        if abs(step) <= 1e-15 * (1.0 + abs(tau)):
            break
    K[0] = K0
    _dop_step(y, tau, K, out, sc)
    return tau, out


@jit
def meet(
    v: float, el: float, az: float, sc: np.ndarray, h0: float, rtol: float, out: np.ndarray
) -> None:
    """DOP853 at relative and absolute tolerance rtol from a first step h0 (s): into out (6,)
    the shot's x, y, z (m) where it comes down through the target's height, the time (s),
    the horizontal miss (m) and the apex (m above the ground); NaNs but the apex where it
    never comes down through it."""
    y, new = np.empty(6), np.empty(6)
    start(v, el, az, sc[0], y)
    out[:] = math.nan
    out[5] = sc[0]
    K = np.empty((_STAGES + 1, 6))
    _rates(y, K[0], sc, 6)
    t, h, apex = 0.0, h0, sc[0]
    longest = LONGEST * 2.0 * v / sc[4]  # s: steps stay short of the flight's turns
    rejected = False
    if not h > 0.0:
        return
    for _ in range(MAX_STEPS):
        _dop_step(y, h, K, new, sc)
        norm = step_error(y, new, K, h, rtol, sc)
        if norm > 1.0:
            h *= max(0.2, 0.9 * norm ** (-1 / 8))
            rejected = True
            continue
        K0 = K[0].copy()
        before = y[2] - target_at(sc, t, 2)
        after = new[2] - target_at(sc, t + h, 2)
        rate0 = y[5] - _target_rate(sc, t, 2)
        rate1 = new[5] - _target_rate(sc, t + h, 2)
        peak = rate0 > 0.0 and rate1 <= 0.0  # the closest the shot climbs over the target
        first, top = 0.0, before
        if peak:
            first, at = _place(y, K0, t, 0.0, h, 1, sc)
            top = at[2] - target_at(sc, t + first, 2)
        if y[5] > 0.0 and new[5] <= 0.0:  # the shot's own apex, for the answer
            _, at = _place_apex(y, K0, h, sc)
            apex = max(apex, at[2])
        if after < 0.0 and (before >= 0.0 or (peak and top >= 0.0)):
            tau, at = _place(y, K0, t, first, h, 0, sc)
            T = t + tau
            out[0], out[1], out[2], out[3] = at[0], at[1], at[2], T
            out[4] = math.hypot(at[0] - target_at(sc, T, 0), at[1] - target_at(sc, T, 1))
            out[5] = max(apex, y[2])
            return
        if after < 0.0 and rate1 < 0.0 and new[5] < 0.0:
            out[5] = max(apex, y[2])
            return
        t += h
        y[:] = new
        apex = max(apex, y[2])
        K[0] = K[_STAGES]
        factor = 10.0 if norm == 0.0 else min(10.0, 0.9 * norm ** (-1 / 8))
        h = min(h * (min(1.0, factor) if rejected else factor), longest)
        rejected = False
    out[5] = apex


@jit
def _place_apex(
    y: np.ndarray, K0: np.ndarray, h: float, sc: np.ndarray
) -> tuple[float, np.ndarray]:
    """Newton on tau in [0, h] for the shot's own vertical velocity = 0 (its apex)."""
    K = np.empty((_STAGES + 1, 6))
    out, rates = np.empty(6), np.empty(6)
    tau = 0.5 * h
    for _ in range(NEWTON):
        K[0] = K0
        _dop_step(y, tau, K, out, sc)
        _rates(out, rates, sc, 6)
        if rates[5] == 0.0:
            break
        step = out[5] / rates[5]
        tau = min(max(tau - step, 0.0), h)
        if abs(step) <= 1e-15 * (1.0 + tau):
            break
    K[0] = K0
    _dop_step(y, tau, K, out, sc)
    return tau, out
