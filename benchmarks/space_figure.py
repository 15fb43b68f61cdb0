"""The figure of aiming in three dimensions (issue 13), as a small PNG.

    python -m benchmarks.space_figure [--out docs/figures]

Writes space-crosswind.png into --out: one shot from above and from the side, through a
crosswind and drag, meeting a target that moves while it flies. The shot is aimed by the
service's engine (`Engine.aim_at` with the shipped models, free: the lowest velocity, tolerance
1 mm) and flown by the reference, scipy's solve_ivp (DOP853 at 1e-12) on the equations of
app/physics/reference_space.py, to where the reference says it comes down through the
target's height (`reference.intercept`); the script stops with an error if that misses by more
than the tolerance. Beside it, dashed, the same velocity and elevation fired straight at the
target's bearing at firing (no lead, no aim-off), to show what the aim-off is for.
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
from matplotlib.axes import Axes
from scipy.integrate import solve_ivp

from app.aiming.engine import Engine
from app.aiming.space import Scene
from app.config import Settings
from app.physics import reference

SIZE, DPI = (10.0, 4.4), 110
TOLERANCE = 1e-3  # m
TARGET = (4.5, 0.0, 0.5)  # m at firing: straight down +x, half a metre up
SCENE = Scene(
    launch_height=0.0,  # m
    wind=(0.0, -4.0),  # m/s: a crosswind from the left of the line of fire
    drag=0.08,  # 1/m
    target_velocity=(0.0, 1.5, 0.0),  # m/s: running to the left
    target_acceleration=(-0.3, 0.0, 0.0),  # m/s^2
)
SHOT, NAIVE, TARGET_COLOUR, MARK = "#0550ae", "0.55", "#1a7f37", "#bc4c00"


def fly(
    velocity: float, angle: float, azimuth: float, scene: Scene, gravity: float, until: float
) -> np.ndarray:
    """The shot's (x, y, z) m at 300 times from launch to `until` s, by solve_ivp."""
    wx, wy = scene.wind

    def slope(_: float, s: np.ndarray) -> list[float]:
        rx, ry, vz = s[3] - wx, s[4] - wy, s[5]
        pull = scene.drag * math.sqrt(rx * rx + ry * ry + vz * vz)
        return [s[3], s[4], s[5], -pull * rx, -pull * ry, -gravity - pull * vz]

    c = math.cos(angle)
    start = [0.0, 0.0, scene.launch_height]
    start += [velocity * c * math.cos(azimuth), velocity * c * math.sin(azimuth)]
    start += [velocity * math.sin(angle)]
    times = np.linspace(0.0, until, 300)
    kw = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-12}
    solved = solve_ivp(slope, (0.0, until), start, t_eval=times, **kw)
    positions: np.ndarray = solved.y[:3]
    return positions


def landed(velocity: float, angle: float, azimuth: float, gravity: float) -> reference.Intercept:
    return reference.intercept(
        velocity,
        angle,
        azimuth,
        TARGET,
        SCENE.target_velocity,
        SCENE.target_acceleration,
        SCENE.wind,
        SCENE.drag,
        SCENE.launch_height,
        gravity,
    )


def target_at(times: np.ndarray) -> np.ndarray:
    p, u, a = (
        np.array(v)[:, None] for v in (TARGET, SCENE.target_velocity, SCENE.target_acceleration)
    )
    path: np.ndarray = p + u * times + 0.5 * a * times**2
    return path


