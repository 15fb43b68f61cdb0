"""Flight through air: quadratic drag, wind along the line of fire, launch and target heights.

Once air pushes on the shot there is no closed form, so this module simulates it, batched
and differentiable in torch. The equations (x along the line of fire, y up; metres, seconds):

    a = -g ŷ - k |v - w| (v - w),   w = (wind, 0)

with k the drag coefficient (1/m). Wind acts only through drag: with k = 0 it changes nothing.

How the landing is found without breaking gradients:
- RK4 with the same number of steps for every shot, each shot's step scaled to its own
  flight time, so short lobs and long shots are resolved alike. A first pass without
  gradients finds roughly when the shot comes down through the target's height; the second,
  differentiable pass spans just past that time.
- The landing is the first step whose end lies below the target height while its start lies at
  or above it. Inside that step the state is a cubic Hermite curve (positions and velocities
  at both ends, fourth-order accurate like RK4); a few Newton steps place the crossing on it.
  Indexing picks the step, and everything after it is tensor arithmetic, so autograd carries
  d(landing)/d(controls, conditions) through the whole flight.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from app import cancel

STEPS = 64  # RK4 steps per flight: at most about 1e-7 m off the reference (tests/test_flight.py)
NEWTON = 4  # Newton steps placing the crossing inside its step
WATCH_EVERY = 8  # RK4 steps between cancellation checkpoints, forward and backward


@dataclass(frozen=True)
class Air:
    """Conditions of each shot, tensors that broadcast against the controls."""

    launch_height: Tensor  # m above the ground, >= 0
    target_height: Tensor  # m above the ground
    wind: Tensor  # m/s along the line of fire, positive = tailwind
    drag: Tensor  # 1/m, quadratic drag coefficient k


@dataclass(frozen=True)
class Flight:
    """Where and when each shot comes down through its target's height. (N,) each."""

    landing_distance: Tensor  # m from the cannon; NaN where the shot never gets that high
    flight_time: Tensor  # s
    apex_height: Tensor  # m above the ground (of the simulated points)
    reaches: Tensor  # bool: whether the shot comes down through the target height at all


def acceleration(vx: Tensor, vy: Tensor, air: Air, gravity: float) -> tuple[Tensor, Tensor]:
    """(ax, ay) in m/s^2 for velocities (m/s) relative to the ground."""
    rx = vx - air.wind  # velocity relative to the air
    pull = air.drag * torch.sqrt(rx * rx + vy * vy)  # k |v - w|, 1/s
    return -pull * rx, -gravity - pull * vy


def rates(state: Tensor, air: Air, gravity: float) -> Tensor:
    """d/dt of the state (4, ...) = (x, y, vx, vy): (vx, vy, ax, ay)."""
    vx, vy = state[2], state[3]
    ax, ay = acceleration(vx, vy, air, gravity)
    return torch.stack((vx, vy, ax, ay))


def rk4(state: Tensor, dt: Tensor, air: Air, gravity: float) -> Tensor:
    """One classical Runge-Kutta step of the state (4, ...) by dt (s). The four components
    move as one tensor: half the operations of moving them one by one, and each operation
    costs microseconds of dispatch whatever its size."""
    half = dt / 2
    k1 = rates(state, air, gravity)
    k2 = rates(state + half * k1, air, gravity)
    k3 = rates(state + half * k2, air, gravity)
    k4 = rates(state + dt * k3, air, gravity)
    return state + dt / 6 * (k1 + 2 * (k2 + k3) + k4)


def vacuum_time(velocity: Tensor, angle: Tensor, air: Air, gravity: float) -> Tensor:
    """Time (s) a shot without air takes to come down to the target height; NaN if never."""
    up = velocity * torch.sin(angle)
    room = up * up + 2 * gravity * (air.launch_height - air.target_height)
    return (up + torch.sqrt(room)) / gravity  # sqrt of a negative: NaN


