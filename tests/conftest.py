"""Shared fixtures: the shipped model, the aimer, and an HTTP client on the real ASGI app."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import FastAPI

from app.aiming.vacuum import VacuumPath
from app.api.server import server as served_by
from app.config import Settings
from app.main import create_app
from app.model.network import InverseNetwork
from app.model.store import DEFAULT_WEIGHTS, cpu_model, load_model
from app.physics.vacuum import Cannon
from benchmarks.serving import free_port, wait_until_up

GRAVITY = 9.81  # m/s^2, written out again here so the oracles do not share the code's constant


def pytest_report_header() -> str:
    """float32 figures differ in the 6th digit between CPU models: say which one ran."""
    return f"cpu: {cpu_model()} ({os.cpu_count()} cores)"


def closed_form_landing(velocity: float, angle: float) -> float:
    """Independent oracle in plain floats: R = v^2 sin(2θ) / g."""
    return velocity**2 * math.sin(2 * angle) / GRAVITY


@pytest.fixture(scope="session")
def cannon() -> Cannon:
    return Cannon()


@pytest.fixture(scope="session")
def shipped() -> tuple[InverseNetwork, dict[str, object]]:
    return load_model(DEFAULT_WEIGHTS, Cannon())


@pytest.fixture(scope="session")
def aimer(shipped: tuple[InverseNetwork, dict[str, object]]) -> VacuumPath:
    network, card = shipped
    return VacuumPath(network, max_iterations=50, version=str(card["version"]))


@contextmanager
def serving(settings: Settings, app: FastAPI | None = None) -> Iterator[str]:
    """The real app with these settings (or `app`, made from them), served by the service's
    own server on a loopback port in a thread."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))  # the port stays ours from here on: no race for it
    port = listener.getsockname()[1]
    app = app or create_app(settings)
    server = served_by(app, settings.model_copy(update={"log_level": "warning"}))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The real app with default settings, for the whole session."""
    with serving(Settings()) as url:
        yield url


@pytest.fixture(scope="session")
def client(server_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server_url, timeout=30) as http:
        yield http


CANNON = [sys.executable, "-m", "app.cli.main"]


def environment(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without its CANNON_* variables (CI's own, such as
    CANNON_CONTAINER_SMOKE, would be logged by the service as ignored), plus `overrides`."""
    inherited = {k: v for k, v in os.environ.items() if not k.upper().startswith("CANNON_")}
    return {**inherited, **(overrides or {})}


def start(env_overrides: dict[str, str]) -> subprocess.Popen[str]:
    env = environment(env_overrides)
    return subprocess.Popen(
        [*CANNON, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A fresh `cannon serve` process for each test, killed if the test left it running.

    Its output goes to a pipe read only at the end: a test that sends thousands of requests
    sets `quiet` (`@pytest.mark.parametrize("served", ["quiet"], indirect=True)`), so that
    the JSON log lines do not fill the pipe and block the server.
    """
    port = free_port()
    quiet = {"CANNON_LOG_LEVEL": "warning"} if getattr(request, "param", "") == "quiet" else {}
    process = start({"CANNON_PORT": str(port), **quiet})
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process)
    yield process, url
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=30)
