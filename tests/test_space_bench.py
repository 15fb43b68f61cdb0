"""benchmarks/space.py runs small: every figure printed, and what it calls a hit is one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_space_benchmark_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "space.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.space", "--targets", "8", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=True,
    )  # fmt: skip
    figures = json.loads(out.read_text())
    assert len(figures["rows"]) == 12  # 2 meetings x 2 tolerances x 3 ways to hold the shot
    for row in figures["rows"]:
        assert row["false_hits"] == 0  # what it calls a hit, the reference agrees is one
        assert 0.0 <= row["hit_rate"] <= 1.0 and row["median_us"] > 0
        assert f"{row['hit_rate']:.1%}" in run.stdout
    assert "proposal alone" in run.stdout and "x" in run.stdout.split("line of fire")[1]
    assert figures["still_3d_over_2d_median"] > 0
    assert figures["moving_3d_over_still_2d_median"] > 0 and "the still 2D target" in run.stdout
