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

Everything is computed with benchmarks.approaches, benchmarks.descents and
benchmarks.surrogate; this module and the two it draws with (benchmarks.figure_panels, the
shared pieces; benchmarks.descent_figures, the descents' two figures) only draw. `--quick`
runs the comparison with its --quick sizes (for tests); the committed figures are from a
full run.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from app.physics.vacuum import Cannon
from benchmarks.approaches import (
    DEFAULT_SEED,
    DEFAULT_TARGETS,
    QUICK_GD_STEPS,
    QUICK_TARGETS,
    Benchmark,
    measure,
)
from benchmarks.approaches_report import HIT_THRESHOLDS
from benchmarks.descent_figures import (
    PATH_TARGETS,
    descent_figure,
    descent_paths,
    trajectories_figure,
)
from benchmarks.descents import GD_STEPS, true_miss
from benchmarks.figure_panels import COLOURS, loss_panel, save, surfaces, surrogate_curve
from benchmarks.surrogate import TrainedSurrogate

SURFACE_TARGETS = (2.0, 5.0, 9.0)  # m
MISS_FLOOR = 1e-17  # m, exact zeros are drawn here on the log axis


# ---------------------------------------------------------------- the loss surfaces and the misses


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


def loss_surfaces(bench: Benchmark, out: Path) -> Path:
    cannon, s = bench.cannon, surfaces(bench.cannon, bench.surrogate)
    grid = (s["grid_v"], s["grid_a"])
    fig, axes = plt.subplots(3, 3, figsize=(11.5, 9.6), layout="constrained")
    for col, distance in enumerate(SURFACE_TARGETS):
        top, middle, bottom = axes[:, col]
        filled = loss_panel(top, cannon, s["true"], grid, distance)
        top.set_title(f"true loss (R - d)², d = {distance:g} m", fontsize=10)
        loss_panel(middle, cannon, s["surrogate"], grid, distance)
        surrogate_curve(middle, grid, s["surrogate"], distance)
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
    return save(fig, out / "loss_surfaces.png")


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
    return save(fig, out / "miss_histogram.png")


# ---------------------------------------------------------------- the command


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
