"""The `cannon` command as a user runs it: a real server process, and aiming from the shell."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import closed_form_landing, free_port

CANNON = [sys.executable, "-m", "app.cli"]


def start(env_overrides: dict[str, str]) -> subprocess.Popen[str]:
    env = {**os.environ, **env_overrides}
    return subprocess.Popen(
        [*CANNON, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    process = start({"CANNON_PORT": str(port)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.communicate()[0]
        try:
            httpx.get(f"{url}/openapi.json", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "server did not start within 60 s"
            time.sleep(0.1)
    yield process, url
    if process.poll() is None:
        process.kill()


def test_served_process_aims(served: tuple[subprocess.Popen[str], str]) -> None:
    _, url = served
    response = httpx.post(f"{url}/aim", json={"distance": 8.0, "tolerance": 1e-6})
    assert response.status_code == 200
    body = response.json()
    assert abs(closed_form_landing(body["velocity"], body["angle"]) - 8.0) <= 1e-6


def test_sigterm_stops_the_server_cleanly(served: tuple[subprocess.Popen[str], str]) -> None:
    process, _ = served
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def test_missing_model_stops_startup_with_its_name(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.safetensors"
    process = start({"CANNON_PORT": str(free_port()), "CANNON_MODEL_PATH": str(missing)})
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert str(missing.with_suffix(".json")) in output


def test_cli_aim_prints_a_verified_answer() -> None:
    result = subprocess.run(
        [*CANNON, "aim", "6.5", "--tolerance", "1e-6"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(result.stdout)
    assert answer["hit"] is True
    assert abs(closed_form_landing(answer["velocity"], answer["angle"]) - 6.5) <= 1e-6


def test_cli_aim_refuses_an_unreachable_target() -> None:
    result = subprocess.run([*CANNON, "aim", "20"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "out of reach" in result.stderr
