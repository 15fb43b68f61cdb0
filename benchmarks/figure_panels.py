"""The drawing pieces the figures share: loss surfaces over the controls and their panels.

Used by benchmarks.figures and benchmarks.descent_figures. Importing this module selects
matplotlib's Agg backend: the figures are written to files, never shown.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.contour import ContourSet
from PIL import Image
from torch import Tensor

from app.physics.vacuum import Cannon
from benchmarks.surrogate import TrainedSurrogate, control_grid

DPI = 100
GRID = 161  # points per axis of the loss surfaces
LOSS_LEVELS = np.logspace(-4, 2, 13)  # m^2, filled-contour bands of the loss
COLOURS = {"surrogate": "tab:red", "newtonian": "tab:orange", "network": "tab:cyan"}
TRUE_CURVE = {
    "color": "white",
    "ls": "--",
    "lw": 1.6,
    "path_effects": [patheffects.withStroke(linewidth=3, foreground="black")],
}
SURROGATE_CURVE = {"colors": COLOURS["surrogate"], "linewidths": 1.5}


def _minimum_curve(cannon: Cannon, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """The true solutions v = sqrt(d g / sin 2θ), NaN where beyond the velocity limit."""
    angle = np.linspace(cannon.min_angle + 1e-4, cannon.max_angle - 1e-4, 4000)
    velocity = np.sqrt(distance * cannon.gravity / np.sin(2 * angle))
    velocity[velocity > cannon.max_velocity] = np.nan
    return velocity, angle


def loss_panel(
    ax: Axes,
    cannon: Cannon,
    landing: Tensor,
    grid: tuple[Tensor, Tensor],
    distance: float,
    levels: np.ndarray = LOSS_LEVELS,
    zoomed: bool = False,
) -> ContourSet:
    """Filled log-scale contours of (landing - d)^2 with the true minimum curve on top."""
    grid_v, grid_a = grid
    loss = ((landing - distance) ** 2).clamp_min(levels[0] * 1.0001).numpy()
    filled = ax.contourf(
        grid_v.numpy(),
        grid_a.numpy(),
        loss,
        levels=levels,
        norm=LogNorm(levels[0], levels[-1]),
        cmap="viridis",
        extend="max",
    )
    curve_v, curve_a = _minimum_curve(cannon, distance)
    ax.plot(curve_v, curve_a, label="true minimum, R = d", **TRUE_CURVE)
    if zoomed:
        ax.set_xlim(grid_v.min().item(), grid_v.max().item())
        ax.set_ylim(grid_a.min().item(), grid_a.max().item())
    else:  # the whole control box
        ax.set_xlim(0, cannon.max_velocity)
        ax.set_ylim(cannon.min_angle, cannon.max_angle)
    ax.set_xlabel("velocity (m/s)")
    ax.set_ylabel("angle (rad)")
    return filled


def surrogate_curve(
    ax: Axes, grid: tuple[Tensor, Tensor], surrogate_landing: Tensor, distance: float
) -> None:
    """The surrogate's own minimum curve S(v, θ) = d."""
    ax.contour(
        grid[0].numpy(),
        grid[1].numpy(),
        surrogate_landing.numpy(),
        levels=[distance],
        **SURROGATE_CURVE,
    )
    ax.plot([], [], color=COLOURS["surrogate"], lw=1.5, label="surrogate's minimum, S = d")


def surfaces(
    cannon: Cannon, surrogate: TrainedSurrogate, grid: tuple[Tensor, Tensor] | None = None
) -> dict[str, Tensor]:
    """True and surrogate landing distances (m) over a (velocity, angle) grid."""
    grid_v, grid_a = grid if grid is not None else control_grid(cannon, GRID)
    with torch.no_grad():
        return {
            "grid_v": grid_v,
            "grid_a": grid_a,
            "true": cannon.landing_distance(grid_v, grid_a),
            "surrogate": surrogate(grid_v, grid_a),
        }


def save(fig: plt.Figure, path: Path) -> Path:
    """Write the figure as a 256-colour PNG (flat bands and lines survive; a third the size)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=DPI, format="png")
    plt.close(fig)
    buffer.seek(0)
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
        palette.save(path, format="PNG", optimize=True)
    return path
