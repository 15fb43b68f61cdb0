"""Start to ready: from spawning `cannon serve` to the first 200 from GET /readyz, which the
server gives only after both models loaded and passed their self-checks (the compiled
kernel's included).

    python -m benchmarks.startup [--runs 3]

Warm: numba's cache filled (as the container image fills it when it is built). Cold: an
empty cache (NUMBA_CACHE_DIR pointed at a new temporary directory), so the kernel compiles
before the server listens. Traffic goes to 127.0.0.1 only, to servers this starts and stops.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

from benchmarks.serving import free_port

GOAL_S = 3.0  # s, start to ready with a warm cache


def start_to_ready(extra: dict[str, str]) -> float:
    """Seconds from spawning a server to its first /readyz 200."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANNON_")}
    env |= {"CANNON_PORT": str(port), "CANNON_LOG_LEVEL": "warning", **extra}
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    return time.perf_counter() - began
            except httpx.TransportError:
                pass
            time.sleep(0.02)
    finally:
        process.terminate()
        process.wait(timeout=60)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="warm starts (default 3)")
    args = parser.parse_args(argv)
    start_to_ready({})  # fills the cache if it was empty
    warm = [start_to_ready({}) for _ in range(args.runs)]
    with tempfile.TemporaryDirectory() as empty:
        cold = start_to_ready({"NUMBA_CACHE_DIR": empty})
    results = {"warm_s": warm, "cold_s": cold, "goal_s": GOAL_S}
    print(f"start to ready, warm cache: median {statistics.median(warm):.2f} s "
          f"(runs {min(warm):.2f}-{max(warm):.2f}), goal <= {GOAL_S} s")  # fmt: skip
    print(f"start to ready, cold cache (the kernel compiles first): {cold:.2f} s")
    return results


if __name__ == "__main__":
    main()
