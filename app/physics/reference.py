"""The reference a flight through air is checked against: analytic where a closed form exists
(no drag: a vacuum, with any launch and target heights), otherwise scipy's solve_ivp (DOP853,
tolerances 1e-12) with a landing event. One shot at a time, in float64: slow and exact, the
opposite of app/physics/flight.py, which it is independent of."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from app import cancel
from app.physics.reference_space import Intercept, closest, intercept  # the 3D reference

__all__ = [
    "Intercept",
    "Landing",
    "Landings",
    "closest",
    "intercept",
    "landing",
    "landings",
    "vacuum",
]

TOLERANCE = 1e-12  # solve_ivp's rtol and atol


@dataclass(frozen=True)
class Landing:
    distance: float  # m from the cannon; NaN if the shot never comes down through the height
    flight_time: float  # s
    apex_height: float  # m above the ground


def vacuum(
    velocity: float, angle: float, launch_height: float, target_height: float, gravity: float
) -> Landing:
    """Closed form: y(t) = h0 + v sin θ t - g t^2 / 2 comes down through the target height."""
    up, across = velocity * math.sin(angle), velocity * math.cos(angle)
    apex = launch_height + up * up / (2 * gravity)
    room = up * up + 2 * gravity * (launch_height - target_height)
    if room < 0 or (up <= 0 and launch_height < target_height):
        return Landing(math.nan, math.nan, apex)
    time = (up + math.sqrt(room)) / gravity
    return Landing(across * time, time, apex)


def motion(wind: float, drag: float, gravity: float) -> Callable[[float, np.ndarray], list[float]]:
    """d/dt of one shot's state (x, y, vx, vy) through air, as solve_ivp takes it."""

    def slope(_: float, s: np.ndarray) -> list[float]:
        rx, vy = s[2] - wind, s[3]
        pull = drag * math.hypot(rx, vy)
        return [s[2], s[3], -pull * rx, -gravity - pull * vy]

    return slope


def landing(
    velocity: float,
    angle: float,
    launch_height: float,
    target_height: float,
    wind: float,
    drag: float,
    gravity: float,
) -> Landing:
    """Where the shot comes down through the target height, by the closed form without drag
    and by solve_ivp with drag."""
    if drag == 0:
        return vacuum(velocity, angle, launch_height, target_height, gravity)
    slope = motion(wind, drag, gravity)

    def comes_down(_: float, s: np.ndarray) -> float:
        return float(s[1] - target_height)

    def apex(_: float, s: np.ndarray) -> float:
        return float(s[3])

    comes_down.terminal, comes_down.direction = True, -1  # type: ignore[attr-defined]
    apex.direction = -1  # type: ignore[attr-defined]
    start = [0.0, launch_height, velocity * math.cos(angle), velocity * math.sin(angle)]
    # Long enough for any shot in the envelope; the event ends it at the landing.
    result = solve_ivp(
        slope,
        (0.0, 60.0),
        start,
        method="DOP853",
        events=(comes_down, apex),
        rtol=TOLERANCE,
        atol=TOLERANCE,
    )
    highest = max([launch_height, *(s[1] for s in result.y_events[1])])
    if len(result.t_events[0]) == 0 and len(result.t_events[1]) and highest >= target_height:
        # It climbed above the target's height and fell back below it within one of the
        # solver's steps, unseen by the event: fly on from the apex, which is above it.
        t_apex, at_apex = float(result.t_events[1][0]), result.y_events[1][0]
        result = solve_ivp(
            slope,
            (t_apex, 60.0),
            at_apex,
            method="DOP853",
            events=(comes_down,),
            rtol=TOLERANCE,
            atol=TOLERANCE,
        )
    if len(result.t_events[0]) == 0:
        return Landing(math.nan, math.nan, highest)
    return Landing(float(result.y_events[0][0][0]), float(result.t_events[0][0]), highest)


@dataclass(frozen=True)
class Landings:
    """Many shots' landings: (N,) arrays, NaN where a shot never comes down through its height."""

    distance: np.ndarray  # m from the cannon
    flight_time: np.ndarray  # s
    apex_height: np.ndarray  # m above the ground


