"""The inverse network: a target (and its air) -> launch controls (angle rad, velocity m/s).

One design for every model, configured by `NetworkConfig` (nanoGPT's one GPTConfig is the
example): a small MLP whose `inputs` say what it is told. It works in the cannon's units
(app/physics/envelope.py: lengths over v_max^2/g, speeds over v_max, drag as k v_max^2/g), so
the same weights serve any cannon with the same angle limits, each at its own scale: a
forward pass converts its inputs into those units and its velocity back to m/s.

The vacuum's model is told the distance alone, in vacuum ranges, so it sees numbers in
(0, 1]. The air model is told the distance and its air: the distance over DISTANCE_LIMIT
vacuum ranges, linear and square-rooted (the velocity grows like sqrt(distance) near zero,
where a linear input would squeeze the short shots into a sliver of the input), and the
height difference, the wind and the drag, each mapped from its envelope bounds to [-1, 1].
Physics is the same at any height, so only the height difference (target minus launch)
enters. The outputs pass through sigmoids scaled to the cannon's limits, so every proposal is
a shot the cannon can fire, by construction.

`InverseNetwork` is the torch module: training, and batches of targets. `OneTargetNetwork`
runs the vacuum's weights for a single target in numpy, because torch's dispatch costs
several microseconds per op on tiny tensors (benchmarks/speed.py measures both); the compiled
kernel runs the air model's (app/physics/kernel/). Tests hold them to each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import torch
from torch import Tensor, nn

from app.physics import ops
from app.physics.envelope import (
    ENVELOPE,
    TARGET_ACCELERATION,
    TARGET_SPEED,
    Envelope,
    Reference,
)
from app.physics.ops import Value
from app.physics.space_flight import Scene
from app.physics.vacuum import Cannon

STRETCH = 0.05  # the velocity sigmoid spans [-5%, 105%] of the energy range before clamping
MIN_ENERGY = 1e-12  # floor on (v / v_max)^2, so the velocity is never 0
EDGE = 1e-6  # keeps the angle strictly inside its open interval, even in float32


Inputs = Literal["distance", "air", "space"]
FEATURES = {"distance": 1, "air": 5, "space": 12}  # inputs the network is told
OUTPUTS = {"distance": 2, "air": 2, "space": 4}  # raw outputs: elevation, velocity (, azimuth)
# Farthest reach in the air envelope, in vacuum ranges: 1.26 (no drag, the target 0.29 of a
# vacuum range below); with margin, so inputs never saturate inside the envelope.
DISTANCE_LIMIT = 1.5
# A target moving toward the cannon can start a flight's worth of its speed farther out.
SPACE_DISTANCE_LIMIT = 2.0
# The 3D features' signs in the mirror across the bearing (what lies across it flips), and
# the raw outputs' (the aim-off's sine flips).
MIRROR = torch.tensor([1, 1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1], dtype=torch.float32)
FLIP = torch.tensor([1, 1, -1, 1], dtype=torch.float32)
SPEED_LIMIT = TARGET_SPEED / Reference.max_velocity  # the target's, over v_max
ACCELERATION_LIMIT = TARGET_ACCELERATION / Reference.gravity  # the target's, over g


@dataclass(frozen=True)
class NetworkConfig:
    hidden: int = 64  # width of each hidden layer
    layers: int = 3  # number of hidden layers
    inputs: Inputs = "distance"  # the distance alone, or the distance and its air

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


AIR = NetworkConfig(hidden=128, inputs="air")  # four inputs need more room than one
SPACE = NetworkConfig(hidden=128, layers=4, inputs="space")  # twelve inputs: a layer more


def centred(value: Tensor, bounds: tuple[float, float]) -> Tensor:
    """Map [low, high] onto [-1, 1]."""
    low, high = bounds
    return (2 * value - (low + high)) / (high - low)


class InverseNetwork(nn.Module):
    """MLP mapping targets (and their air) to (angle, velocity) inside the cannon's limits."""

    def __init__(
        self, cannon: Cannon, config: NetworkConfig | None = None, envelope: Envelope = ENVELOPE
    ) -> None:
        super().__init__()
        self.cannon = cannon
        self.config = config or NetworkConfig()
        self.envelope = envelope
        width, blocks = self.config.hidden, []
        in_features = FEATURES[self.config.inputs]
        for _ in range(self.config.layers):
            blocks += [nn.Linear(in_features, width), nn.SiLU()]
            in_features = width
        self.body = nn.Sequential(*blocks, nn.Linear(in_features, OUTPUTS[self.config.inputs]))

    def features(
        self,
        distance: Tensor,
        height_difference: Tensor | None = None,
        wind: Tensor | None = None,
        drag: Tensor | None = None,
    ) -> Tensor:
        """Inputs in the cannon's units, mapped onto [-1, 1], float32 like the weights:
        each (N,) -> (N, 1) or (N, 5)."""
        length, speed = self.cannon.max_range, self.cannon.max_velocity  # m, m/s: the units
        if self.config.inputs == "distance":
            x = (distance / length).clamp(0.0, 1.0).unsqueeze(-1)  # (N, 1)
            return (2 * x - 1).float()  # centred on 0
        assert height_difference is not None and wind is not None and drag is not None
        x = (distance / (DISTANCE_LIMIT * length)).clamp(0.0, 1.0)  # (N,)
        return torch.stack(
            [
                2 * x - 1,
                2 * x.sqrt() - 1,
                centred(height_difference / length, self.envelope.height_difference),
                centred(wind / speed, self.envelope.wind),
                centred(drag * length, self.envelope.drag),
            ],
            dim=-1,
        ).float()

    def forward(
        self,
        distance: Tensor,
        height_difference: Tensor | None = None,
        wind: Tensor | None = None,
        drag: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """distance (N,) m (and for the air model height_difference (N,) m, wind (N,) m/s,
        + tailwind, drag (N,) 1/m) -> angle (N,) rad, velocity (N,) m/s."""
        raw = self.body(self.features(distance, height_difference, wind, drag))  # (N, 2)
        return controls(self.cannon, raw[..., 0], raw[..., 1])

    def space_features(self, scene: Scene) -> Tensor:
        """The 3D model's inputs, seen from the cannon along the bearing of the target at
        firing (so only what lies across the line of sight breaks the symmetry), in the
        cannon's units and mapped onto [-1, 1]: (N, 12) float32."""
        c, e = self.cannon, self.envelope
        length, speed = c.max_range, c.max_velocity  # m, m/s: the units
        bearing = torch.atan2(scene.target[1], scene.target[0])  # (N,) rad
        x = torch.hypot(scene.target[0], scene.target[1]) / (SPACE_DISTANCE_LIMIT * length)
        x = x.clamp(0.0, 1.0)  # (N,)
        wind = turned(scene.wind, bearing)
        u, a = turned(scene.velocity, bearing), turned(scene.acceleration, bearing)
        top_u, top_a = SPEED_LIMIT * speed, ACCELERATION_LIMIT * c.gravity  # m/s, m/s^2
        return torch.stack(
            [
                2 * x - 1,
                2 * x.sqrt() - 1,
                centred((scene.target[2] - scene.launch_height) / length, e.height_difference),
                centred(wind[0] / speed, e.wind),
                centred(wind[1] / speed, e.wind),
                centred(scene.drag * length, e.drag),
                u[0] / top_u, u[1] / top_u, scene.velocity[2] / top_u,
                a[0] / top_a, a[1] / top_a, scene.acceleration[2] / top_a,
            ],
            dim=-1,
        ).float()  # fmt: skip

    def aim_at(self, scene: Scene) -> tuple[Tensor, Tensor, Tensor]:
        """The 3D model's shot at each target in `scene` ((N,) or (3, N) tensors):
        elevation (N,) rad, azimuth (N,) rad, velocity (N,) m/s. The azimuth is the target's
        bearing at firing plus an aim-off in (-pi, pi]. The problem's mirror image across the
        bearing has the mirrored answer, and the network is made to keep that exactly: it
        answers both and averages, the aim-off's sign flipped for the mirror. So where
        nothing lies across the bearing, the aim-off is exactly 0."""
        features = self.space_features(scene)  # (N, 12)
        mirrored = features * MIRROR  # the same problem seen in a mirror across the bearing
        raw = (self.body(features) + self.body(mirrored) * FLIP) / 2  # (N, 4)
        elevation, velocity = controls(self.cannon, raw[:, 0], raw[:, 1])
        bearing = torch.atan2(scene.target[1], scene.target[0])
        aim_off = torch.atan2(raw[:, 2], 1 + raw[:, 3])
        return elevation, bearing + aim_off, velocity


def turned(vector: Tensor, bearing: Tensor) -> tuple[Tensor, Tensor]:
    """A horizontal vector's components (2+, N) along and across the bearing (N,) rad."""
    c, s = torch.cos(bearing), torch.sin(bearing)
    return vector[0] * c + vector[1] * s, vector[1] * c - vector[0] * s


def controls(cannon: Cannon, raw_angle: Value, raw_velocity: Value) -> tuple[Value, Value]:
    """The network's raw outputs -> (angle rad, velocity m/s) inside the cannon's limits."""
    low, high = cannon.min_angle, cannon.max_angle
    # Clamped off the ends: in float32 a sigmoid rounds to exactly 0 or 1 past |raw| ~ 17.
    angle = low + (high - low) * ops.clamp(ops.sigmoid(raw_angle), EDGE, 1 - EDGE)
    # The velocity comes out as the energy fraction u = (v / v_max)^2, which the range is
    # linear in, through a sigmoid stretched by STRETCH at each end and clamped: the
    # full-range shot (u = 1) then needs a finite output, not an infinite one.
    u = (1 + 2 * STRETCH) * ops.sigmoid(raw_velocity) - STRETCH
    velocity = cannon.max_velocity * ops.sqrt(ops.clamp(u, MIN_ENERGY, 1.0))  # in (0, v_max]
    return angle, velocity


class OneTargetNetwork:
    """`InverseNetwork`'s forward pass for one target: numpy matrix-vector products, float32."""

    def __init__(self, network: InverseNetwork) -> None:
        self.cannon = network.cannon
        linears = [layer for layer in network.body if isinstance(layer, nn.Linear)]
        self.layers = [  # weight (out, in), bias (out,), float32 like the module's
            (layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy())
            for layer in linears
        ]

    def __call__(self, distance: float) -> tuple[float, float]:
        """distance m -> (angle rad, velocity m/s)."""
        x = min(max(distance / self.cannon.max_range, 0.0), 1.0)
        h = np.array([2 * x - 1], dtype=np.float32)  # (1,)
        for weight, bias in self.layers[:-1]:
            h = weight @ h + bias  # (hidden,)
            h = h / (1 + np.exp(-h))  # SiLU
        weight, bias = self.layers[-1]
        raw_angle, raw_velocity = (weight @ h + bias).tolist()  # (2,) -> floats
        return controls(self.cannon, raw_angle, raw_velocity)
