"""The moving-target benchmark against ballistic-solver runs tiny, prints every figure it
promises, and every answer it counts as a hit is landed by the reference (correctness, not
speed: the sizes are too small for the times to mean anything)."""

from __future__ import annotations

import contextlib
import io
import json
import math
from typing import Any

import pytest

from app.physics import reference
from benchmarks import moving

pytest.importorskip("ballistic_solver", reason="the bench extra's peer")

Ran = tuple[dict[str, Any], str]  # the figures (with every answer) and what was printed


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    out, written = io.StringIO(), tmp_path_factory.mktemp("moving") / "moving.json"
    with contextlib.redirect_stdout(out):
        results = moving.main(["--quick", "--json", str(written)])  # as docs/benchmarks.md
    assert json.loads(written.read_text())["rows"] == results["rows"]
    return results, out.getvalue()


def test_it_prints_both_solvers_side_by_side_on_both_arcs(ran: tuple[dict, str]) -> None:  # type: ignore[type-arg]
    results, printed = ran
    rows = results["rows"]
    assert {(r["arc"], r["solver"], r["constraint"], r["tolerance_m"]) for r in rows} == {
        (arc, solver, how, tol)
        for arc in ("low", "high")
        for tol in (1e-3, 1e-6)
        for solver, how in (("ballistic-solver", arc), ("cannon-aim", arc), ("cannon-aim", "free"))
    }
    for r in rows:
        assert r["hits"] + r["false_hits"] + r["no_answer"] == r["targets"] == 8
        assert r["hit_rate"] == r["hits"] / r["targets"]
        assert 0 < r["median_us"] <= r["p95_us"] <= r["p99_us"]  # measured, not 0
        assert r["batched_us_per_target"] > 0 and 0 <= r["batched_hit_rate"] <= 1
    for words in ("comes down through the moving target's height", "closest approach",
                  "median", "p95", "p99", "batch", "µs", "m/s", "1e-06", "free", "vs peer"):  # fmt: skip
        assert words in printed
    assert printed.count("ballistic-solver") == 4 and printed.count("cannon-aim") == 8


def test_every_hit_it_counts_is_landed_by_the_reference(ran: tuple[dict, str]) -> None:  # type: ignore[type-arg]
    results, _ = ran
    gravity, counted = results["config"]["gravity_m_s2"], 0
    for kept in results["answers"]:
        tolerance, motions = kept["row"]["tolerance_m"], kept["cases"].motions
        for (speed, elevation, azimuth, said), m, miss in zip(
            kept["answers"], motions, kept["miss"], strict=True
        ):
            if not (said == 1.0 and miss <= tolerance):
                continue  # not counted as a hit
            met = reference.intercept(speed, elevation, azimuth, m.target, m.velocity,
                                      m.acceleration, m.wind, m.drag, m.launch_height, gravity)  # fmt: skip
            assert math.isfinite(met.miss) and met.miss <= tolerance
            counted += 1
    assert counted > 0


def test_ours_never_claims_a_hit_the_reference_refutes(ran: tuple[dict, str]) -> None:  # type: ignore[type-arg]
    results, _ = ran
    ours = [r for r in results["rows"] if r["solver"] == "cannon-aim"]
    assert len(ours) == 8 and all(r["false_hits"] == 0 for r in ours)