def landings(
    velocity: np.ndarray,
    angle: np.ndarray,
    launch_height: np.ndarray,
    target_height: np.ndarray,
    wind: np.ndarray,
    drag: np.ndarray,
    gravity: float,
    chunk: int = 256,  # shots integrated together: fastest here (0.38 ms a shot)
    stretch: float = 1.0,
) -> Landings:
    """`landing` for many shots at once.

    The shots with drag are integrated together, `chunk` at a time, as one system with each
    shot's time scaled to its own horizon, by DOP853 at the same tolerances; the landing and
    the apex are then placed by Newton steps on DOP853's own dense output inside the step
    where each happens. Hundreds of shots cost about as much as a few one at a time.
    `stretch` scales the first horizon (tests shrink it to exercise the longer flights).
    """
    shots = np.broadcast_arrays(velocity, angle, launch_height, target_height, wind, drag)
    v, a, h0, ht, w, k = (np.asarray(s, dtype=np.float64).ravel() for s in shots)
    distance, time = np.full(v.shape, np.nan), np.full(v.shape, np.nan)
    up = v * np.sin(a)
    apex = h0 + up * up / (2 * gravity)
    room = up * up + 2 * gravity * (h0 - ht)
    calm = k == 0
    with np.errstate(invalid="ignore"):  # sqrt of a negative: never that high
        vacuum_time = (up + np.sqrt(room)) / gravity
    distance[calm] = (v * np.cos(a) * vacuum_time)[calm]
    time[calm] = vacuum_time[calm]
    rows = np.flatnonzero(~calm)
    for start in range(0, len(rows), chunk):
        part, longer = rows[start : start + chunk], stretch
        while len(part):  # shots still in the air at the horizon fly again, on a longer one
            cancel.checkpoint()  # between chunks: work given up on stops here
            shot = (v[part], a[part], h0[part], ht[part], w[part], k[part])
            flown, airborne = _fly_together(*shot, gravity, longer)
            distance[part], time[part] = flown.distance, flown.flight_time
            apex[part] = flown.apex_height
            part, longer = part[airborne], longer * 4
    # A shot that climbed above its target's height but was never seen coming down through it
    # fell back within one solver step (a grazing shot): fly it alone, from its apex.
    for i in np.flatnonzero(np.isnan(distance) & (apex >= ht) & ~calm):
        alone = landing(v[i], a[i], h0[i], ht[i], w[i], k[i], gravity)
        distance[i], time[i] = alone.distance, alone.flight_time
    return Landings(distance, time, apex)


def _fly_together(
    v: np.ndarray,
    a: np.ndarray,
    h0: np.ndarray,
    ht: np.ndarray,
    w: np.ndarray,
    k: np.ndarray,
    gravity: float,
    stretch: float,
) -> tuple[Landings, np.ndarray]:
    """The shots' landings, and which shots are still above their target height at the
    horizon."""
    n = len(v)
    # Each shot's horizon: air only shortens the climb and slows the fall; a generous bound,
    # and shots not down by then fly again on a longer one.
    climb = np.maximum(v * np.sin(a), 0) / gravity
    fall = np.sqrt(2 * np.maximum(h0 - ht + 6.0, 0) / gravity)
    horizon = stretch * (2.0 * (climb + fall) + 0.5)  # s

    def accelerations(
        vx: np.ndarray, vy: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        rx = vx - w[rows]
        pull = k[rows] * np.hypot(rx, vy)
        return -pull * rx, -gravity - pull * vy

    def slope(_: float, s: np.ndarray) -> np.ndarray:
        vx, vy = s.reshape(4, n)[2:]
        ax, ay = accelerations(vx, vy, np.arange(n))
        rates: np.ndarray = np.concatenate([vx, vy, ax, ay]) * np.tile(horizon, 4)
        return rates  # d/dtau = horizon * d/dt

    start = np.concatenate([np.zeros(n), h0, v * np.cos(a), v * np.sin(a)])
    sol = solve_ivp(
        slope, (0.0, 1.0), start, method="DOP853", rtol=TOLERANCE, atol=TOLERANCE, dense_output=True
    )

    def height(state: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return state[1], horizon[rows] * state[3]

    def climb_rate(state: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        _, ay = accelerations(state[2], state[3], rows)
        return state[3], horizon[rows] * ay

    landed, at_landing = _crossing(sol, sol.y[n : 2 * n], ht, height)
    _, at_apex = _crossing(sol, sol.y[3 * n :], np.zeros(n), climb_rate)
    flown = Landings(
        distance=np.where(landed, at_landing[0], np.nan),
        flight_time=np.where(landed, at_landing[-1] * horizon, np.nan),
        apex_height=at_apex[1],
    )
    return flown, ~landed & (sol.y[n : 2 * n, -1] >= ht)


Measure = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _crossing(
    sol: Any, values: np.ndarray, level: np.ndarray, measure: Measure
) -> tuple[np.ndarray, np.ndarray]:
    """Where each shot's quantity first passes downward through its level.

    values: (n, steps + 1), the quantity at the solver's steps; measure(state, rows) gives
    the quantity and its rate per unit of scaled time from those shots' states (4, m).
    Returns whether it passes (n,) and (x, y, vx, vy, tau) there, (5, n), NaN where it does
    not.
    """
    n = len(level)
    down = (values[:, :-1] >= level[:, None]) & (values[:, 1:] < level[:, None])
    found, step = down.any(axis=1), down.argmax(axis=1)
    at = np.full((5, n), np.nan)
    for j in np.unique(step[found]):
        rows = np.flatnonzero(found & (step == j))
        t0, t1 = sol.t[j], sol.t[j + 1]
        tau = np.full(len(rows), 0.5 * (t0 + t1))
        interpolant = sol.sol.interpolants[j]
        for _ in range(8):  # Newton on the dense output, kept inside the step
            value, rate = measure(own_states(interpolant, tau, rows, n), rows)
            tau = np.clip(tau - (value - level[rows]) / rate, t0, t1)
        at[:4, rows] = own_states(interpolant, tau, rows, n)
        at[4, rows] = tau
    return np.asarray(found), at


def own_states(interpolant: Any, tau: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """(4, m): shot rows[i]'s (x, y, vx, vy) at its own tau[i], from one step's dense output."""
    every: np.ndarray = interpolant(tau).reshape(4, n, len(rows))  # every shot at every tau
    return every[:, rows, np.arange(len(rows))]
