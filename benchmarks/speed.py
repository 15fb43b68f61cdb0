"""How fast the service is, measured against the floor of its own stack, in one run.

    python -m benchmarks.speed [--seconds 2] [--rounds 7] [--quick] [--json PATH]

In process, one core (torch.set_num_threads(1)):
- one target, proposed and verified: the numpy path /aim uses, and torch's for comparison;
- one target refined to 1e-6 m, and one round trip through the threadpool;
- 10,000 targets, proposed and verified (no refinement needed) by `VacuumPath.solve`, and the
  whole /aim/batch answer including its JSON.

Over HTTP (needs wrk: `apt-get install wrk`): one uvicorn process serves the service plus two
no-op endpoints, the floor of this stack, on the same machine in the same run:
- POST /noop: a bare FastAPI endpoint that ignores the body and returns `{}`;
- POST /noop/aim: /aim's contract without the aiming: the same request model, dependencies
  and response model, answering a fixed shot.
The no-ops are matched first, ahead of the docs routes and /aim, which only favours them. wrk
loads one endpoint at a time with random targets, the endpoints alternating in each of
`--rounds` rounds so that drift in the machine's speed hits all alike; every run lasts
`--seconds` and goes to 127.0.0.1 only. Printed: p50, p99 and requests/s (medians over
rounds) and the ratios the project aims for, each taken within a round (both sides measured
seconds apart) and given as the median and range over the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import torch
from fastapi import Body, FastAPI
from fastapi.concurrency import run_in_threadpool

from app.aiming.vacuum import VacuumPath
from app.api.answers import vacuum_batch
from app.api.deps import AimerDep, SettingsDep
from app.api.schemas import AimRequest, AimResponse
from app.api.strict import StrictRoute
from app.config import get_settings
from app.main import create_app
from app.model.store import load_model
from benchmarks.serving import free_port, wait_until_up
from benchmarks.wrk import wrk_load

BATCH = 10_000  # targets in the batch measurements
GOALS = {  # the project's speed goals, as ratios measured in the same run
    "aim_p50_over_noop": 1.3,  # at most
    "aim_rps_over_noop_32": 0.7,  # at least
    "batch_per_target_over_aim": 0.01,  # at most
    "air_aim_p50_over_aim": 2.0,  # at most: through air as fast as in a vacuum, nearly
}
FIXED_SHOT = AimResponse(
    distance=7.5,
    angle=0.7854,
    angle_degrees=45.0,
    velocity=8.58,
    landing_distance=7.5,
    miss=0.0,
    tolerance=0.05,
    hit=True,
    flight_time=1.2368,
    apex_height=1.8761,
    refined=False,
    iterations=0,
    model_version="noop",
)


def benchmark_app() -> FastAPI:
    """The service with the two no-op endpoints ahead of all its routes."""

    async def noop() -> dict[str, str]:
        return {}

    async def noop_aim(
        body: Annotated[AimRequest, Body()], aimer: AimerDep, settings: SettingsDep
    ) -> AimResponse:
        return FIXED_SHOT

    app = create_app()
    app.router.add_api_route("/noop", noop, methods=["POST"])
    app.router.add_api_route(
        "/noop/aim",
        noop_aim,
        methods=["POST"],
        response_model=AimResponse,
        route_class_override=StrictRoute,
    )
    app.router.routes[0:0] = [app.router.routes.pop(), app.router.routes.pop()]  # matched first
    return app


def median_us(job: Callable[[float], object], targets: list[float]) -> float:
    times = []
    for distance in targets:
        start = time.perf_counter()
        job(distance)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def median_ms(job: Callable[[], object], runs: int) -> float:
    job()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


async def threadpool_hop(samples: int) -> float:
    """Median µs of one round trip through the threadpool."""
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        await run_in_threadpool(lambda: None)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def in_process(samples: int, runs: int) -> dict[str, float]:
    """The work without HTTP, on one core."""
    settings = get_settings()
    torch.set_num_threads(1)
    network, card = load_model(settings.model_path, settings.cannon())
    aimer = VacuumPath(network, settings.max_refine_iterations, card["version"])
    rng = torch.Generator().manual_seed(0)
    targets = (torch.rand(samples, generator=rng, dtype=torch.float64) * 10.19).tolist()
    batch = torch.rand(BATCH, generator=rng, dtype=torch.float64) * aimer.cannon.max_range

    def torch_path(d: float) -> object:
        return aimer.solve(torch.tensor([d], dtype=torch.float64), 0.05, False)

    return {
        "one target, propose + verify, numpy path (µs)": median_us(
            lambda d: aimer.propose_one(d, 0.05), targets
        ),
        "one target, propose + verify, torch path (µs)": median_us(torch_path, targets),
        "one target refined to 1e-6 m (µs)": median_us(lambda d: aimer.aim(d, 1e-6), targets),
        "threadpool round trip (µs)": asyncio.run(threadpool_hop(samples)),
        f"{BATCH:,} targets, propose + verify (ms)": median_ms(
            lambda: aimer.solve(batch, 0.05, False), runs
        ),
        f"{BATCH:,} targets, whole /aim/batch answer with JSON (ms)": median_ms(
            lambda: vacuum_batch(aimer, batch.tolist(), 0.05, True), runs
        ),
    }


def random_aim_script(path: str) -> str:
    """wrk script: POST a random target in (0, 10] m each request."""
    return f"""wrk.method = "POST"
