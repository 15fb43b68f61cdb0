"""The benchmark commands run end to end (tiny sizes) and report every figure they promise."""

from __future__ import annotations

import shutil

import pytest

from benchmarks import inline_vs_threadpool


def test_inline_vs_threadpool_reports_work_and_hop(capsys: pytest.CaptureFixture[str]) -> None:
    results = inline_vs_threadpool.main(["--samples", "20", "--seconds", "1", "--concurrency", "4"])
    work = results["work"]
    assert len(work) == 3 and all(value > 0 for value in work.values())
    if shutil.which("wrk"):
        for name in ("inline (async def), 4 conn", "threadpool (def), 4 conn"):
            assert (
                results[name]["requests/s"] > 0
                and results[name]["p99 (ms)"] >= results[name]["p50 (ms)"]
            )
        assert "inline / threadpool" in capsys.readouterr().out


def test_coroutine_runs_to_completion_without_a_loop() -> None:
    async def answer() -> int:
        return 42

    assert inline_vs_threadpool.run_to_completion(answer()) == 42
