"""Past the limit: rounds of large air batches sent at once to a fresh local server.

    python -m benchmarks.overload [--rounds 3] [--at-once 8] [--targets 10000]

Each round sends `--at-once` POST /aim/batch of `--targets` targets through drag and a
headwind at `--tolerance`, all together, and meanwhile a vacuum POST /aim every 50 ms. It
prints per round: the statuses, how long the 200s and the 429s took, the Retry-After given,
the vacuum /aim p50 and worst while the round ran, and the server's RSS after the round.
Every 200 is then landed by the batched reference (app/physics/reference.py) and must hit.

The verdict: only 200 and 429, at least one 200 a round, every 429 within 1 s, and the RSS
after each later round within 100 MB of the first's. Traffic goes to 127.0.0.1 only, to a
server this starts itself (inherited CANNON_* variables dropped) and stops at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from app.physics import reference
from benchmarks.serving import free_port, wait_until_up

GRAVITY = 9.81  # m/s^2, the server's default
VACUUM_EVERY = 0.05  # s between the vacuum /aim probes during a round
FAST_429 = 1.0  # s: a refusal slower than this was not "at once"
RSS_GROWTH = 100.0  # MB a later round may leave above the first


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.overload", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--at-once", type=int, default=8, help="batches a round (default 8)")
    parser.add_argument("--targets", type=int, default=10_000, help="targets a batch")
    parser.add_argument("--tolerance", type=float, default=1e-6, help="m (default 1e-6)")
    parser.add_argument("--drag", type=float, default=0.15, help="1/m (default 0.15)")
    parser.add_argument("--wind", type=float, default=-4.0, help="m/s (default -4)")
    parser.add_argument("--workers", type=int, help="CANNON_WORKERS (default: the server's)")
    parser.add_argument("--timeout", type=float, help="CANNON_REQUEST_TIMEOUT, s (default 10)")
    return parser.parse_args(argv)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("VmRSS")).split()[1]) / 1000


def worst_miss(targets: np.ndarray, answer: dict[str, Any], air: dict[str, float]) -> float:
    """The largest distance (m) between a target and where its answered shot lands."""
    shots = answer["solutions"]
    v, a = (np.array([shot[key] for shot in shots]) for key in ("velocity", "angle"))
    ground, wind, drag = (
        np.zeros_like(v),
        np.full_like(v, air["wind"]),
        np.full_like(v, air["drag"]),
    )
    landed = reference.landings(v, a, ground, ground, wind, drag, GRAVITY).distance
    return float(np.max(np.abs(landed - targets))) if len(shots) == len(targets) else np.inf


async def one_round(url: str, body: dict[str, Any], at_once: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=120) as client:
        done = asyncio.Event()

        async def batch() -> tuple[httpx.Response, float]:
            sent = time.monotonic()
            response = await client.post(f"{url}/aim/batch", json=body)
            return response, time.monotonic() - sent

        async def vacuum() -> list[float]:
            took = []
            while not done.is_set():
                sent = time.monotonic()
                response = await client.post(f"{url}/aim", json={"distance": 5.0})
                if response.status_code == 200:
                    took.append(time.monotonic() - sent)
                await asyncio.sleep(VACUUM_EVERY)
            return took

        probes = asyncio.ensure_future(vacuum())
        answers = await asyncio.gather(*(batch() for _ in range(at_once)))
        done.set()
        return {"answers": answers, "vacuum": await probes}


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    air = {"drag": args.drag, "wind": args.wind}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("CANNON_")}
    env.update(CANNON_PORT=str(port), CANNON_LOG_LEVEL="warning")
    if args.workers:
        env["CANNON_WORKERS"] = str(args.workers)
    if args.timeout:
        env["CANNON_REQUEST_TIMEOUT"] = str(args.timeout)
    server = subprocess.Popen([sys.executable, "-m", "app.cli.main", "serve"], env=env)
    failures: list[str] = []
    try:
        wait_until_up(url, server)
        farthest = httpx.post(f"{url}/aim", json={"distance": 1e3, **air}).json()["max_range"]
        targets = np.linspace(0.05, 0.95 * farthest, args.targets)  # m
        body = {"distances": targets.tolist(), **air, "tolerance": args.tolerance}
        print(
            f"overload: {args.rounds} rounds of {args.at_once} POST /aim/batch of {args.targets}"
            f" targets at once (drag {args.drag} 1/m, wind {args.wind} m/s, tolerance"
            f" {args.tolerance} m), a vacuum POST /aim every {VACUUM_EVERY * 1000:.0f} ms"
        )
        print(
            "| round | statuses (code:count) | 200s took (s) | 429s took (s) | Retry-After (s)"
            " | vacuum /aim p50/worst (ms) | worst miss of the 200s (m) | RSS after (MB) |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|")
        after: list[float] = []
        for number in range(1, args.rounds + 1):
            got = asyncio.run(one_round(url, body, args.at_once))
            after.append(rss_mb(server.pid))
            statuses: dict[int, int] = {}
            for response, _ in got["answers"]:
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            ok = [(r, t) for r, t in got["answers"] if r.status_code == 200]
            busy = [(r, t) for r, t in got["answers"] if r.status_code == 429]
            miss = max((worst_miss(targets, r.json(), air) for r, _ in ok), default=0.0)
            vac = [1000 * t for t in got["vacuum"]] or [float("nan")]

            def span(rows: list[tuple[httpx.Response, float]]) -> str:
                return (
                    f"{min(t for _, t in rows):.2f}-{max(t for _, t in rows):.2f}" if rows else "-"
                )

            waits = sorted({r.headers.get("retry-after", "?") for r, _ in busy}) or ["-"]
            codes = " ".join(f"{code}:{count}" for code, count in sorted(statuses.items()))
            print(
                f"| {number} | {codes} | {span(ok)} | {span(busy)} | {','.join(waits)} |"
                f" {statistics.median(vac):.1f}/{max(vac):.1f} | {miss:.2e} | {after[-1]:.0f} |"
            )
            if set(statuses) - {200, 429}:
                failures.append(f"round {number}: statuses {statuses}")
            if not ok:
                failures.append(f"round {number}: no 200")
            if any(t > FAST_429 for _, t in busy):
                failures.append(f"round {number}: a 429 took over {FAST_429} s")
            if not miss <= args.tolerance:
                failures.append(f"round {number}: a 200 misses by {miss} m")
        growth = max(after) - after[0]
        if growth > RSS_GROWTH:
            failures.append(f"RSS grew {growth:.0f} MB after the first round")
    finally:
        server.terminate()
        server.wait(timeout=30)
    for failure in failures:
        print(f"FAIL  {failure}")
    print("FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