wrk.path = "{path}"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(1)
request = function()
  return wrk.format(nil, nil, nil, string.format('{{"distance": %.9f}}', 1e-3 + math.random() * 10))
end
"""


AIR = '"drag": 0.1, "wind": -3.0, "launch_height": 1.5'  # reach 4.99 m in this air


def random_air_script() -> str:
    """wrk script: POST /aim through AIR at a random target in [0.5, 4.5] m each request."""
    return f"""wrk.method = "POST"
wrk.path = "/aim"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(1)
request = function()
  return wrk.format(nil, nil, nil,
    string.format('{{"distance": %.9f, {AIR}}}', 0.5 + math.random() * 4))
end
"""


def batch_script(size: int) -> str:
    """wrk script: POST one fixed batch of `size` random targets each request."""
    rng = torch.Generator().manual_seed(1)
    distances = (torch.rand(size, generator=rng, dtype=torch.float64) * 10.19).tolist()
    body = json.dumps({"distances": distances})
    return f"""wrk.method = "POST"
wrk.path = "/aim/batch"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
"""


def serve(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "benchmarks.speed:benchmark_app", "--factory"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    # The app still writes its JSON line per request, as in production; to /dev/null here.
    return subprocess.Popen(command, stderr=subprocess.DEVNULL)


Runs = dict[str, list[dict[str, float]]]  # endpoint and connections -> one row per round


def over_http(seconds: int, rounds: int, connections: int, batch: int) -> Runs:
    """wrk against each endpoint in turn, alternating, `rounds` times: every round's figures."""
    runs: Runs = {}
    loads = [
        (f"{path}, {c} conn", random_aim_script(path), c)
        for c in (1, connections)
        for path in ("/noop", "/noop/aim", "/aim")
    ]
    loads.append(("/aim through air, 1 conn", random_air_script(), 1))
    loads.append((f"/aim/batch of {batch:,}, 1 conn", batch_script(batch), 1))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = serve(port)
    try:
        wait_until_up(url, process)
        for _ in range(rounds):
            for name, script, conns in loads:
                runs.setdefault(name, []).append(wrk_load(url, script, seconds, conns))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return runs


