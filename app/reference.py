"""The reference a flight through air is checked against: analytic where a closed form exists
(no drag: a vacuum, with any launch and target heights), otherwise scipy's solve_ivp (DOP853,
tolerances 1e-12) with a landing event. One shot at a time, in float64: slow and exact, the
opposite of app/flight.py, which it is independent of."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

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

    def slope(_: float, s: np.ndarray) -> list[float]:
        rx, vy = s[2] - wind, s[3]
        pull = drag * math.hypot(rx, vy)
        return [s[2], s[3], -pull * rx, -gravity - pull * vy]

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
    if len(result.t_events[0]) == 0:
        return Landing(math.nan, math.nan, highest)
    return Landing(float(result.y_events[0][0][0]), float(result.t_events[0][0]), highest)
