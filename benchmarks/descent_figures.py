"""The descents of approaches 1-3 as figures: their paths over (velocity, angle) on the loss
surfaces, and the shot's flight along each of them (descent_paths.png, trajectories.png).

The paths are computed with benchmarks.descents and app.aiming.refinement, from the same starts
as benchmarks.approaches; benchmarks.figures writes these figures with the others.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import Tensor

from app.aiming.refinement import refine
from app.aiming.vacuum import MIN_TOLERANCE
from app.physics.vacuum import Cannon
from benchmarks.approaches import REFINE_STEPS, Benchmark
from benchmarks.descents import (
    FIXED_START,
    newtonian_descent,
    random_starts,
    surrogate_descent,
    true_miss,
)
from benchmarks.figure_panels import COLOURS, GRID, loss_panel, save, surfaces, surrogate_curve

PATH_TARGETS = (5.0, 9.0)  # m
TRAJECTORY_TARGET = PATH_TARGETS[0]  # m, the flights of the first descent figure row
ZOOM = (0.12, 0.12)  # half-widths (m/s, rad) of the zoom on the solutions
ZOOM_LEVELS = np.logspace(-8, -1, 15)  # m^2
INSET_HALF_WIDTH = 0.15  # m, the trajectories' zoom on the landing


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


# ---------------------------------------------------------------- the two figures


def descent_figure(bench: Benchmark, paths: dict[str, list[np.ndarray]], out: Path) -> Path:
    """`paths`: descent_paths(bench, PATH_TARGETS)."""
    cannon = bench.cannon
    s = surfaces(cannon, bench.surrogate)
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
        filled = loss_panel(left, cannon, s["surrogate"], grid, distance)
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

        loss_panel(middle, cannon, s["true"], grid, distance)
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
        z = surfaces(cannon, bench.surrogate, torch.meshgrid(zoom_v, zoom_a, indexing="xy"))
        zgrid = (z["grid_v"], z["grid_a"])
        zoomed = loss_panel(right, cannon, z["true"], zgrid, distance, ZOOM_LEVELS, True)
        surrogate_curve(right, zgrid, z["surrogate"], distance)
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
    return save(fig, out / "descent_paths.png")


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
    return save(fig, out / "trajectories.png")
