"""Figures for the approaches comparison (benchmarks.approaches), as small PNGs.

    python -m benchmarks.figures [--out docs/figures] [--quick]

Writes, into --out:

- loss_surfaces.png: the true loss (R(v, θ) - d)^2 and the surrogate's loss
  (surrogate(v, θ) - d)^2 over the control limits for d = 2, 5, 9 m, with the true minimum
  curve v = sqrt(d g / sin 2θ) (where it is within the limits) drawn on both;
- descent_paths.png: on those surfaces, the surrogate's gradient descent (from its fixed
  start), Newtonian gradient descent on the true loss (from a seeded random start), and the
  network's proposal followed by the Gauss-Newton refinement steps (tolerance 1e-6 m);
- trajectories.png: the shot's flight at iterations along each of those three descents,
  with the target marked;
- miss_histogram.png: true misses of every approach on the held-out set of
  benchmarks.approaches (the same `measure`, the same seeds).

Everything is computed with benchmarks.approaches and benchmarks.surrogate; this module only
draws. `--quick` runs the comparison with its --quick sizes (for tests); the committed
figures are from a full run.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
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

from app.aiming import MIN_TOLERANCE
from app.physics import Cannon
from app.refinement import refine
from benchmarks.approaches import (
    DEFAULT_SEED,
    DEFAULT_TARGETS,
    FIXED_START,
    GD_STEPS,
    HIT_THRESHOLDS,
    QUICK_GD_STEPS,
    QUICK_TARGETS,
    REFINE_STEPS,
    Benchmark,
    measure,
    newtonian_descent,
    random_starts,
    surrogate_descent,
    true_miss,
)
from benchmarks.surrogate import TrainedSurrogate, control_grid

SURFACE_TARGETS = (2.0, 5.0, 9.0)  # m
PATH_TARGETS = (5.0, 9.0)  # m
TRAJECTORY_TARGET = PATH_TARGETS[0]  # m, the flights of the first descent figure row
ZOOM = (0.12, 0.12)  # half-widths (m/s, rad) of the zoom on the solutions
ZOOM_LEVELS = np.logspace(-8, -1, 15)  # m^2
INSET_HALF_WIDTH = 0.15  # m, the trajectories' zoom on the landing
DPI = 100
GRID = 161  # points per axis of the loss surfaces
LOSS_LEVELS = np.logspace(-4, 2, 13)  # m^2, filled-contour bands of the loss
MISS_FLOOR = 1e-17  # m, exact zeros are drawn here on the log axis
COLOURS = {"surrogate": "tab:red", "newtonian": "tab:orange", "network": "tab:cyan"}


# ---------------------------------------------------------------- paths of the three descents


def _trim(path: Tensor, iterations: Tensor) -> list[np.ndarray]:
    """(steps + 1, N, 2) recorded path -> per row, its points up to where it stopped."""
    return [path[: int(k) + 1, i].numpy() for i, k in enumerate(iterations.tolist())]


def refinement_paths(
    cannon: Cannon, distance: Tensor, angle: Tensor, velocity: Tensor
) -> list[np.ndarray]:
    """Gauss-Newton steps from the given starts, one refine call per step count k (refine is
    deterministic, so k steps are the first k of k + 1). Per row: (steps + 1, 2) (v, θ)."""
    points: list[Tensor] = []
    for k in range(REFINE_STEPS + 1):
        result = refine(cannon, distance, angle, velocity, MIN_TOLERANCE, k)
        points.append(torch.stack([result.velocity, result.angle], -1))
        if bool((result.iterations < k).all()):
            break  # every row stopped before k steps: no further points
    return _trim(torch.stack(points), result.iterations)  # (K + 1, N, 2) -> rows


def descent_paths(bench: Benchmark, distance: Tensor) -> dict[str, list[np.ndarray]]:
    """Paths in (v, θ) of approaches 1-3 for each target in `distance`: the surrogate's
    descent from its fixed start, Newtonian descent from seeded random starts, and the
    network's proposal refined to 1e-6 m. Each row: (steps + 1, 2) of (velocity, angle)."""
    cannon, steps = bench.cannon, bench.gd_steps
    sur = surrogate_descent(cannon, bench.surrogate, distance, steps, record=True)
    starts = random_starts(cannon, distance.numel(), bench.seed)
    newton = newtonian_descent(cannon, distance, *starts, max_steps=steps, record=True)
    angle, velocity = bench.aimer.propose(distance)
    assert sur.path is not None and newton.path is not None
    return {
        "surrogate": _trim(sur.path, sur.iterations),
        "newtonian": _trim(newton.path, newton.iterations),
        "network": refinement_paths(cannon, distance, angle, velocity),
    }


