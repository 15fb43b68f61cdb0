"""Time and size limits on what clients send, and a shutdown that ends whatever they do.

Each test first reproduces a defect an operator found (a stalled upload holding an aiming
slot, a header trickling in for ever, an 8 MB header accepted, a stalled client blocking
shutdown, /readyz still 200 while draining), on real servers: in-thread uvicorn with the
service's own protocol (tests/conftest.py `serving`), or `cannon serve` processes.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from app.config import Settings
from benchmarks.serving import free_port, wait_until_up
from tests.conftest import closed_form_landing, serving, start

READ = 1.0  # s: the read timeout of the servers here


@contextmanager
def raw(url: str) -> Iterator[socket.socket]:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    try:
        yield sock
    finally:
        sock.close()


def answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the one answer on `sock` (read until it closes)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def stalled_upload(sock: socket.socket, path: str = "/aim") -> None:
    """Headers promising a 20-byte body, then 6 bytes of it, then nothing."""
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        'Content-Length: 20\r\n\r\n{"dis'.encode()
    )


def metric(url: str, route: str, status: int) -> float:
    text = httpx.get(f"{url}/metrics").text
    label = f'cannon_requests_total{{method="POST",route="{route}",status="{status}"}}'
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(label))


@pytest.fixture(scope="module")
def tight() -> Iterator[str]:
    with serving(Settings(read_timeout=READ, max_concurrent=2)) as url:
        yield url


def test_stalled_uploads_hold_no_aiming_slot_and_get_408(tight: str) -> None:
    with raw(tight) as first, raw(tight) as second, raw(tight) as third:
        started = time.monotonic()
        for sock in (first, second, third):
            stalled_upload(sock)
        time.sleep(0.2)
        # More stalled uploads than slots: aiming still answers (it got 429 for 40 s before).
        shot = httpx.post(f"{tight}/aim", json={"distance": 5.0, "tolerance": 1e-6})
        assert shot.status_code == 200
        body = shot.json()
        assert abs(closed_form_landing(body["velocity"], body["angle"]) - 5.0) <= 1e-6
        for sock in (first, second, third):
            status, headers, content = answer(sock)
            assert status == 408 and headers["connection"] == "close"
            assert "not received within" in json.loads(content)["detail"]
        assert READ * 0.9 <= time.monotonic() - started < READ + 3
    assert metric(tight, "/aim", 408) >= 3


def test_headers_trickling_in_get_408(tight: str) -> None:
    with raw(tight) as sock:
        started = time.monotonic()
        sock.sendall(b"POST /aim HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        status, headers, content = answer(sock)
        waited = time.monotonic() - started
    assert status == 408 and headers["connection"] == "close", content
    assert "headers did not arrive" in json.loads(content)["detail"]
    assert READ * 0.9 <= waited < READ + 3


def test_a_connection_that_sends_nothing_is_closed(tight: str) -> None:
    with raw(tight) as sock:
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server, nothing sent
        assert READ * 0.9 <= time.monotonic() - started < READ + 3


@pytest.mark.parametrize("size", [20_000, 8 << 20])
def test_headers_over_the_limit_get_431(tight: str, size: int) -> None:
    with raw(tight) as sock:
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n"
        # Refused and closed before the client finished sending: read the answer anyway.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)
        status, headers, content = answer(sock)
    assert status == 431 and headers["connection"] == "close"
    assert "headers larger than the limit" in json.loads(content)["detail"]


def test_headers_under_the_limit_pass(tight: str) -> None:
    big = {"X-Padding": "a" * 10_000}
    assert httpx.get(f"{tight}/healthz", headers=big).status_code == 200


def test_a_client_gone_mid_body_is_499_not_500(tight: str) -> None:
    before = metric(tight, "/aim", 499)
    with raw(tight) as sock:
        stalled_upload(sock)
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while metric(tight, "/aim", 499) < before + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert metric(tight, "/aim", 499) == before + 1
    assert metric(tight, "/aim", 500) == 0


def test_a_body_over_the_limit_streamed_without_length_gets_413() -> None:
    with serving(Settings(max_body_bytes=1000)) as url, raw(url) as sock:
        sock.sendall(
            b"POST /aim HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + b"800\r\n" + b" " * 0x800 + b"\r\n"
        )
        status, _, content = answer(sock)
    assert status == 413 and "larger than the limit" in json.loads(content)["detail"]


def test_sigterm_drains_then_stops_within_its_grace_whatever_clients_do() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start(
        {
            "CANNON_PORT": str(port),
            "CANNON_DRAIN_SECONDS": "1.5",
            "CANNON_SHUTDOWN_GRACE": "2",
            "CANNON_READ_TIMEOUT": "60",  # the stalled client is not cut off by its read time
        }
    )
    try:
        wait_until_up(url, process)
        with raw(url) as stalled:
            stalled_upload(stalled)  # blocked shutdown for as long as it waited before
            time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            time.sleep(0.2)
            ready = httpx.get(f"{url}/readyz")
            assert ready.status_code == 503 and "draining" in ready.json()["detail"]
            assert httpx.get(f"{url}/healthz").status_code == 200  # alive: no restart
            aimed = httpx.post(f"{url}/aim", json={"distance": 3.0})  # still served
            assert aimed.status_code == 200 and aimed.json()["hit"]
            assert process.wait(timeout=15) == 0
            stopped = time.monotonic() - sent
        assert 1.5 <= stopped < 1.5 + 2 + 3, stopped  # drain + grace + a margin for exit
    finally:
        if process.poll() is None:
            process.kill()
        output, _ = process.communicate(timeout=30)
    assert "Traceback" not in output, output


def test_the_server_has_no_banner(client: httpx.Client) -> None:
    assert "server" not in client.get("/healthz").headers


def test_work_over_budget_is_cancelled_not_left_running() -> None:
    """A 504 used to leave its thread at work for seconds; now it stops at a checkpoint.
    The work: 2,000 targets just out of reach (each tried every way, the costliest kind)."""
    body = {"distances": [6.0 + 0.001 * i for i in range(2000)], "drag": 0.1, "wind": -2.0}
    with serving(Settings(request_timeout=0.3)) as url:
        response = httpx.post(f"{url}/aim/batch", json={**body, "tolerance": 1e-6}, timeout=60)
        assert response.status_code == 504
        time.sleep(0.5)
        # The slot it held is free again: the work ended within half a second of the 504.
        assert httpx.post(f"{url}/aim", json={"distance": 2.0}).status_code == 200
        assert load_of(url) == 0


def load_of(url: str) -> int:
    """Requests still at work, read from the server's own gauge of orphaned work."""
    text = httpx.get(f"{url}/metrics").text
    lines = [line for line in text.splitlines() if line.startswith("cannon_abandoned_work ")]
    return int(float(lines[0].split()[-1])) if lines else -1


def test_cannon_serve_refuses_a_busy_port_with_exit_3() -> None:
    """3, the exit code app/cli/main.py documents for an address it cannot listen on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start({"CANNON_PORT": str(port)})
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 3, output
    assert "Traceback" not in output
