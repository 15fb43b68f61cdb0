"""Operations endpoints: liveness, readiness after the self-check, and the model card."""

from __future__ import annotations

import json
import time

import httpx
from fastapi.testclient import TestClient

from app.aiming import Aimer
from app.config import Settings
from app.main import create_app
from app.model_store import DEFAULT_WEIGHTS, card_path


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


def test_self_check_passes_with_the_shipped_model(aimer: Aimer) -> None:
    assert aimer.self_check() is None


def test_a_failing_self_check_keeps_the_service_unready() -> None:
    # One refinement step cannot bring every known target within 1e-6 m: the self-check fails.
    with TestClient(create_app(Settings(max_refine_iterations=1))) as client:
        response = ready(client)
        assert response.status_code == 503
        assert response.json()["detail"].startswith("self-check failed: target")
        assert client.get("/healthz").status_code == 200  # alive, just not ready