# ---------------------------------------------------------------- drawing helpers

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


def _loss_panel(
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


def _surrogate_curve(
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


def _surfaces(
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


def surrogate_solutions_miss(
    cannon: Cannon, surrogate: TrainedSurrogate, distance: float, points: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """Along the surrogate's minimum curve S(v, θ) = d: angle (rad) and the TRUE signed miss
    R - d (m) of those shots, which the surrogate believes are exact. For each angle, the
    lowest velocity where S crosses d (linear interpolation on a fine velocity grid); NaN
    where S stays below d within the velocity limit."""
    velocity = torch.linspace(1e-6, cannon.max_velocity, 1001, dtype=torch.float64)
    angle = torch.linspace(cannon.min_angle + 1e-3, cannon.max_angle - 1e-3, points)
    angle = angle.double()
    grid_v, grid_a = torch.meshgrid(velocity, angle, indexing="ij")  # (V, A)
    with torch.no_grad():
        above = (surrogate(grid_v, grid_a) - distance).numpy()  # (V, A)
    miss = np.full(points, np.nan)
    for j in range(points):
        crossing = np.nonzero((above[:-1, j] < 0) & (above[1:, j] >= 0))[0]
        if crossing.size == 0:
            continue
        i = crossing[0]
        v0, v1 = velocity[i].item(), velocity[i + 1].item()
        f0, f1 = above[i, j], above[i + 1, j]
        v = v0 + (v1 - v0) * (-f0) / (f1 - f0)
        landing = cannon.landing_distance(torch.tensor(v, dtype=torch.float64), angle[j]).item()
        miss[j] = landing - distance
    return angle.numpy(), miss


# ---------------------------------------------------------------- the four figures


def loss_surfaces(bench: Benchmark, out: Path) -> Path:
    cannon, s = bench.cannon, _surfaces(bench.cannon, bench.surrogate)
    grid = (s["grid_v"], s["grid_a"])
    fig, axes = plt.subplots(3, 3, figsize=(11.5, 9.6), layout="constrained")
    for col, distance in enumerate(SURFACE_TARGETS):
        top, middle, bottom = axes[:, col]
        filled = _loss_panel(top, cannon, s["true"], grid, distance)
        top.set_title(f"true loss (R - d)², d = {distance:g} m", fontsize=10)
        _loss_panel(middle, cannon, s["surrogate"], grid, distance)
        _surrogate_curve(middle, grid, s["surrogate"], distance)
        middle.set_title(f"surrogate's loss (S - d)², d = {distance:g} m", fontsize=10)

        angle, miss = surrogate_solutions_miss(cannon, bench.surrogate, distance)
        bottom.axhline(0, color="k", lw=0.8)
        bottom.plot(angle, 100 * miss, color=COLOURS["surrogate"], lw=1.6)
        bottom.set_xlim(cannon.min_angle, cannon.max_angle)
        bottom.set_ylim(-30, 30)
        bottom.set_xlabel("angle (rad)")
        bottom.set_ylabel("true miss R - d (cm)")
        bottom.set_title(f"where S = d: true miss, d = {distance:g} m", fontsize=9)
        bottom.axhspan(-5, 5, color="0.85", zorder=0)
        if col > 0:
            for ax in (top, middle, bottom):
                ax.set_ylabel("")
    axes[0, 0].legend(loc="center left", fontsize=8, framealpha=0.85)
    axes[1, 0].legend(loc="center left", fontsize=8, framealpha=0.85)
    axes[2, 0].text(
        0.02, 0.04, "grey band: within 5 cm", transform=axes[2, 0].transAxes, fontsize=8
    )
    fig.colorbar(filled, ax=axes[:2, :], label="loss (m²), log scale", shrink=0.9)
    fig.suptitle(
        "Loss over the controls: true physics (top) vs the surrogate MLP (middle); bottom: "
        "where the surrogate's zero-loss curve truly lands",
        fontsize=11,
    )
    return _save(fig, out / "loss_surfaces.png")


def descent_figure(bench: Benchmark, paths: dict[str, list[np.ndarray]], out: Path) -> Path:
    """`paths`: descent_paths(bench, PATH_TARGETS)."""
    cannon = bench.cannon
    s = _surfaces(cannon, bench.surrogate)
    grid = (s["grid_v"], s["grid_a"])
    targets = torch.tensor(PATH_TARGETS, dtype=torch.float64)
    fig, axes = plt.subplots(
        len(PATH_TARGETS), 3, figsize=(14, 4.1 * len(PATH_TARGETS)), layout="constrained"
    )
    for row, distance in enumerate(PATH_TARGETS):
        sur, newton, network = (paths[k][row] for k in ("surrogate", "newtonian", "network"))
        d = targets[row : row + 1]

        def miss_at(point: np.ndarray, d: Tensor = d) -> float:
            v, a = torch.tensor(point[:1]), torch.tensor(point[1:])
            return true_miss(cannon, d, v, a).item()

        left, middle, right = axes[row]
        filled = _loss_panel(left, cannon, s["surrogate"], grid, distance)
        left.plot(sur[:, 0], sur[:, 1], "-", color=COLOURS["surrogate"], lw=2)
        left.plot(*sur[0], "o", color=COLOURS["surrogate"], mec="k", label="start")
        left.plot(
            *sur[-1],
            "X",
            color=COLOURS["surrogate"],
            mec="k",
            ms=9,
            label=f"end after {len(sur) - 1} steps",
        )
        left.set_title(f"1. descent on the surrogate's loss, d = {distance:g} m", fontsize=10)
        left.legend(loc="upper right", fontsize=8, framealpha=0.85)

        _loss_panel(middle, cannon, s["true"], grid, distance)
        middle.plot(newton[:, 0], newton[:, 1], "-", color=COLOURS["newtonian"], lw=2)
        middle.plot(*newton[0], "o", color=COLOURS["newtonian"], mec="k", label="2. random start")
        middle.plot(
            *newton[-1],
            "X",
            color=COLOURS["newtonian"],
            mec="k",
            ms=9,
            label=f"2. Newtonian GD end after {len(newton) - 1} steps",
        )
        middle.plot(
            network[:, 0],
            network[:, 1],
            "s-",
            color=COLOURS["network"],
            mec="k",
            ms=6,
            label=f"3. network proposal + {len(network) - 1} Gauss-Newton step(s)",
        )
        middle.set_title(f"2 and 3 on the true loss, d = {distance:g} m", fontsize=10)
        middle.legend(loc="lower left", fontsize=8, framealpha=0.85)

        # Zoom on the solution: the true loss near the network's final shot.
        centre_v, centre_a = network[-1]
        zoom_v = torch.linspace(centre_v - ZOOM[0], centre_v + ZOOM[0], GRID, dtype=torch.float64)
        zoom_a = torch.linspace(centre_a - ZOOM[1], centre_a + ZOOM[1], GRID, dtype=torch.float64)
        z = _surfaces(cannon, bench.surrogate, torch.meshgrid(zoom_v, zoom_a, indexing="xy"))
        zgrid = (z["grid_v"], z["grid_a"])
        zoomed = _loss_panel(right, cannon, z["true"], zgrid, distance, ZOOM_LEVELS, True)
        _surrogate_curve(right, zgrid, z["surrogate"], distance)
        right.plot(newton[:, 0], newton[:, 1], "-", color=COLOURS["newtonian"], lw=1.5)
        right.plot(
            *sur[-1],
            "X",
            color=COLOURS["surrogate"],
            mec="k",
            ms=10,
            label=f"1. surrogate's end: true miss {100 * miss_at(sur[-1]):.1f} cm",
        )
        right.plot(
            *newton[-1],
            "X",
            color=COLOURS["newtonian"],
            mec="k",
            ms=10,
            label=f"2. Newtonian end: true miss {100 * miss_at(newton[-1]):.1f} cm",
        )
        right.plot(
            network[:, 0],
            network[:, 1],
            "s-",
            color=COLOURS["network"],
            mec="k",
            ms=6,
            label=f"3. proposal miss {miss_at(network[0]):.1e} m, "
            f"refined {miss_at(network[-1]):.0e} m",
        )
        right.set_title(f"zoom on the solutions (true loss), d = {distance:g} m", fontsize=10)
        right.legend(loc="upper right", fontsize=7.5, framealpha=0.85)
        for ax in (middle, right):
            ax.set_ylabel("")
        if row < len(PATH_TARGETS) - 1:
            for ax in axes[row]:
                ax.set_xlabel("")
    fig.colorbar(filled, ax=axes[:, :2], label="loss (m²), log scale", shrink=0.85)
    fig.colorbar(zoomed, ax=axes[:, 2], label="true loss (m²), log scale (zoom)", shrink=0.85)
    fig.suptitle(
        f"Descent paths over (velocity, angle); surrogate from ({FIXED_START[0]:g} m/s, π/4 rad), "
        "Newtonian from a seeded random start, network + Gauss-Newton to 1e-6 m",
        fontsize=11,
    )
    return _save(fig, out / "descent_paths.png")


def _shown_steps(steps: int, most: int = 8) -> list[int]:
    """Up to `most` iterations from 0 to `steps`, log-spaced, always both ends."""
    if steps + 1 <= most:
        return list(range(steps + 1))
    picked = np.unique(np.round(np.geomspace(1, steps, most - 1)).astype(int))
    return [0, *picked.tolist()]


def trajectories_figure(bench: Benchmark, paths: dict[str, list[np.ndarray]], out: Path) -> Path:
    """`paths`: descent_paths(bench, PATH_TARGETS); draws those for TRAJECTORY_TARGET."""
    cannon = bench.cannon
    target = torch.tensor([TRAJECTORY_TARGET], dtype=torch.float64)
    row = PATH_TARGETS.index(TRAJECTORY_TARGET)
    titles = {
        "surrogate": "1. surrogate + gradient descent",
        "newtonian": "2. Newtonian gradient descent, random start",
        "network": "3. network proposal + Gauss-Newton",
    }
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.8), sharey=True, layout="constrained")
    highest = 0.0  # m, the highest apex drawn
    for ax, (key, title) in zip(axes, titles.items(), strict=True):
        path = paths[key][row]
        steps = _shown_steps(len(path) - 1)
        colours = plt.cm.plasma(np.linspace(0.0, 0.85, len(steps)))
        inset = ax.inset_axes((0.63, 0.08, 0.35, 0.42))
        for colour, step in zip(colours, steps, strict=True):
            v = torch.tensor([path[step, 0]], dtype=torch.float64)
            a = torch.tensor([path[step, 1]], dtype=torch.float64)
            x, y = cannon.trajectory(v[0], a[0], points=400)
            highest = max(highest, y.max().item())
            miss = true_miss(cannon, target, v, a).item()
            label = "proposal" if key == "network" and step == 0 else f"step {step}"
            label = f"{label}: miss {miss:.2g} m"
            if key == "surrogate" and step == steps[-1]:
                with torch.no_grad():
                    believed = (bench.surrogate(v, a) - target).abs().item()
                label += f"\n(surrogate believes {believed:.2g} m)"
            lw = 2.2 if step == steps[-1] else 1.2
            for axis in (ax, inset):
                axis.plot(x.numpy(), y.numpy(), color=colour, lw=lw, label=label)
        for axis in (ax, inset):
            axis.plot([TRAJECTORY_TARGET], [0], marker="v", color="k", ms=10, ls="", label="target")
            axis.axhline(0, color="0.6", lw=0.8)
        inset.set_xlim(TRAJECTORY_TARGET - INSET_HALF_WIDTH, TRAJECTORY_TARGET + INSET_HALF_WIDTH)
        inset.set_ylim(-0.02, 0.12)
        inset.set_title(f"landing, ±{100 * INSET_HALF_WIDTH:g} cm", fontsize=7, pad=2)
        inset.tick_params(labelsize=6)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("distance (m)")
        ax.set_xlim(0, cannon.max_range * 1.05)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="upper right", fontsize=6.5, framealpha=0.85)
    axes[0].set_ylabel("height (m)")
    axes[0].set_ylim(-0.2, 1.1 * highest)  # shared by all three panels
    fig.suptitle(
        f"Flights during each descent toward a target at {TRAJECTORY_TARGET:g} m "
        "(misses are true misses, from the physics)",
        fontsize=11,
    )
    return _save(fig, out / "trajectories.png")


def miss_histogram(bench: Benchmark, out: Path) -> Path:
    cannon, targets = bench.cannon, bench.targets
    bins = np.logspace(math.log10(MISS_FLOOR), 1, 73)
    outcomes = bench.outcomes
    fig, axes = plt.subplots(
        len(outcomes),
        1,
        figsize=(8.5, 1.05 * len(outcomes) + 1.2),
        sharex=True,
        layout="constrained",
    )
    for ax, outcome in zip(axes, outcomes, strict=True):
        miss = true_miss(cannon, targets, outcome.velocity, outcome.angle).numpy()
        zeros = int((miss == 0).sum())
        ax.hist(np.clip(miss, MISS_FLOOR, None), bins=bins, color="tab:blue")
        for threshold, style in zip(HIT_THRESHOLDS.values(), ("-", ":"), strict=True):
            ax.axvline(threshold, color="tab:red", ls=style, lw=1, label=f"{threshold:g} m")
        note = f" ({zeros} exact zeros at {MISS_FLOOR:g} m)" if zeros else ""
        ax.set_title(outcome.name + note, fontsize=8.5, loc="left", pad=2)
        ax.set_ylabel("targets", fontsize=8)
        ax.tick_params(labelsize=8)
    axes[0].legend(loc="upper left", fontsize=7, title="hit thresholds", title_fontsize=7)
    axes[-1].set_xscale("log")
    axes[-1].set_xlabel("true miss |R - d| (m), log scale")
    fig.suptitle(
        f"True misses on {targets.numel()} held-out targets (seed {bench.seed})", fontsize=11
    )
    return _save(fig, out / "miss_histogram.png")


def _save(fig: plt.Figure, path: Path) -> Path:
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


def main(argv: list[str] | None = None) -> list[Path]:
    """Run the comparison and write the four PNGs; return their paths."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/figures"))
    parser.add_argument("--quick", action="store_true", help="the comparison's --quick sizes")
    parser.add_argument("--targets", type=int, help="random held-out targets (histogram)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    n = args.targets or (QUICK_TARGETS if args.quick else DEFAULT_TARGETS)
    bench = measure(n, DEFAULT_SEED, QUICK_GD_STEPS if args.quick else GD_STEPS)
    paths = descent_paths(bench, torch.tensor(PATH_TARGETS, dtype=torch.float64))
    written = [
        loss_surfaces(bench, args.out),
        descent_figure(bench, paths, args.out),
        trajectories_figure(bench, paths, args.out),
        miss_histogram(bench, args.out),
    ]
    for path in written:
        print(f"{path} ({path.stat().st_size / 1024:.0f} KB)")
    return written


if __name__ == "__main__":
    main(sys.argv[1:])
