"""The six buckets' cases, built by the peer's published method (its benchmarks/
linear_cases.py, written here, not copied): draw a shot, fly it, put a moving target on it.

Per case (uniform, seeded): a muzzle speed of 120-420 m/s, an elevation in the arc's band at
any bearing, a hit time (0.8-8.5 s on the low arc, 0.8-30 s on the high), a target velocity
of up to 25 m/s in x and y and 8 m/s in z, a drag in the bucket's band. The shot is flown by
scipy's DOP853 at 1e-12 (in its vertical plane: there is no wind); the target is placed where
the shot is at the hit time, less its own motion since firing. The muzzle is at the origin,
as the peer's relative positions are; there is no ground.

Kept only if the shot is on its arc for the point where it meets the target: the height at
which a shot passes that point's horizontal distance rises with the elevation on the low arc
and falls on the high; checked a degree either side, so the case is on its arc at least a
degree from where the two arcs merge (a shot on the high band meeting the target on its way
up is the low shot to that point, and is redrawn). So every case is reachable at its speed on
its arc by construction, as the peer's buckets are.

The high arc's hit times reach 30 s, not the 12 s issue 13 quotes for the peer's buckets:
at 120-420 m/s a steep shot meets nothing on its high arc by 12 s without drag (a 120 m/s
shot at 50 deg is still climbing at 9 s, and is the steeper shot to a point only after 16 s),
and with drag only after about 10 s. 30 s stays inside the peer's horizon (its `tMax`, 40 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

SPEED = (120.0, 420.0)  # m/s
BANDS = {"low": (2.0, 38.0), "high": (50.0, 78.0)}  # deg, elevation
HIT_TIME = {"low": (0.8, 8.5), "high": (0.8, 30.0)}  # s (the high arc: module docstring)
TARGET_SPEED = (25.0, 25.0, 8.0)  # m/s, at most, in x, y, z
DRAGS = {"no": (0.0, 0.0), "moderate": (5e-4, 1e-3), "heavy": (1e-3, 2e-3)}  # 1/m
ARCS = ("low", "high")
MARGIN = math.radians(1.0)  # from where the arcs merge
TOLERANCE = 1e-12  # solve_ivp's rtol and atol
HORIZON = 600.0  # s


@dataclass(frozen=True)
class Case:
    """One target: m, m/s, rad, s, 1/m; x, y horizontal, z up, from the muzzle."""

    arc: str
    drag_band: str
    speed: float  # m/s, the muzzle speed both solvers are held to
    drag: float  # 1/m
    target: tuple[float, float, float]  # at firing
    velocity: tuple[float, float, float]  # the target's, constant
    elevation: float  # rad, the shot it was built on
    azimuth: float  # rad
    hit_time: float  # s, when that shot meets it


def _slope(drag: float, gravity: float):  # type: ignore[no-untyped-def]
    def slope(_: float, s: np.ndarray) -> list[float]:  # (r, z, vr, vz) in the shot's plane
        pull = drag * math.hypot(s[2], s[3])
        return [s[2], s[3], -pull * s[2], -gravity - pull * s[3]]

    return slope


def _start(speed: float, elevation: float) -> list[float]:
    return [0.0, 0.0, speed * math.cos(elevation), speed * math.sin(elevation)]


def fly(speed: float, elevation: float, drag: float, gravity: float, t: float) -> np.ndarray:
    """(r, z, vr, vz) m, m/s at t s: horizontal distance and height in the shot's plane."""
    kw = {"method": "DOP853", "rtol": TOLERANCE, "atol": TOLERANCE}
    flown = solve_ivp(_slope(drag, gravity), (0.0, t), _start(speed, elevation), **kw)
    state: np.ndarray = flown.y[:, -1]
    return state


def height_at(speed: float, elevation: float, drag: float, gravity: float, r: float) -> float:
    """The height (m) at which the shot passes horizontal distance r (m); -inf if it never
    does (drag brings its horizontal travel to a stop short of r)."""

    def there(_: float, s: np.ndarray) -> float:
        return float(s[0] - r)

    def sunk(_: float, s: np.ndarray) -> float:  # fallen a vacuum range below the muzzle
        return float(s[1] + speed * speed / gravity)

    there.terminal = sunk.terminal = True  # type: ignore[attr-defined]
    kw = {"method": "DOP853", "rtol": TOLERANCE, "atol": TOLERANCE}
    flown = solve_ivp(_slope(drag, gravity), (0.0, HORIZON), _start(speed, elevation),
                      events=(there, sunk), **kw)  # fmt: skip
    return float(flown.y_events[0][0][1]) if len(flown.t_events[0]) else -math.inf


def on_arc(arc: str, speed: float, elevation: float, drag: float, gravity: float,
           r: float, z: float) -> bool:  # fmt: skip
    """Whether the shot through (r, z) is the arc's, a MARGIN either side (module docstring)."""
    flatter = height_at(speed, elevation - MARGIN, drag, gravity, r)
    steeper = height_at(speed, elevation + MARGIN, drag, gravity, r)
    return flatter < z < steeper if arc == "low" else flatter > z > steeper


def bucket(arc: str, drag_band: str, n: int, seed: int, gravity: float) -> list[Case]:
    """n cases of one bucket (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    cases: list[Case] = []
    for _ in range(1000 * n):
        if len(cases) == n:
            break
        speed = float(rng.uniform(*SPEED))
        elevation = math.radians(float(rng.uniform(*BANDS[arc])))
        azimuth = float(rng.uniform(-math.pi, math.pi))
        t = float(rng.uniform(*HIT_TIME[arc]))
        velocity = np.array([rng.uniform(-top, top) for top in TARGET_SPEED])
        drag = float(rng.uniform(*DRAGS[drag_band]))
        r, z, _, _ = fly(speed, elevation, drag, gravity, t)
        if not on_arc(arc, speed, elevation, drag, gravity, float(r), float(z)):
            continue
        met = np.array([r * math.cos(azimuth), r * math.sin(azimuth), z])
        target = met - velocity * t  # where it was at firing
        x, y, z0 = (float(v) for v in target)
        vx, vy, vz = (float(v) for v in velocity)
        cases.append(Case(arc, drag_band, speed, drag, (x, y, z0), (vx, vy, vz), elevation,
                          azimuth, t))  # fmt: skip
    return cases
