"""The air benchmark and its figures run and report sane numbers (tiny sizes: correctness, not
speed)."""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest

from app.model.store import DEFAULT_AIR_WEIGHTS
from benchmarks import air, air_figures

pytestmark = pytest.mark.skipif(
    not DEFAULT_AIR_WEIGHTS.exists(), reason="models/air.safetensors not trained yet"
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    path = tmp_path_factory.mktemp("air") / "air.json"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        returned = air.main(["--quick", "--targets", "12", "--json", str(path)])
    written = json.loads(path.read_text())
    assert written["config"] == {**returned["config"]}
    return written, out.getvalue()


def test_every_reachable_target_is_hit_at_every_tolerance(
    quick_run: tuple[dict[str, Any], str],
) -> None:
    results, _ = quick_run
    config = results["config"]
    assert config["targets"] + config["conditions_unreachable"] == config["conditions_drawn"]
    assert config["targets"] >= 6
    assert set(results["pipeline"]) == set(air.TOLERANCES)
    for name, row in results["pipeline"].items():
        assert row["tolerance_m"] == air.TOLERANCES[name]
        assert row["hit_rate"] == 1.0 and row["misses"] == 0, row
        assert row["recheck_hit_rate"] == 1.0 and row["rechecked"] >= 1, row
        assert row["miss_max_m"] <= row["tolerance_m"]
        # The service's verifier (DOP853 at 1e-4 of the tolerance) against scipy's, one by one
        assert row["recheck_max_gap_m"] <= max(1e-3 * row["tolerance_m"], 1e-9)
        assert 0 <= row["iterations_mean"] <= row["iterations_max"] <= air.MAX_ITERATIONS * 3
        assert row["time_per_target_us"] > 0
    assert results["goals"]["all_hit"] is True


def test_network_alone_misses_are_finite_and_relative(
    quick_run: tuple[dict[str, Any], str],
) -> None:
    alone = quick_run[0]["network_alone"]
    for key in ("miss_median_m", "miss_p99_m", "miss_max_m", "relative_median_pct"):
        assert math.isfinite(alone[key]) and alone[key] >= 0, key
    assert alone["miss_median_m"] <= alone["miss_p99_m"] <= alone["miss_max_m"]
    assert 0 <= alone["within_0.1pct"] <= 1


def test_peers_are_slower_per_target_than_the_pipeline(
    quick_run: tuple[dict[str, Any], str],
) -> None:
    results, printed = quick_run
    modes = {(row["peer"].split()[0], row["mode"]) for row in results["peers"]}
    assert (
        modes
        == {
            ("gradient", "one at a time"),
            ("gradient", "batched"),
            ("SciPy", "one at a time"),
        }
        and len(results["peers"]) == 4
    )
    for row in results["peers"]:
        assert 0 <= row["success_rate"] <= 1 and row["steps_max"] >= 1
    for ratio in results["ratios"]:
        assert ratio["ratio"] > 1, ratio
        assert math.isclose(
            ratio["ratio"], ratio["peer_time_per_target_s"] / ratio["pipeline_time_per_target_s"]
        )
    assert "| pipeline, one batch |" in printed and "| goal | met? |" in printed


def test_figures_are_written(tmp_path: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        paths = air_figures.main(["--out", str(tmp_path)])
    names = {p.name for p in paths}
    assert names == {"air-trajectories.png", "air-loss-surface.png"}
    for path in paths:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
