"""The 3D network's proposal for one target, compiled: app/model/network.py's
`space_features` and `aim_at`, line for line (the mirror included), on the arrays of
app/physics/kernel/model.py.

`weights` carries both networks: the air network's six arrays, then the 3D network's six
(empty when no 3D network is bound: `bound` says which).
"""

from __future__ import annotations

import math

import numpy as np

from app.physics.kernel.aim import Weights, _centred, _sigmoid
from app.physics.kernel.flight import jit
from app.physics.kernel.solve import network

FEATURES = 12


@jit
def bound(weights: Weights) -> bool:
    """Whether a 3D network is bound (its first array has rows)."""
    return bool(weights[6].shape[0] > 0)


@jit
def propose(sc: np.ndarray, limits: np.ndarray, weights: Weights) -> tuple[float, float, float]:
    """(velocity m/s, elevation rad, azimuth rad) the 3D network proposes for the target in
    `sc` (app/physics/kernel/space.SCENE)."""
    bearing = math.atan2(sc[6], sc[5])
    c, s = math.cos(bearing), math.sin(bearing)
    f = np.empty((2, FEATURES), dtype=np.float32)  # the problem, then its mirror image
    x = min(max(math.hypot(sc[5], sc[6]) / limits[14], 0.0), 1.0)
    f[0, 0], f[0, 1] = 2 * x - 1, 2 * math.sqrt(x) - 1
    f[0, 2] = _centred(sc[7] - sc[0], limits[5], limits[6])
    f[0, 3] = _centred(sc[1] * c + sc[2] * s, limits[7], limits[8])
    f[0, 4] = _centred(sc[2] * c - sc[1] * s, limits[7], limits[8])
    f[0, 5] = _centred(sc[3], limits[9], limits[10])
    for j, top in ((8, limits[15]), (11, limits[16])):  # the target's velocity, acceleration
        f[0, j - 2] = (sc[j] * c + sc[j + 1] * s) / top
        f[0, j - 1] = (sc[j + 1] * c - sc[j] * s) / top
        f[0, j] = sc[j + 2] / top
    f[1] = f[0]
    f[1, 4], f[1, 7], f[1, 10] = -f[0, 4], -f[0, 7], -f[0, 10]  # across the bearing: flipped
    out = network(f, weights[6], weights[7], weights[8], weights[9], weights[10], weights[11])
    raw = np.empty(4)  # averaged as in torch, the aim-off's sine flipped for the mirror
    raw[0], raw[1] = (out[0, 0] + out[1, 0]) / 2, (out[0, 1] + out[1, 1]) / 2
    raw[2], raw[3] = (out[0, 2] - out[1, 2]) / 2, (out[0, 3] + out[1, 3]) / 2
    amin, amax, edge, stretch = limits[2], limits[3], limits[13], limits[11]
    el = amin + (amax - amin) * min(max(_sigmoid(raw[0]), edge), 1 - edge)
    u = (1 + 2 * stretch) * _sigmoid(raw[1]) - stretch
    v = limits[1] * math.sqrt(min(max(u, limits[12]), 1.0))
    return v, el, bearing + math.atan2(raw[2], 1.0 + raw[3])


@jit
def meet_time(v: float, el: float, sc: np.ndarray) -> float:
    """A flight time (s) to size steps by: when a shot without air comes down through the
    moving target's height (a quadratic's root), or back to the muzzle's height."""
    fall = float(sc[4] + sc[13])  # g + the target's upward acceleration: > 0 in the envelope
    up = v * math.sin(el) - float(sc[10])
    room = up * up + 2 * fall * float(sc[0] - sc[7])
    if fall > 0.0 and room >= 0.0:
        return max((up + math.sqrt(room)) / fall, 1e-9)
    return max(2 * v * math.sin(el) / float(sc[4]), 1e-9)