def from_above(
    axes: Axes, shot: np.ndarray, naive: np.ndarray, moving: np.ndarray, azimuth: float
) -> None:
    bearing = math.atan2(TARGET[1], TARGET[0])
    reach = 1.05 * math.hypot(*shot[:2, -1])
    axes.plot(
        [0, TARGET[0]], [0, TARGET[1]], color="0.4", lw=0.9, ls=":", label="bearing at firing"
    )
    axes.plot(
        [0, reach * math.cos(azimuth)],
        [0, reach * math.sin(azimuth)],
        color=SHOT,
        lw=0.9,
        ls="--",
        alpha=0.6,
        label="azimuth fired",
    )
    arc = np.linspace(bearing, azimuth, 40)
    axes.plot(1.2 * np.cos(arc), 1.2 * np.sin(arc), color=MARK, lw=1.5)
    off = math.degrees(azimuth - bearing)
    middle = (bearing + azimuth) / 2
    axes.annotate(
        f"aim-off {off:.1f}°",
        (1.35 * math.cos(middle), 1.35 * math.sin(middle)),
        fontsize=8,
        color=MARK,
        va="center",
    )
    axes.plot(naive[0], naive[1], color=NAIVE, lw=1.2, ls="--", label="fired at the bearing")
    axes.plot(shot[0], shot[1], color=SHOT, lw=1.8, label="the service's shot")
    axes.plot(
        moving[0], moving[1], color=TARGET_COLOUR, lw=1.5, ls=(0, (4, 2)), label="the target's path"
    )
    axes.plot(
        *TARGET[:2], marker="^", color=TARGET_COLOUR, ms=8, ls="none", label="the target at firing"
    )
    axes.plot(
        shot[0, -1],
        shot[1, -1],
        marker="o",
        mfc="white",
        mec=MARK,
        mew=2,
        ms=8,
        ls="none",
        label="intercept",
    )
    axes.plot(0, 0, marker="s", color="black", ms=6)
    wx, wy = SCENE.wind
    axes.annotate(
        "",
        xy=(0.4, 1.9 + 0.1 * wy),
        xytext=(0.4, 1.9),
        arrowprops={"arrowstyle": "->", "color": "0.3"},
    )
    axes.annotate(f"wind {math.hypot(wx, wy):g} m/s", (0.5, 1.8), fontsize=8, color="0.3")
    axes.set_xlabel("x (m)")
    axes.set_ylabel("y (m)")
    axes.set_title("From above", fontsize=10)
    xs, ys = (
        np.concatenate([shot[0], naive[0], moving[0]]),
        np.concatenate([shot[1], naive[1], moving[1], [2.0]]),
    )
    axes.set_xlim(min(0.0, xs.min()) - 0.3, xs.max() + 0.3)
    axes.set_ylim(ys.min() - 0.3, ys.max() + 0.3)
    axes.set_aspect("equal", adjustable="box")
    axes.grid(color="0.92")


def from_side(axes: Axes, shot: np.ndarray, naive: np.ndarray, moving: np.ndarray) -> None:
    axes.plot(np.hypot(naive[0], naive[1]), naive[2], color=NAIVE, lw=1.2, ls="--")
    axes.plot(np.hypot(shot[0], shot[1]), shot[2], color=SHOT, lw=1.8)
    axes.plot(
        np.hypot(moving[0], moving[1]), moving[2], color=TARGET_COLOUR, lw=1.5, ls=(0, (4, 2))
    )
    axes.plot(math.hypot(*TARGET[:2]), TARGET[2], marker="^", color=TARGET_COLOUR, ms=8)
    end = shot[:, -1]
    axes.plot(math.hypot(end[0], end[1]), end[2], marker="o", mfc="white", mec=MARK, mew=2, ms=8)
    axes.plot(0, SCENE.launch_height, marker="s", color="black", ms=6)
    axes.axhline(0.0, color="#6e4b2a", lw=1.5)
    axes.set_xlabel("horizontal distance from the cannon (m)")
    axes.set_ylabel("height (m)")
    axes.set_title("From the side", fontsize=10)
    axes.set_aspect("equal", adjustable="box")
    axes.grid(color="0.92")


def figure(engine: Engine, out: Path) -> Path:
    gravity = engine.air.cannon.gravity
    answer = engine.aim_at([TARGET], SCENE, tolerance=TOLERANCE).row(0)
    velocity, angle, azimuth = answer["velocity"], answer["angle"], answer["azimuth"]
    truth = landed(velocity, angle, azimuth, gravity)
    if not truth.miss <= TOLERANCE:  # the figure shows only a shot the reference lands
        raise SystemExit(f"the reference misses the aimed shot by {truth.miss} m: {answer}")
    shot = fly(velocity, angle, azimuth, SCENE, gravity, truth.time)
    bearing = math.atan2(TARGET[1], TARGET[0])
    straight = landed(velocity, angle, bearing, gravity)
    naive = fly(velocity, angle, bearing, SCENE, gravity, straight.time)
    moving = target_at(np.linspace(0.0, truth.time, 100))
    fig, (top, side) = plt.subplots(1, 2, figsize=SIZE, gridspec_kw={"width_ratios": [1.1, 1]})
    from_above(top, shot, naive, moving, azimuth)
    from_side(side, shot, naive, moving)
    fig.legend(
        *top.get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=8, frameon=False
    )
    fig.suptitle(
        f"A target running left at {SCENE.target_velocity[1]:g} m/s, through a "
        f"{abs(SCENE.wind[1]):g} m/s crosswind and drag {SCENE.drag:g} 1/m, aimed by the engine: "
        f"azimuth {math.degrees(azimuth):.2f}°, elevation {math.degrees(angle):.2f}°, "
        f"{velocity:.3f} m/s.\nFlown by the reference (scipy DOP853): met after "
        f"{truth.time:.3f} s, {truth.miss:.1e} m from the target (tolerance {TOLERANCE:g} m).",
        fontsize=9,
    )
    path = out / "space-crosswind.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout(rect=(0, 0.1, 1, 1))  # room for the legend below
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/figures"))
    args = parser.parse_args(argv)
    path = figure(Engine.load(Settings()), args.out)
    print(path)
    return path


if __name__ == "__main__":
    main(sys.argv[1:])
