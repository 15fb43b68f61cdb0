"""Figures for aiming through air (project issue 7), as small PNGs.

    python -m benchmarks.air_figures [--out docs/figures] [--weights PATH]

Writes, into --out:

- air-trajectories.png: one target, TARGET m away, aimed by the service (`AirPath.solve`,
  free constraint, tolerance 1 mm) in five airs: a vacuum; drag only; drag and a headwind;
  drag and a tailwind; drag, from a launch height to a raised target. Each answer's flight
  is drawn by integrating it with scipy's solve_ivp (DOP853, dense output) up to where it
  comes down through the target's height; the target is marked.
- air-loss-surface.png: the loss (landing - d)^2 (m^2) over velocity (m/s) and angle (rad)
  for one target under drag and a headwind (SURFACE_AIR), the landings computed by the
  simulator (app/physics/flight.py, what gradient descent sees), with the vacuum's zero-miss curve
  v = sqrt(d g / sin 2θ), the air's own zero-miss curve, and the service's answer marked.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from scipy.integrate import solve_ivp

from app.aiming.air import AirPath, Constraint
from app.model.store import DEFAULT_AIR_WEIGHTS, load_model
from app.physics import reference
from app.physics.flight import Air, simulate
from app.physics.vacuum import Cannon

SIZE, DPI = (6.0, 3.5), 110
TARGET = 5.0  # m
TOLERANCE = 1e-3  # m
# (label, launch height m, target height m, wind m/s, drag 1/m)
AIRS = (
    ("vacuum", 0.0, 0.0, 0.0, 0.0),
    ("drag 0.05/m", 0.0, 0.0, 0.0, 0.05),
    ("drag, headwind 3 m/s", 0.0, 0.0, -3.0, 0.05),
    ("drag, tailwind 3 m/s", 0.0, 0.0, 3.0, 0.05),
    ("drag, from 1 m up to 2.5 m", 1.0, 2.5, 0.0, 0.05),
)
SURFACE_TARGET = 4.0  # m
SURFACE_AIR = (0.0, 0.0, -3.0, 0.1)  # launch height, target height, wind, drag
GRID = 120  # points per axis of the loss surface


def conditions(rows: list[tuple[float, float, float, float]]) -> Air:
    columns = zip(*rows, strict=True)
    return Air(*(torch.tensor(c, dtype=torch.float64) for c in columns))


def flight_path(
    velocity: float, angle: float, air: tuple[float, float, float, float], gravity: float
) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) m along the flight, from launch to where it comes down through the target height."""
    launch, target, wind, drag = air
    slope = reference.motion(wind, drag, gravity)

    def down(_: float, s: np.ndarray) -> float:
        return float(s[1] - target)

    down.terminal, down.direction = True, -1  # type: ignore[attr-defined]
    start = [0.0, launch, velocity * math.cos(angle), velocity * math.sin(angle)]
    sol = solve_ivp(
        slope,
        (0.0, 30.0),
        start,
        method="DOP853",
        events=down,
        dense_output=True,
        rtol=1e-10,
        atol=1e-10,
    )
    t = np.linspace(0.0, sol.t[-1], 200)
    x, y = sol.sol(t)[:2]
    return x, y


def save(figure: Figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)