def medians(runs: Runs) -> dict[str, dict[str, float]]:
    return {
        name: {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        for name, rows in runs.items()
    }


def ratios(runs: Runs, connections: int, batch: int) -> dict[str, list[float]]:
    """Each ratio within each round, so that both sides of it were measured close in time."""
    per_round: dict[str, list[float]] = {}
    for r in range(len(runs["/aim, 1 conn"])):

        def at(name: str, key: str, r: int = r) -> float:
            return runs[name][r][key]

        aim_p50 = at("/aim, 1 conn", "p50 (ms)")
        aim_rps = at(f"/aim, {connections} conn", "requests/s")
        round_ratios = {
            "aim_p50_over_noop": aim_p50 / at("/noop, 1 conn", "p50 (ms)"),
            "aim_p50_over_noop_aim": aim_p50 / at("/noop/aim, 1 conn", "p50 (ms)"),
            "aim_rps_over_noop_32": aim_rps / at(f"/noop, {connections} conn", "requests/s"),
            "aim_rps_over_noop_aim_32": aim_rps
            / at(f"/noop/aim, {connections} conn", "requests/s"),
            "batch_per_target_over_aim": at(f"/aim/batch of {batch:,}, 1 conn", "p50 (ms)")
            / batch
            / aim_p50,
            "air_aim_p50_over_aim": at("/aim through air, 1 conn", "p50 (ms)") / aim_p50,
        }
        for key, value in round_ratios.items():
            per_round.setdefault(key, []).append(value)
    return per_round


def spread(values: list[float], scale: float = 1.0, unit: str = "x") -> str:
    """'median (min-max)' of a ratio over the rounds."""
    low, mid, high = (scale * v for v in (min(values), statistics.median(values), max(values)))
    return f"{mid:.2f}{unit} (rounds {low:.2f}-{high:.2f})"


def report(results: dict[str, Any], connections: int) -> None:
    print("| in process, one core | median |\n|---|---|")
    for key, value in results["in_process"].items():
        print(f"| {key} | {value:,.1f} |")
    if "http" not in results:
        return
    print("\n| POST, over HTTP (median of rounds) | p50 (ms) | p99 (ms) | requests/s |")
    print("|---|---|---|---|")
    for name, row in results["http"].items():
        print(
            f"| {name} | {row['p50 (ms)']:.3f} | {row['p99 (ms)']:.3f} | {row['requests/s']:,.0f} |"
        )
    r, goal = results["ratios"], GOALS
    print(
        f"\n/aim p50 / /noop p50, 1 conn: {spread(r['aim_p50_over_noop'])}, "
        f"goal <= {goal['aim_p50_over_noop']}x; / /noop/aim: {spread(r['aim_p50_over_noop_aim'])}"
    )
    print(
        f"/aim requests/s / /noop, {connections} conn: {spread(r['aim_rps_over_noop_32'])}, "
        f"goal >= {goal['aim_rps_over_noop_32']}x; / /noop/aim: "
        f"{spread(r['aim_rps_over_noop_aim_32'])}"
    )
    print(
        f"/aim/batch p50 per target / /aim p50: {spread(r['batch_per_target_over_aim'], 100, '%')}, "
        f"goal <= {100 * goal['batch_per_target_over_aim']:.0f}%"
    )
    print(
        f"/aim through air p50 / /aim p50, 1 conn: {spread(r['air_aim_p50_over_aim'])}, "
        f"goal <= {goal['air_aim_p50_over_aim']}x"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2, help="of wrk load per run")
    parser.add_argument("--rounds", type=int, default=7, help="alternating runs per endpoint")
    parser.add_argument("--connections", type=int, default=32, help="for the throughput runs")
    parser.add_argument("--samples", type=int, default=2000, help="timed one-target calls")
    parser.add_argument("--batch", type=int, default=BATCH, help="targets per batch request")
    parser.add_argument("--quick", action="store_true", help="1 s runs, 1 round, few samples")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.samples = 1, 1, 200

    results: dict[str, Any] = {"in_process": in_process(args.samples, runs=5 * args.rounds)}
    if shutil.which("wrk") is None:
        print("wrk not found (apt-get install wrk): HTTP figures skipped", file=sys.stderr)
    else:
        runs = over_http(args.seconds, args.rounds, args.connections, args.batch)
        results |= {
            "http": medians(runs),
            "ratios": ratios(runs, args.connections, args.batch),
            "rounds": runs,
        }
    report(results, args.connections)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


if __name__ == "__main__":
    main()
