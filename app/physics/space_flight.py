"""Flight in three dimensions at a moving target, batched and differentiable in torch: what
the 3D network trains through (app/training/space.py).

The equations are app/physics/flight.py's with a horizontal wind from any side (x, y
horizontal, z up; metres, seconds):

    a = -g z^ - k |v - w| (v - w),   w = (wx, wy, 0),

and a target at p + u t + a_t t^2 / 2. The shot meets the target where it comes down through
the target's height at that moment; the miss is the horizontal gap between them there. That
crossing is the 2D one of the height above the target's, r(t) = z(t) - z_target(t), whose rate
is v_z - (u_z + a_z t): the target's height is quadratic in t, so the cubic Hermite curve
through RK4's points carries it exactly, and flight.py's crossing search applies unchanged.
The compiled solver (app/physics/kernel/space.py) flies the same equations for serving.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from app.physics.flight import crossing_fraction, first_crossing, hermite

STEPS = 16  # RK4 steps per flight, as the air model's training (app/training/air.py)


@dataclass(frozen=True)
class Scene:
    """Conditions of each shot and its target, tensors (N,) or (3, N), float64."""

    launch_height: Tensor  # m above the ground
    wind: Tensor  # (2, N) m/s, horizontal
    drag: Tensor  # 1/m
    target: Tensor  # (3, N) m at firing
    velocity: Tensor  # (3, N) m/s, the target's
    acceleration: Tensor  # (3, N) m/s^2, the target's


@dataclass(frozen=True)
class Meeting:
    """Where each shot comes down through its target's height. (N,) or (2, N)."""

    miss: Tensor  # (2, N) m: the shot minus the target, horizontally, at that moment
    time: Tensor  # s after firing
    reaches: Tensor  # bool: whether it comes down through the target's height at all
    shortfall: Tensor  # m: how far below the target's height it stays at best (0 if not)


def rates(state: Tensor, scene: Scene, gravity: float) -> Tensor:
    """d/dt of the state (6, N) = (x, y, z, vx, vy, vz)."""
    rx, ry, vz = state[3] - scene.wind[0], state[4] - scene.wind[1], state[5]
    pull = scene.drag * torch.sqrt(rx * rx + ry * ry + vz * vz)  # k |v - w|, 1/s
    return torch.stack((state[3], state[4], vz, -pull * rx, -pull * ry, -gravity - pull * vz))


def trace(
    velocity: Tensor, elevation: Tensor, azimuth: Tensor, scene: Scene, gravity: float,
    horizon: Tensor, steps: int,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    """States (6, steps + 1, N) at evenly spaced times over each horizon (s), and dt (N,)."""
    dt = horizon / steps
    flat = velocity * torch.cos(elevation)
    zero = torch.zeros_like(velocity)
    state = torch.stack(
        (
            zero, zero, zero + scene.launch_height,
            flat * torch.cos(azimuth), flat * torch.sin(azimuth), velocity * torch.sin(elevation),
        )
    )  # fmt: skip
    states, half = [state], dt / 2
    for _ in range(steps):
        k1 = rates(state, scene, gravity)
        k2 = rates(state + half * k1, scene, gravity)
        k3 = rates(state + half * k2, scene, gravity)
        k4 = rates(state + dt * k3, scene, gravity)
        state = state + dt / 6 * (k1 + 2 * (k2 + k3) + k4)
        states.append(state)
    return torch.stack(states, dim=1), dt


def above_target(states: Tensor, dt: Tensor, scene: Scene) -> tuple[Tensor, Tensor]:
    """The height above the target's (steps + 1, N) m and its rate (m/s)."""
    t = torch.arange(states.shape[1], dtype=dt.dtype).unsqueeze(1) * dt  # (steps + 1, N)
    z = scene.target[2] + scene.velocity[2] * t + scene.acceleration[2] * t * t / 2
    return states[2] - z, states[5] - (scene.velocity[2] + scene.acceleration[2] * t)


def rough_time(velocity: Tensor, elevation: Tensor, scene: Scene, gravity: float) -> Tensor:
    """When a shot without air would come down through the moving target's height (s): the
    root of a quadratic; the flat-ground time where it has none."""
    fall = gravity + scene.acceleration[2]  # > 0: the target accelerates less than g
    up = velocity * torch.sin(elevation) - scene.velocity[2]
    room = up * up + 2 * fall * (scene.launch_height - scene.target[2])
    t = (up + torch.sqrt(room.clamp_min(0.0))) / fall
    return torch.where(room >= 0, t, 2 * velocity * torch.sin(elevation) / gravity)


def simulate(
    velocity: Tensor, elevation: Tensor, azimuth: Tensor, scene: Scene, gravity: float,
    steps: int = STEPS,
) -> Meeting:  # fmt: skip
    """Fly each shot (m/s, rad, rad; (N,) each) to where it comes down through its target's
    height; as flight.simulate, a rough pass without gradients first finds the step."""
    with torch.no_grad():
        horizon = 2.5 * rough_time(velocity, elevation, scene, gravity) + 0.05
        states, dt = trace(velocity, elevation, azimuth, scene, gravity, horizon, steps)
        r, rate = above_target(states, dt, scene)
        step, found, _ = first_crossing(r, rate, dt, torch.zeros_like(dt))
        horizon = torch.where(found, (step + 2.0) * dt, horizon)  # a rough step to spare
    states, dt = trace(velocity, elevation, azimuth, scene, gravity, horizon, steps)
    r, rate = above_target(states, dt, scene)
    zero = torch.zeros_like(dt)
    step, found, floor = first_crossing(r, rate, dt, zero)
    fraction = crossing_fraction(r, rate, step, dt, zero, floor)
    start = step.unsqueeze(0)
    time = (step + fraction) * dt
    miss = []
    for axis in range(2):
        p, v = states[axis], states[3 + axis]
        p0, p1 = p.gather(0, start)[0], p.gather(0, start + 1)[0]
        m0, m1 = v.gather(0, start)[0] * dt, v.gather(0, start + 1)[0] * dt
        there = scene.target[axis] + scene.velocity[axis] * time
        miss.append(
            hermite(p0, p1, m0, m1, fraction) - there - scene.acceleration[axis] * time**2 / 2
        )
    return Meeting(
        miss=torch.stack(miss),
        time=time,
        reaches=found,
        shortfall=(-r.max(dim=0).values).clamp_min(0.0),
    )
