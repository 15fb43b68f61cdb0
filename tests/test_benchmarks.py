"""The benchmark commands run end to end (tiny sizes) and report every figure they promise."""

from __future__ import annotations

import shutil

import pytest

from benchmarks import inline_vs_threadpool


def test_inline_vs_threadpool_reports_work_and_hop(capsys: pytest.CaptureFixture[str]) -> None:
    results = inline_vs_threadpool.main(
        ["--samples", "20", "--seconds", "1", "--rounds", "1", "--concurrency", "4"]
    )
    work = results["work"]
    assert len(work) == 4 and all(value > 0 for value in work.values())
    if shutil.which("wrk"):
        for name in ("inline (async def), 4 conn, 1e-6 m", "threadpool (def), 1 conn, 0.05 m"):
            assert (
                results[name]["requests/s"] > 0
                and results[name]["p99 (ms)"] >= results[name]["p50 (ms)"]
            )
        assert "threadpool / inline" in capsys.readouterr().out
