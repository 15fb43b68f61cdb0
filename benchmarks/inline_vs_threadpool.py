"""Should /aim compute inline on the event loop (`async def`) or in the threadpool (`def`)?

Measures, in one run on this machine:
1. the work itself: `Aimer.aim` at the default tolerance (network + verify) and at 1e-6 m
   (network + verify + refinement), no HTTP;
2. one round trip through the threadpool, the price a `def` handler pays per request;
3. POST /aim served by uvicorn both ways, the same handler code, under wrk's load (when wrk
   is installed), the two servers loaded in turn for a few alternating rounds so that drift
   in the machine's load hits both alike: loopback only, a fixed number of seconds each.

    python -m benchmarks.inline_vs_threadpool [--seconds 5] [--rounds 3] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import torch
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from app.aiming import Aimer, check_shot
from app.api import routes
from app.api.deps import AimerDep, SettingsDep
from app.api.schemas import AimRequest, AimResponse
from app.api.strict import StrictRoute
from app.config import get_settings
from app.main import create_app
from app.model_store import load_model
from benchmarks.serving import free_port, wait_until_up


def inline_app() -> FastAPI:
    """The service with /aim as an `async def`, which runs on the event loop."""

    async def aim(body: AimRequest, aimer: AimerDep, settings: SettingsDep) -> AimResponse:
        return routes.aim(body, aimer, settings)

    app = create_app()
    app.router.routes = [
        r for r in app.router.routes if not (isinstance(r, APIRoute) and r.path == "/aim")
    ]
    app.router.add_api_route(
        "/aim", aim, methods=["POST"], response_model=AimResponse, route_class_override=StrictRoute
    )
    return app


def work_cost(samples: int) -> dict[str, float]:
    """Median microseconds of each answer's work without HTTP."""
    settings = get_settings()
    torch.set_num_threads(settings.torch_threads)
    network, _ = load_model(settings.model_path, settings.cannon())
    aimer = Aimer(network, settings.max_refine_iterations)
    rng = torch.Generator().manual_seed(0)
    targets = (torch.rand(samples, generator=rng) * aimer.cannon.max_range).tolist()
    jobs: dict[str, Callable[[float], object]] = {
        "/aim at tolerance 0.05 m (µs)": lambda d: aimer.aim(d, 0.05),
        "/aim at tolerance 1e-6 m (µs)": lambda d: aimer.aim(d, 1e-6),
        "/verify (µs)": lambda d: check_shot(aimer.cannon, 0.7, 9.0, d, 0.05),
    }
    cost = {}
    for name, job in jobs.items():
        times = []
        for distance in targets:
            start = time.perf_counter()
            job(distance)
            times.append(time.perf_counter() - start)
        cost[name] = statistics.median(times) * 1e6
    return cost


async def threadpool_hop(samples: int) -> float:
    """Median microseconds of one round trip through the threadpool a `def` handler takes."""
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        await run_in_threadpool(lambda: None)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


WRK_SCRIPT = """wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
"""
BODIES = {  # the default tolerance (no refinement) and 1e-6 m (refinement every time)
    "0.05 m": '{"distance": 5.3}',
    "1e-6 m": '{"distance": 5.3, "tolerance": 1e-6}',
}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk_load(url: str, seconds: int, connections: int, body: str) -> dict[str, float]:
    """POST /aim with wrk for `seconds` at `connections`: p50 and p99 in ms, requests/s."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT.replace("{body}", body))
        script.flush()
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"{url}/aim",
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = {q: re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)$", output, re.M) for q in ("50", "99")}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None or any(m is None for m in latency.values()) or "Non-2xx" in output:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    row = {f"p{q} (ms)": float(m.group(1)) * UNITS[m.group(2)] for q, m in latency.items() if m}
    return {**row, "requests/s": float(rate.group(1))}


def serve(target: str, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command)


SERVERS = {
    "threadpool (def)": "app.main:create_app",
    "inline (async def)": "benchmarks.inline_vs_threadpool:inline_app",
}


def compare_servers(
    seconds: int, levels: list[tuple[int, str]], rounds: int
) -> dict[str, dict[str, float]]:
    """Both servers up, loaded one at a time, alternating, `rounds` times; medians per level.

    A level is (connections, tolerance name in BODIES).
    """
    urls, processes = {}, []
    try:
        for name, target in SERVERS.items():
            port = free_port()
            processes.append(serve(target, port))
            urls[name] = f"http://127.0.0.1:{port}"
            wait_until_up(urls[name], processes[-1])
        runs: dict[str, list[dict[str, float]]] = {}
        for _ in range(rounds):
            for connections, tolerance in levels:
                for name, url in urls.items():
                    row = wrk_load(url, seconds, connections, BODIES[tolerance])
                    runs.setdefault(f"{name}, {connections} conn, {tolerance}", []).append(row)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    return {
        key: {k: statistics.median(run[k] for run in rows) for k in rows[0]}
        for key, rows in runs.items()
    }


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000, help="timed calls without HTTP")
    parser.add_argument("--seconds", type=int, default=5, help="of wrk load per run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating runs per server and level"
    )
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)

    work = work_cost(args.samples)
    work["threadpool round trip (µs)"] = asyncio.run(threadpool_hop(args.samples))
    print("| measurement | median |\n|---|---|")
    for key, value in work.items():
        print(f"| {key} | {value:.0f} |")
    results: dict[str, dict[str, float]] = {"work": work}
    if shutil.which("wrk") is None:
        print("wrk not found (apt-get install wrk): HTTP comparison skipped", file=sys.stderr)
        return results

    levels = [(1, "0.05 m"), (args.concurrency, "0.05 m"), (args.concurrency, "1e-6 m")]
    results |= compare_servers(args.seconds, levels, args.rounds)
    print(f"\nPOST /aim, medians of {args.rounds} alternating runs of {args.seconds} s each")
    print(
        "| server, connections, tolerance | p50 (ms) | p99 (ms) | requests/s |\n|---|---|---|---|"
    )
    for name, row in results.items():
        if name != "work":
            print(
                f"| {name} | {row['p50 (ms)']:.2f} | {row['p99 (ms)']:.2f} | {row['requests/s']:.0f} |"
            )
    for connections, tolerance in levels:
        pool = results[f"threadpool (def), {connections} conn, {tolerance}"]["requests/s"]
        inline = results[f"inline (async def), {connections} conn, {tolerance}"]["requests/s"]
        print(
            f"requests/s threadpool / inline, {connections} conn, tolerance {tolerance}: {pool / inline:.2f}x"
        )
    return results


if __name__ == "__main__":
    main()
