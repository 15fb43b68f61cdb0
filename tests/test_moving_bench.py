"""The moving-target benchmark against ballistic-solver runs tiny, prints every figure it
promises under both meanings of a meeting (descending, and anywhere in flight: the peer's
own), and every answer it counts as a hit is landed by the reference of the row's meaning
(correctness, not speed: the sizes are too small for the times to mean anything)."""

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
MEANINGS = ("descending", "any")


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
    assert len(rows) == 24 and {
        (r["intercept"], r["arc"], r["solver"], r["constraint"], r["tolerance_m"]) for r in rows
    } == {
        (meaning, arc, solver, how, tol)
        for meaning in MEANINGS
        for arc in ("low", "high")
        for tol in (1e-3, 1e-6)
        for solver, how in (("ballistic-solver", arc), ("cannon-aim", arc), ("cannon-aim", "free"))
    }
    assert results["config"]["intercepts"] == list(MEANINGS)
    for r in rows:
        assert r["hits"] + r["false_hits"] + r["no_answer"] == r["targets"] == 8
        assert r["hit_rate"] == r["hits"] / r["targets"]
        assert 0 < r["median_us"] <= r["p95_us"] <= r["p99_us"]  # measured, not 0
        assert r["batched_us_per_target"] > 0 and 0 <= r["batched_hit_rate"] <= 1
    for words in ("comes down through the moving target's height", "closest approach",
                  "median", "p95", "p99", "batch", "µs", "m/s", "1e-06", "free", "vs peer",
                  "judged", "reference.intercept", "reference.closest", 'meeting="any"'):  # fmt: skip
        assert words in printed
    lines = printed.splitlines()
    for meaning in MEANINGS:  # every row printed says which meaning judged it
        judged = [line for line in lines if line.split()[1:2] == [meaning]]
        assert sum("ballistic-solver" in x for x in judged) == 4
        assert sum("cannon-aim" in x for x in judged) == 8
    assert printed.count("ballistic-solver") == 8 and printed.count("cannon-aim") == 16


def test_every_hit_it_counts_is_landed_by_the_reference(ran: tuple[dict, str]) -> None:  # type: ignore[type-arg]
    """Descending rows by reference.intercept, "any" rows by reference.closest (the 3D
    closest approach, the peer's meaning), each called here directly."""
    results, _ = ran
    gravity, counted = results["config"]["gravity_m_s2"], dict.fromkeys(MEANINGS, 0)
    for kept in results["answers"]:
        tolerance, motions = kept["row"]["tolerance_m"], kept["cases"].motions
        meaning = kept["row"]["intercept"]
        judge = reference.closest if meaning == "any" else reference.intercept
        for (speed, elevation, azimuth, said), m, miss in zip(
            kept["answers"], motions, kept["miss"], strict=True
        ):
            if not (said == 1.0 and miss <= tolerance):
                continue  # not counted as a hit
            met = judge(speed, elevation, azimuth, m.target, m.velocity, m.acceleration, m.wind,
                        m.drag, m.launch_height, gravity)  # fmt: skip
            assert math.isfinite(met.miss) and met.miss <= tolerance, (meaning, met)
            counted[meaning] += 1
    assert all(n > 0 for n in counted.values()), counted


def test_ours_never_claims_a_hit_the_reference_refutes(ran: tuple[dict, str]) -> None:  # type: ignore[type-arg]
    results, _ = ran
    ours = [r for r in results["rows"] if r["solver"] == "cannon-aim"]
    assert len(ours) == 16 and {r["intercept"] for r in ours} == set(MEANINGS)
    assert all(r["false_hits"] == 0 for r in ours)


def test_one_meaning_alone_runs_only_its_rows() -> None:
    """--intercept any: only rows judged by the 3D closest approach, ours aimed anywhere in
    flight; still never a hit of ours the reference refutes (2 targets an arc)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        results = moving.main(["--scenes", "1", "--per-scene", "2", "--intercept", "any"])
    rows = results["rows"]
    assert len(rows) == 12 and {r["intercept"] for r in rows} == {"any"}
    assert results["config"]["intercepts"] == ["any"]
    assert "reference.closest" in out.getvalue() and "reference.intercept" not in out.getvalue()
    assert all(r["false_hits"] == 0 for r in rows if r["solver"] == "cannon-aim")
