"""The benchmarks run end to end (tiny sizes) and report every figure they promise."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from benchmarks import speed
from benchmarks.wrk import wrk_load


def test_noop_endpoints_do_no_aiming() -> None:
    with TestClient(speed.benchmark_app()) as client:
        assert client.post("/noop", json={"distance": 5.0}).json() == {}
        answer = client.post("/noop/aim", json={"distance": 5.0}).json()
        assert answer == speed.FIXED_SHOT.model_dump()
        assert client.post("/noop/aim", json={"distance": "x"}).status_code == 422
        assert client.post("/aim", json={"distance": 5.0}).json()["hit"] is True


def test_scripts_send_valid_requests() -> None:
    assert '"distance": %.9f' in speed.random_aim_script("/aim")
    body = speed.batch_script(5).split("[[", 1)[1].rsplit("]]", 1)[0]
    distances = json.loads(body)["distances"]
    assert len(distances) == 5 and all(0 < d <= 10.19 for d in distances)


def test_speed_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "speed.json"
    results = speed.main(["--quick", "--samples", "20", "--batch", "50", "--json", str(out)])
    work = results["in_process"]
    assert len(work) == 6 and all(value > 0 for value in work.values())
    assert json.loads(out.read_text()) == json.loads(json.dumps(results))
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed: the HTTP half was skipped")
    assert set(results["http"]) == {
        "/noop, 1 conn",
        "/noop/aim, 1 conn",
        "/aim, 1 conn",
        "/noop, 32 conn",
        "/noop/aim, 32 conn",
        "/aim, 32 conn",
        "/aim through air, 1 conn",
        "/aim/batch of 50, 1 conn",
    }
    for row in results["http"].values():
        assert row["requests/s"] > 0 and row["p99 (ms)"] >= row["p50 (ms)"] > 0
    assert set(results["ratios"]) >= set(speed.GOALS)
    printed = capsys.readouterr().out
    assert "goal <= 1.3x" in printed and "/aim through air p50 / /aim p50" in printed


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:80",
        "http://example.com",
        "http://localhost.example.com",
        "http://127.0.0.1@example.com",
        "http://[2001:db8::1]:80",
    ],
)
def test_load_goes_to_loopback_only(url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        wrk_load(url, "", 1, 1)


def test_light_reports_every_figure() -> None:
    """benchmarks/light.py: each entry point's median seconds beside its floors, one run."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.light", "--runs", "1"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    rows = {line[:34].strip(): line[34:].split() for line in result.stdout.splitlines()[1:-1]}
    assert set(rows) == {
        "empty interpreter", "import pydantic (BaseModel)", "import cannon_client",
        "import app.main (the server)", "cannon --help", "cannon --version",
        "cannon aim 7.5 --url",
    }  # fmt: skip
    assert all(float(row[0]) > 0 for row in rows.values()), result.stdout
    assert "the server's import over the client's" in result.stdout