def trajectories(aimer: AirPath, out: Path) -> Path:
    air = conditions([row[1:] for row in AIRS])
    distance = torch.full((len(AIRS),), TARGET, dtype=torch.float64)
    reach = aimer.reach(air, Constraint())
    assert bool(reach.holds(distance).all()), f"{TARGET} m out of reach: {reach}"
    shots = aimer.solve(distance, air, TOLERANCE, Constraint(), True)
    figure, axes = plt.subplots(figsize=(SIZE[0], SIZE[1] + 0.7))  # room for the legend below
    for i, (label, *rest) in enumerate(AIRS):
        v, a = float(shots.velocity[i]), float(shots.angle[i])
        x, y = flight_path(v, a, tuple(rest), aimer.cannon.gravity)  # type: ignore[arg-type]
        vacuum = i == 0  # drawn dashed on top: the tailwind's shot lies almost on it
        axes.plot(
            x,
            y,
            label=f"{label}: {v:.2f} m/s, {math.degrees(a):.1f}°",
            lw=1.4,
            color="black" if vacuum else None,
            ls="--" if vacuum else "-",
            zorder=3 if vacuum else 2,
        )
    for height in sorted({row[2] for row in AIRS}):
        axes.plot([TARGET], [height], marker="x", color="black", ms=8, mew=2)
    axes.axhline(0.0, color="0.6", lw=0.8)
    axes.set_xlabel("distance (m)")
    axes.set_ylabel("height (m)")
    axes.set_title(f"The service's shot at a {TARGET:g} m target (x) in five airs", fontsize=10)
    axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    axes.set_aspect("equal", adjustable="datalim")
    path = out / "air-trajectories.png"
    save(figure, path)
    return path


def loss_surface(aimer: AirPath, out: Path) -> Path:
    c = aimer.cannon
    velocity = np.linspace(0.5, c.max_velocity, GRID)
    angle = np.linspace(c.min_angle + 0.01, c.max_angle - 0.01, GRID)
    vv, aa = np.meshgrid(velocity, angle, indexing="xy")  # (angle, velocity)
    n = vv.size
    air = Air(*(torch.full((n,), x, dtype=torch.float64) for x in SURFACE_AIR))
    with torch.no_grad():
        flight = simulate(
            torch.from_numpy(vv.ravel()), torch.from_numpy(aa.ravel()), air, c.gravity
        )
    gap = (flight.landing_distance.numpy() - SURFACE_TARGET).reshape(vv.shape)
    one = conditions([SURFACE_AIR])
    shot = aimer.solve(
        torch.tensor([SURFACE_TARGET], dtype=torch.float64), one, TOLERANCE, Constraint(), True
    )
    figure, axes = plt.subplots(figsize=SIZE)
    loss = np.clip(gap**2, 1e-4, None)
    mesh = axes.pcolormesh(
        vv,
        aa,
        loss,
        norm=LogNorm(vmin=1e-4, vmax=float(np.nanmax(loss))),
        cmap="viridis",
        shading="auto",
    )
    figure.colorbar(mesh, ax=axes, label="(landing - d)² (m²)")
    axes.contour(vv, aa, gap, levels=[0.0], colors="white", linewidths=1.2)
    theta = angle[(angle > 0) & (angle < math.pi / 2)]
    vacuum_v = np.sqrt(SURFACE_TARGET * c.gravity / np.sin(2 * theta))
    inside = vacuum_v <= c.max_velocity
    axes.plot(
        vacuum_v[inside], theta[inside], "--", color="orange", lw=1.2, label="zero miss in a vacuum"
    )
    axes.plot([], [], color="white", lw=1.2, label="zero miss in this air")
    axes.plot(
        float(shot.velocity[0]),
        float(shot.angle[0]),
        marker="*",
        color="red",
        ms=12,
        ls="none",
        label="the service's answer",
    )
    _, _, wind, drag = SURFACE_AIR
    axes.set_title(
        f"Loss for a {SURFACE_TARGET:g} m target, drag {drag:g}/m, wind {wind:+g} m/s", fontsize=10
    )
    axes.set_xlabel("velocity (m/s)")
    axes.set_ylabel("angle (rad)")
    axes.legend(fontsize=7, loc="lower left", facecolor="0.85")
    path = out / "air-loss-surface.png"
    save(figure, path)
    return path


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/figures"))
    parser.add_argument("--weights", type=Path, default=DEFAULT_AIR_WEIGHTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    network, _ = load_model(args.weights, Cannon(), "air")
    aimer = AirPath(network, 50)
    paths = [trajectories(aimer, args.out), loss_surface(aimer, args.out)]
    for path in paths:
        print(path)
    return paths


if __name__ == "__main__":
    main(sys.argv[1:])
