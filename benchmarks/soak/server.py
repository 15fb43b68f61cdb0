"""The soak's own server: a `cannon serve` process started, made ready, sampled from /proc
and stopped."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from benchmarks.serving import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # the soak's own server, on loopback only
START_TIMEOUT = 120.0  # s for the server to answer and be ready
STOP_TIMEOUT = 30.0  # s for the server to exit after SIGTERM, then it is killed


class ServerDied(RuntimeError):
    """The server exited during the soak."""


def die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the soak dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    output: IO[bytes]
    exit_code: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def said(self, lines: int = 20) -> str:
        """The last lines the server wrote (stdout and stderr), for a failure message."""
        self.output.seek(0)
        return "\n".join(self.output.read().decode(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def serving() -> Iterator[Server]:
    """A `cannon serve` process with default settings, ready; stopped (SIGTERM, then kill
    if it hangs) however the block ends."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("CANNON_")}
    env |= {"CANNON_HOST": HOST, "CANNON_PORT": str(port), "CANNON_LOG_LEVEL": "warning"}
    with tempfile.TemporaryFile() as output:  # not a pipe: nothing reads it while we soak
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "serve"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        server = Server(process, f"http://{HOST}:{port}", output)
        try:
            wait_until_ready(server)
            yield server
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                server.exit_code = process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                server.exit_code = None  # it had to be killed


def wait_until_ready(server: Server) -> None:
    """Until GET /readyz answers 200; raise if the server exits or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    wait_until_up(server.url, server.process, timeout=START_TIMEOUT)
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerDied(f"the server exited with {server.process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}/readyz", timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"/readyz did not answer 200 within {START_TIMEOUT:g} s")


def process_sample(pid: int) -> tuple[float, int, float]:
    """The process's resident memory (MB, 10^6 bytes, from VmRSS), its open file descriptors
    (count) and the CPU time it has used (s, user + system)."""
    with open(f"/proc/{pid}/status") as status:
        kilobytes = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # after the command, which may hold ")"
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return kilobytes * 1024 / 1e6, len(os.listdir(f"/proc/{pid}/fd")), cpu