def trace(
    velocity: Tensor, angle: Tensor, air: Air, gravity: float, horizon: Tensor, steps: int
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """States at steps + 1 evenly spaced times over each shot's horizon (s).

    Shapes: velocity, angle, horizon (N,) -> x, y, vx, vy (steps + 1, N) m and m/s; dt (N,) s.
    """
    dt = horizon / steps
    zero = torch.zeros_like(velocity)
    state = torch.stack(
        (zero, zero + air.launch_height, velocity * torch.cos(angle), velocity * torch.sin(angle))
    )  # (4, N)
    states = [state]
    for i in range(steps):
        if i % WATCH_EVERY == 0:  # a large batch's pass takes seconds: stop within it
            state = cancel.watched(state)
        state = rk4(state, dt, air, gravity)
        states.append(state)
    x, y, vx, vy = torch.stack(states, dim=1)  # (4, steps + 1, N) -> 4 x (steps + 1, N)
    return x, y, vx, vy, dt


def simulate(
    velocity: Tensor, angle: Tensor, air: Air, gravity: float, steps: int = STEPS
) -> Flight:
    """Fly each shot (velocity m/s, angle rad; (N,) each) through its air to its target height."""
    velocity, angle = velocity + 0 * angle, angle + 0 * velocity  # broadcast to one shape
    with torch.no_grad():  # roughly when each shot comes down: air only shortens the ascent
        # A shot that never gets as high as the target still flies: trace its whole climb
        # and fall (the flat-ground time) so that its apex is right.
        flat = 2 * velocity * torch.sin(angle) / gravity
        rough = torch.where(torch.isnan(vt := vacuum_time(velocity, angle, air, gravity)), flat, vt)
        horizon = 2.5 * rough + 0.05
        rough_steps = max(steps // 4, 16)  # a quarter of the work: only the step is needed
        x, y, vx, vy, dt = trace(velocity, angle, air, gravity, horizon, rough_steps)
        step, found, _ = first_crossing(y, vy, dt, air.target_height)
        horizon = torch.where(found, (step + 2.0) * dt, horizon)  # a rough step to spare
    x, y, vx, vy, dt = trace(velocity, angle, air, gravity, horizon, steps)
    step, found, floor = first_crossing(y, vy, dt, air.target_height)
    fraction = crossing_fraction(y, vy, step, dt, air.target_height, floor)
    start = step.unsqueeze(0)
    x0, x1 = x.gather(0, start)[0], x.gather(0, start + 1)[0]
    vx0, vx1 = vx.gather(0, start)[0], vx.gather(0, start + 1)[0]
    landing = hermite(x0, x1, vx0 * dt, vx1 * dt, fraction)
    nan = torch.full_like(landing, torch.nan)
    return Flight(
        landing_distance=torch.where(found, landing, nan),
        flight_time=torch.where(found, (step + fraction) * dt, nan),
        apex_height=y.max(dim=0).values,
        reaches=found,
    )


def first_crossing(
    y: Tensor, vy: Tensor, dt: Tensor, height: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """The first step (N,) int64 in which the shot comes down through `height`, whether there
    is one (N,) bool, and where in that step (0..1) the search for it must start (N,).

    Usually the step goes from at or above the height to below it. But a shot that only just
    climbs to the height can rise above it and fall back between two points, both below it:
    then the step holding the apex counts when the cubic through it peaks at or above the
    height, and the search starts at that peak. Without this the landing would jump, near such
    grazing shots, from "never comes down there" straight to a decimetre further on.
    y, vy: (steps + 1, N) m and m/s; dt (N,) s."""
    down = (y[:-1] >= height) & (y[1:] < height)  # (steps, N)
    rise = (vy[:-1] > 0) & (vy[1:] <= 0)  # (steps, N): the step holding the apex
    apex = rise.int().argmax(dim=0).unsqueeze(0)
    y0, y1 = y.gather(0, apex)[0], y.gather(0, apex + 1)[0]
    m0, m1 = vy.gather(0, apex)[0] * dt, vy.gather(0, apex + 1)[0] * dt
    peak = hermite_peak(y0, y1, m0, m1).detach()
    grazes = rise.any(dim=0) & (y0 < height) & (y1 < height)
    grazes &= hermite(y0, y1, m0, m1, peak) >= height
    step = torch.where(grazes, apex[0], down.int().argmax(dim=0))
    return step, down.any(dim=0) | grazes, torch.where(grazes, peak, 0.0)


def hermite_peak(p0: Tensor, p1: Tensor, m0: Tensor, m1: Tensor) -> Tensor:
    """Where (0..1) a rising-then-falling Hermite cubic peaks: Newton on its slope."""
    s = torch.full_like(p0, 0.5)
    for _ in range(NEWTON + 2):
        curve = (12 * s - 6) * (p0 - p1) + (6 * s - 4) * m0 + (6 * s - 2) * m1
        slope = hermite_slope(p0, p1, m0, m1, s)
        s = (s - slope / torch.where(curve < 0, curve, -1.0)).clamp(0, 1)
    return s


def crossing_fraction(
    y: Tensor, vy: Tensor, step: Tensor, dt: Tensor, height: Tensor, floor: Tensor
) -> Tensor:
    """Where in its step (floor..1) each shot's Hermite curve of height passes `height`
    going down."""
    start = step.unsqueeze(0)
    y0, y1 = y.gather(0, start)[0], y.gather(0, start + 1)[0]
    m0, m1 = vy.gather(0, start)[0] * dt, vy.gather(0, start + 1)[0] * dt
    # Start from the straight line between the ends, then Newton on the cubic.
    tiny = torch.finfo(y.dtype).tiny  # 1e-300 would round to 0 in float32
    s = ((y0 - height) / (y0 - y1).clamp_min(tiny)).clamp(0, 1)
    s = torch.where(floor > 0, (floor + 1) / 2, s)  # a grazing shot: from past its peak
    for _ in range(NEWTON):
        value = hermite(y0, y1, m0, m1, s) - height
        slope = hermite_slope(y0, y1, m0, m1, s)
        s = torch.maximum((s - value / torch.where(slope.abs() > tiny, slope, -tiny)), floor)
        s = s.clamp(0, 1)
    return s


def hermite(p0: Tensor, p1: Tensor, m0: Tensor, m1: Tensor, s: Tensor) -> Tensor:
    """Cubic Hermite curve through p0 (s=0) and p1 (s=1) with slopes m0, m1 (per unit s)."""
    s2, s3 = s * s, s * s * s
    return (
        (2 * s3 - 3 * s2 + 1) * p0
        + (s3 - 2 * s2 + s) * m0
        + (-2 * s3 + 3 * s2) * p1
        + (s3 - s2) * m1
    )


def hermite_slope(p0: Tensor, p1: Tensor, m0: Tensor, m1: Tensor, s: Tensor) -> Tensor:
    """d/ds of `hermite`."""
    s2 = s * s
    return (6 * s2 - 6 * s) * (p0 - p1) + (3 * s2 - 4 * s + 1) * m0 + (3 * s2 - 2 * s) * m1
