"""The `cannon` command as a user runs it: a real server process, and aiming from the shell."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from app.model_store import DEFAULT_WEIGHTS, card_path
from benchmarks.serving import free_port
from tests.conftest import CANNON, closed_form_landing, start


def test_served_process_aims(served: tuple[subprocess.Popen[str], str]) -> None:
    _, url = served
    response = httpx.post(f"{url}/aim", json={"distance": 8.0, "tolerance": 1e-6})
    assert response.status_code == 200
    body = response.json()
    assert abs(closed_form_landing(body["velocity"], body["angle"]) - 8.0) <= 1e-6


def test_sigterm_stops_the_server_cleanly(served: tuple[subprocess.Popen[str], str]) -> None:
    process, url = served
    assert httpx.post(f"{url}/aim", json={"distance": 2.0}).status_code == 200
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


@pytest.mark.parametrize(
    "env, message",
    [
        ({"CANNON_MODEL_PATH": "/nowhere/model.safetensors"}, "/nowhere/model.json"),
        ({"CANNON_MIN_ANGLE": "1.0"}, "angle limits"),
        ({"CANNON_MAX_VELOCITY": "12"}, "trained for"),
    ],
)
def test_bad_configuration_stops_startup_with_a_clear_message(
    env: dict[str, str], message: str
) -> None:
    process = start({"CANNON_PORT": str(free_port()), **env})
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert message in output


@pytest.mark.parametrize("fault", ["tampered weights", "missing weights", "corrupt card"])
def test_a_bad_model_stops_startup_before_listening(tmp_path: Path, fault: str) -> None:
    weights = tmp_path / "inverse.safetensors"
    shutil.copy(DEFAULT_WEIGHTS, weights)
    shutil.copy(card_path(DEFAULT_WEIGHTS), card_path(weights))
    if fault == "tampered weights":
        data = bytearray(weights.read_bytes())
        data[-1] ^= 0xFF
        weights.write_bytes(bytes(data))
    elif fault == "missing weights":
        weights.unlink()
    else:
        card_path(weights).write_text('{"version": ')
    port = free_port()
    process = start({"CANNON_PORT": str(port), "CANNON_MODEL_PATH": str(weights)})
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "cannot load the model" in output and str(tmp_path) in output
    assert "Traceback" not in output and "Uvicorn running" not in output


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


@pytest.mark.parametrize(
    "args, message", [(["20"], "out of reach"), (["5", "--tolerance", "-1"], "at least 1e-06 m")]
)
def test_cli_aim_refuses_bad_requests(args: list[str], message: str) -> None:
    result = subprocess.run([*CANNON, "aim", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert message in result.stderr


def test_cli_reads_the_default_tolerance_from_settings() -> None:
    env = {**os.environ, "CANNON_DEFAULT_TOLERANCE": "1e-6"}
    result = subprocess.run(
        [*CANNON, "aim", "3.3"], capture_output=True, text=True, timeout=60, check=True, env=env
    )
    assert json.loads(result.stdout)["tolerance"] == 1e-6
