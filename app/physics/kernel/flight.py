"""One shot through air, compiled: the same equations as app/physics/flight.py,

    a = -g ŷ - k |v - w| (v - w),   w = (wind, 0),

(x along the line of fire, y up, from the ground under the muzzle; metres, seconds) flown
two independent ways. `slopes` is what refinement asks: fixed-step RK4 with the variational
equations, the landing and its derivatives in one pass. `landing` is what verification asks:
DOP853 with error control, an independent method accurate far below the tolerance.

Both find the landing the same careful way: the step in which the shot comes down through the
target's height, then Newton on the time inside that step, re-stepping from its start (the
integrator itself is the interpolant, so the landing is as accurate as the flight).
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
from pathlib import Path

import numba
import numpy as np
from scipy.integrate._ivp import dop853_coefficients as dop

NEWTON = 8  # Newton steps placing a crossing inside its step
MAX_STEPS = 100_000  # a guard: no flight in the envelope takes a thousandth of it

_STAGES = dop.N_STAGES  # 12
_A = np.ascontiguousarray(dop.A[:_STAGES, :_STAGES])
_B = np.ascontiguousarray(dop.B)
_E3 = np.ascontiguousarray(dop.E3)
_E5 = np.ascontiguousarray(dop.E5)


def _cache_dir() -> str | None:
    """Where numba keeps the compiled kernel: a directory named after the kernel's sources,
    because numba checks only the source file of each function it loads, not the functions
    it calls in other files (without this an edit to one module would leave callers running
    the old code). numba insists on a writable directory even to read: on a read-only
    install (a container's read-only root) the cache filled when the image was built is
    copied to the temporary directory. None: nowhere to write, compile on every start."""
    here = Path(__file__).parent
    sources = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(here.glob("*.py"))))
    name = f"numba-{sources.hexdigest()[:16]}"
    built = Path(os.environ.get("NUMBA_CACHE_DIR") or here / "__pycache__") / name
    scratch = Path(tempfile.gettempdir()) / f"cannon-{os.getuid()}-{name}"
    for place in (built, scratch):
        try:
            if place == scratch and built.is_dir() and not scratch.exists():
                shutil.copytree(built, scratch)
            place.mkdir(parents=True, exist_ok=True)
            if place == scratch and place.stat().st_uid != os.getuid():
                continue  # machine code planted by another user is never loaded
            tempfile.TemporaryFile(dir=place).close()
            return str(place)
        except OSError:
            continue
    return None


CACHE = _cache_dir()
if CACHE:
    numba.config.CACHE_DIR = CACHE  # type: ignore[attr-defined]
jit = numba.njit(cache=CACHE is not None, nogil=True, error_model="numpy")


@jit
def first_time(v: float, angle: float, rise: float, g: float) -> float:
    """A flight time (s) to size steps by: the vacuum's, down to the target (`rise` m above
    the muzzle), or back to the muzzle's height for a shot that never climbs that high.
    Air only shortens it."""
    up = v * math.sin(angle)
    room = up * up - 2 * g * rise
    if room >= 0:
        return (up + math.sqrt(room)) / g
    return max(2 * up / g, 1e-9)


@jit
def _pull(vx: float, vy: float, wind: float, k: float) -> tuple[float, float, float, float]:
    """k |v - w| and its derivatives: (pull, d(ax)/d(vx), d(ax)/d(vy), d(ay)/d(vy))."""
    rx = vx - wind
    speed = math.sqrt(rx * rx + vy * vy)
    pull = k * speed
    if speed == 0.0:
        return pull, 0.0, 0.0, 0.0
    return pull, -(pull + k * rx * rx / speed), -k * rx * vy / speed, -(pull + k * vy * vy / speed)


@jit
def _rates(s: np.ndarray, out: np.ndarray, wind: float, k: float, g: float) -> None:
    """d/dt of (x, y, vx, vy, then d/dv and d/dθ of those four): out (12,) from s (12,)."""
    pull, axx, axy, ayy = _pull(s[2], s[3], wind, k)
    out[0], out[1] = s[2], s[3]
    out[2] = -pull * (s[2] - wind)
    out[3] = -g - pull * s[3]
    for j in (4, 8):  # the variational equations: d/dt (dS) = J dS
        out[j], out[j + 1] = s[j + 2], s[j + 3]
        out[j + 2] = axx * s[j + 2] + axy * s[j + 3]
        out[j + 3] = axy * s[j + 2] + ayy * s[j + 3]


@jit
def _rk4(
    s: np.ndarray, h: float, out: np.ndarray, work: np.ndarray, wind: float, k: float, g: float
) -> None:
    """One RK4 step of the 12-state by h (s) into out. work: (5, 12) scratch."""
    k1, k2, k3, k4, tmp = work[0], work[1], work[2], work[3], work[4]
    _rates(s, k1, wind, k, g)
    for j in range(12):  # element loops: array expressions would allocate every stage
        tmp[j] = s[j] + 0.5 * h * k1[j]
    _rates(tmp, k2, wind, k, g)
    for j in range(12):
        tmp[j] = s[j] + 0.5 * h * k2[j]
    _rates(tmp, k3, wind, k, g)
    for j in range(12):
        tmp[j] = s[j] + h * k3[j]
    _rates(tmp, k4, wind, k, g)
    for j in range(12):
        out[j] = s[j] + h / 6.0 * (k1[j] + 2.0 * (k2[j] + k3[j]) + k4[j])


@jit
def slopes(
    v: float, angle: float, h0: float, ht: float, wind: float, k: float, g: float, steps: int
) -> tuple[float, float, float, float]:
    """(landing m, d landing / d v  in s, d landing / d angle in m/rad, flight time s) by RK4
    with `steps` steps over the vacuum flight time; NaNs where the shot never comes down
    through the target height `ht` (m above the ground)."""
    h = first_time(v, angle, ht - h0, g) / steps
    if not h > 0.0:  # NaN controls
        return math.nan, math.nan, math.nan, math.nan
    s, nxt = np.zeros(12), np.zeros(12)
    work = np.empty((5, 12))
    c, sn = math.cos(angle), math.sin(angle)
    s[1], s[2], s[3] = h0, v * c, v * sn
    s[6], s[7] = c, sn  # d(vx, vy)/dv
    s[10], s[11] = -v * sn, v * c  # d(vx, vy)/dθ
    nan = math.nan
    for i in range(MAX_STEPS):
        _rk4(s, h, nxt, work, wind, k, g)
        if nxt[1] < ht and s[1] >= ht:  # comes down through the height in this step
            tau = h * (s[1] - ht) / (s[1] - nxt[1])
            for _ in range(NEWTON):
                _rk4(s, tau, nxt, work, wind, k, g)
                if nxt[3] >= 0.0:
                    break
                tau = min(max(tau - (nxt[1] - ht) / nxt[3], 0.0), h)
            _rk4(s, tau, nxt, work, wind, k, g)
            vx, vy = nxt[2], nxt[3]
            # Along the crossing: dT/dp = -(dy/dp) / vy, so dL/dp = dx/dp + vx dT/dp.
            return nxt[0], nxt[4] - vx * nxt[5] / vy, nxt[8] - vx * nxt[9] / vy, i * h + tau
        if nxt[3] < 0.0 and nxt[1] < ht:  # falling below the height: it never got there
            return nan, nan, nan, nan
        for j in range(12):
            s[j] = nxt[j]
    return nan, nan, nan, nan


@jit
def _dop_step(
    y: np.ndarray, h: float, K: np.ndarray, out: np.ndarray, wind: float, k: float, g: float
) -> None:
    """One DOP853 step of the 4-state by h: out = y(h); K (13, 4) holds the stages, K[0] must
    hold the rates at y on entry, K[12] gets the rates at out."""
    tmp = np.empty(4)
    for s in range(1, _STAGES):
        for j in range(4):
            acc = 0.0
            for r in range(s):
                acc += _A[s, r] * K[r, j]
            tmp[j] = y[j] + h * acc
        _rates4(tmp, K[s], wind, k, g)
    for j in range(4):
        acc = 0.0
        for r in range(_STAGES):
            acc += _B[r] * K[r, j]
        out[j] = y[j] + h * acc
    _rates4(out, K[_STAGES], wind, k, g)


@jit
def dop_error(y: np.ndarray, new: np.ndarray, K: np.ndarray, h: float, rtol: float) -> float:
    """DOP853's error norm of the step y -> new by h with stages K, as scipy computes it
    (its 3rd- and 5th-order estimates, relative and absolute tolerance rtol): above 1 the
    step is rejected."""
    n = y.shape[0]
    err5 = err3 = 0.0
    for j in range(n):
        scale = rtol + rtol * max(abs(y[j]), abs(new[j]))
        e5 = e3 = 0.0
        for r in range(_STAGES + 1):
            e5 += _E5[r] * K[r, j]
            e3 += _E3[r] * K[r, j]
        err5 += (e5 / scale) ** 2
        err3 += (e3 / scale) ** 2
    return 0.0 if err5 == 0.0 else abs(h) * err5 / math.sqrt((err5 + 0.01 * err3) * n)


@jit
def _rates4(s: np.ndarray, out: np.ndarray, wind: float, k: float, g: float) -> None:
    rx = s[2] - wind
    pull = k * math.sqrt(rx * rx + s[3] * s[3])
    out[0], out[1], out[2], out[3] = s[2], s[3], -pull * rx, -g - pull * s[3]


@jit
def _place(
    y: np.ndarray,
    K0: np.ndarray,
    lo: float,
    hi: float,
    index: int,
    level: float,
    wind: float,
    k: float,
    g: float,
) -> tuple[float, np.ndarray]:
    """Newton on τ in [lo, hi] for state[index](τ) = level, re-stepping from y; the slope of
    state[index] is state[index + 1] (y -> vy, vy -> ay). Returns τ and the state there."""
    K = np.empty((_STAGES + 1, 4))
    out, rates = np.empty(4), np.empty(4)
    tau = 0.5 * (lo + hi)
    for _ in range(NEWTON):
        K[0] = K0
        _dop_step(y, tau, K, out, wind, k, g)
        _rates4(out, rates, wind, k, g)
        slope = rates[index]
        if slope == 0.0:
            break
        step = (out[index] - level) / slope
        tau = min(max(tau - step, lo), hi)
        if abs(step) <= 1e-15 * (1.0 + abs(tau)):
            break
    K[0] = K0
    _dop_step(y, tau, K, out, wind, k, g)
    return tau, out


@jit
def landing(
    v: float, angle: float, h0: float, ht: float, wind: float, k: float, g: float, rtol: float
) -> tuple[float, float, float]:
    """(landing m, flight time s, apex height m above the ground) by DOP853 at relative and
    absolute tolerance `rtol`; landing and time NaN where the shot never comes down through
    the target height `ht`."""
    y, new = np.zeros(4), np.empty(4)
    y[1], y[2], y[3] = h0, v * math.cos(angle), v * math.sin(angle)
    K = np.empty((_STAGES + 1, 4))
    _rates4(y, K[0], wind, k, g)
    t, h, apex = 0.0, 0.02 * first_time(v, angle, ht - h0, g), h0
    rejected = False
    if not h > 0.0:  # NaN controls
        return math.nan, math.nan, math.nan
    for _ in range(MAX_STEPS):
        _dop_step(y, h, K, new, wind, k, g)
        norm = dop_error(y, new, K, h, rtol)
        if norm > 1.0:  # rejected: shrink as scipy's DOP853 does
            h *= max(0.2, 0.9 * norm ** (-1 / 8))
            rejected = True
            continue
        K0 = K[0].copy()
        down = new[1] < ht
        peak = y[3] > 0.0 and new[3] <= 0.0
        start = 0.0
        if peak:  # the apex lies in this step: place it, it may graze the target height
            start, top = _place(y, K0, 0.0, h, 3, 0.0, wind, k, g)
            apex = max(apex, top[1])
        if down and (y[1] >= ht or (peak and apex >= ht)):
            tau, at = _place(y, K0, start, h, 1, ht, wind, k, g)
            return at[0], t + tau, max(apex, y[1])
        if new[3] < 0.0 and down:  # falling below the height: it never got there
            return math.nan, math.nan, max(apex, y[1])
        t += h
        y[:] = new
        apex = max(apex, y[1])
        K[0] = K[_STAGES]
        factor = 10.0 if norm == 0.0 else min(10.0, 0.9 * norm ** (-1 / 8))
        h *= min(1.0, factor) if rejected else factor
        rejected = False
    return math.nan, math.nan, apex
