"""Operations endpoints: liveness, readiness after the self-check, and the model card."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from app.aiming.vacuum import VacuumPath
from app.api.lifecycle import StartupRefused
from app.config import Settings
from app.main import create_app
from app.model.store import DEFAULT_WEIGHTS, card_path


def ready(client: httpx.Client | TestClient, timeout: float = 30) -> httpx.Response:
    """/readyz once it stops saying the self-check is running."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/readyz")
        if "running" not in response.text or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_after_the_self_check(client: httpx.Client) -> None:
    response = ready(client)
    assert response.status_code == 200
    card = json.loads(card_path(DEFAULT_WEIGHTS).read_text())
    assert response.json() == {"status": "ready", "model_version": card["version"]}


def test_model_card(client: httpx.Client) -> None:
    response = client.get("/model")
    assert response.status_code == 200
    assert response.json() == json.loads(card_path(DEFAULT_WEIGHTS).read_text())


def test_self_check_passes_with_the_shipped_model(aimer: VacuumPath) -> None:
    assert aimer.self_check() is None


def test_a_failing_self_check_refuses_to_start() -> None:
    # One refinement step cannot bring every known target within 1e-6 m: the self-check fails.
    app = create_app(Settings(max_refine_iterations=1))
    with pytest.raises(StartupRefused, match="self-check failed: target"), TestClient(app):
        pass


def test_a_failing_self_check_kept_up_never_aims() -> None:
    settings = Settings(max_refine_iterations=1, on_failed_self_check="unavailable")
    with TestClient(create_app(settings)) as client:
        for path in ("/readyz", "/healthz"):
            response = client.get(path)
            assert response.status_code == 503
            assert response.json()["detail"].startswith("self-check failed: target")
        aim = client.post("/aim", json={"distance": 5.0})
        assert aim.status_code == 503 and aim.json()["detail"][0]["type"] == "model_not_ready"
        batch = client.post("/aim/batch", json={"distances": [5.0]})
        assert batch.status_code == 503
        assert client.get("/verify?angle=0.7&velocity=8&distance=6.5").status_code == 503
