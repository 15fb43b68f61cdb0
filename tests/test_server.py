"""The `cannon` command as a user runs it: a real server process, and aiming from the shell."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from app.model.store import DEFAULT_SPACE_WEIGHTS, DEFAULT_WEIGHTS, card_path
from benchmarks.serving import free_port
from tests.conftest import closed_form_landing, start


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
        ({"CANNON_MAX_ANGLE": "1.5"}, "trained for"),
    ],
)
def test_bad_configuration_stops_startup_with_a_clear_message(
    env: dict[str, str], message: str
) -> None:
    process = start({"CANNON_PORT": str(free_port()), **env})
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert message in output


MODELS = {  # the setting that points at each model, and the shipped model
    "vacuum": ("CANNON_MODEL_PATH", DEFAULT_WEIGHTS),
    "3D": ("CANNON_SPACE_MODEL_PATH", DEFAULT_SPACE_WEIGHTS),
}


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize(
    "fault", ["tampered weights", "missing weights", "corrupt card", "card's sha256"]
)
def test_a_bad_model_stops_startup_before_listening(tmp_path: Path, model: str, fault: str) -> None:
    setting, shipped = MODELS[model]
    weights = tmp_path / shipped.name
    shutil.copy(shipped, weights)
    shutil.copy(card_path(shipped), card_path(weights))
    if fault == "tampered weights":
        data = bytearray(weights.read_bytes())
        data[-1] ^= 0xFF
        weights.write_bytes(bytes(data))
    elif fault == "missing weights":
        weights.unlink()
    elif fault == "corrupt card":
        card_path(weights).write_text('{"version": ')
    else:  # the weights intact, the card naming other ones
        card = json.loads(card_path(weights).read_text())
        card["weights_sha256"] = "0" * 64
        card_path(weights).write_text(json.dumps(card))
    port = free_port()
    process = start({"CANNON_PORT": str(port), setting: str(weights)})
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "cannot load the model" in output and str(tmp_path) in output
    assert "Traceback" not in output and "Uvicorn running" not in output
    if fault in ("tampered weights", "card's sha256"):
        assert "sha256" in output, output
