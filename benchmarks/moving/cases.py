"""Held-out moving targets across the envelope at the article's scale, each reachable at the
benchmark's fixed velocity by construction.

Built as the peer builds its own benchmark's cases (its benchmarks/difficulty_buckets.py,
written here, not copied): fly a real shot, then place a moving target on it. Per scene
(shared by its targets, as a request's are): the launch height (0-3 m), a horizontal wind of
at most 5 m/s from any direction, drag 0-0.2 1/m, a target velocity of at most 3 m/s and an
acceleration of at most 2 m/s^2 in any 3D direction, all uniform (seeded). Per target: the
target's height at firing within +-3 m of the launch height, a shot at VELOCITY m/s with an
elevation in the arc's band (the peer's bands: 2-38 deg low, 50-78 deg high) at any azimuth,
flown by the reference (benchmarks/moving/judge.py); where it comes down through the moving
target's height, the target is placed so that it is there then. Kept when its horizontal
distance at firing lies in (5 cm, the cannon's vacuum reach v_max^2/g] and it stays above
the ground: so every case is reachable at VELOCITY on that arc, in the envelope.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.physics.envelope import METRES as ENVELOPE  # in metres, for the default cannon
from benchmarks.moving import judge

VELOCITY = 9.0  # m/s, the fixed velocity (benchmarks/peer.py's, inside the 10 m/s cannon)
MAX_TARGET_SPEED = 3.0  # m/s
MAX_TARGET_ACCELERATION = 2.0  # m/s^2
MAX_WIND = 5.0  # m/s, horizontal
BANDS = {"low": (math.radians(2.0), math.radians(38.0)),
         "high": (math.radians(50.0), math.radians(78.0))}  # fmt: skip


@dataclass(frozen=True)
class Cases:
    """N targets in S scenes; motions[i] holds target i with its scene's air and motion."""

    arc: str
    motions: list[judge.Motion]
    scene: np.ndarray  # (N,) int, the scene of each target (targets of one scene are adjacent)
    elevation: np.ndarray  # (N,) rad, the shot each was built on (at VELOCITY)
    azimuth: np.ndarray  # (N,) rad

    @property
    def targets(self) -> np.ndarray:
        """(N, 3) m, the targets at firing."""
        return np.array([m.target for m in self.motions])

    def groups(self) -> list[np.ndarray]:
        """The targets' indices, scene by scene."""
        return [np.flatnonzero(self.scene == s) for s in np.unique(self.scene)]

    def distance(self) -> np.ndarray:
        """(N,) m, horizontal, at firing."""
        distance: np.ndarray = np.hypot(self.targets[:, 0], self.targets[:, 1])
        return distance


def in_ball(rng: np.random.Generator, radius: float, dims: int) -> list[float]:
    """A direction uniform on the sphere (circle), a magnitude uniform in [0, radius]."""
    direction = rng.normal(size=dims)
    direction /= np.linalg.norm(direction)
    return [float(x) for x in direction * rng.uniform(0.0, radius)]


def held_out(arc: str, scenes: int, per_scene: int, seed: int, gravity: float,
             reach: float) -> Cases:  # fmt: skip
    """scenes x per_scene targets reachable at VELOCITY on `arc` (see the module's docstring);
    reach: m, the farthest horizontal distance at firing kept."""
    rng = np.random.default_rng(seed)
    motions: list[judge.Motion] = []
    scene, elevation, azimuth = [], [], []
    for s in range(scenes):
        h0 = float(rng.uniform(*ENVELOPE.launch_height))
        wx, wy = in_ball(rng, MAX_WIND, 2)
        drag = float(rng.uniform(*ENVELOPE.drag))
        vx, vy, vz = in_ball(rng, MAX_TARGET_SPEED, 3)
        ax, ay, az = in_ball(rng, MAX_TARGET_ACCELERATION, 3)
        wind, velocity, acceleration = (wx, wy), (vx, vy, vz), (ax, ay, az)
        kept, tries = 0, 0
        while kept < per_scene and tries < 200 * per_scene:
            tries += 1
            z0 = max(h0 + float(rng.uniform(*ENVELOPE.height_difference)), 0.0)
            theta, phi = float(rng.uniform(*BANDS[arc])), float(rng.uniform(-math.pi, math.pi))
            probe = judge.Motion(h0, wind, drag, (0.0, 0.0, z0), velocity, acceleration)
            met = judge.intercept(VELOCITY, theta, phi, probe, gravity)
            if not math.isfinite(met.time):
                continue
            moved = judge.target_at(probe, met.time) - np.array(probe.target)  # by then
            x, y = met.point[0] - moved[0], met.point[1] - moved[1]
            if not (0.05 < math.hypot(x, y) <= reach and z0 + moved[2] >= 0.0):
                continue
            motions.append(judge.Motion(h0, wind, drag, (x, y, z0), velocity, acceleration))
            scene.append(s)
            elevation.append(theta)
            azimuth.append(phi)
            kept += 1
    return Cases(arc, motions, np.array(scene), np.array(elevation), np.array(azimuth))
