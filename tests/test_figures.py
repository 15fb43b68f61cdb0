"""The figures command writes the four PNGs; its path helpers compute real descents."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import torch

from app.physics.vacuum import Cannon
from benchmarks import descent_figures, figure_panels, figures

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NAMES = {"loss_surfaces.png", "descent_paths.png", "trajectories.png", "miss_histogram.png"}


def test_figures_command_writes_valid_small_pngs(tmp_path: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        written = figures.main(["--quick", "--targets", "3", "--out", str(tmp_path)])
    assert {path.name for path in written} == NAMES
    for path in written:
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC) and 1_000 < len(data) < 150_000, path


def test_minimum_curve_lies_on_the_target(cannon: Cannon) -> None:
    velocity, angle = figure_panels._minimum_curve(cannon, 5.0)
    inside = ~np.isnan(velocity)
    assert inside.any() and (velocity[inside] <= cannon.max_velocity).all()
    landing = velocity[inside] ** 2 * np.sin(2 * angle[inside]) / cannon.gravity
    assert np.abs(landing - 5.0).max() < 1e-9


def test_refinement_path_ends_where_refine_does(cannon: Cannon) -> None:
    d = torch.tensor([2.0, 9.0], dtype=torch.float64)
    angle = torch.tensor([0.3, 1.2], dtype=torch.float64)
    velocity = torch.tensor([3.0, 6.0], dtype=torch.float64)
    paths = descent_figures.refinement_paths(cannon, d, angle, velocity)
    for i, path in enumerate(paths):
        assert len(path) >= 2 and np.allclose(path[0], [velocity[i].item(), angle[i].item()])
        v, a = path[-1]
        assert abs(v**2 * np.sin(2 * a) / cannon.gravity - d[i].item()) <= 1e-6


def test_shown_steps_keep_both_ends() -> None:
    assert descent_figures._shown_steps(3) == [0, 1, 2, 3]
    steps = descent_figures._shown_steps(500)
    assert steps[0] == 0 and steps[-1] == 500 and len(steps) <= 8 and steps == sorted(steps)
