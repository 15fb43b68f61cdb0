"""Load on a real `cannon serve` process over loopback: bounded, and stopping by itself."""

from __future__ import annotations

import asyncio
import random
import signal
import statistics
import subprocess
import time

import httpx
import pytest

REQUESTS, CONNECTIONS = 5000, 32
SLOW_BATCH = {"distances": [0.001 + i * 1e-3 for i in range(10_000)], "tolerance": 1e-6}


async def load(url: str) -> list[tuple[int, float]]:
    """REQUESTS POSTs to /aim with random targets over CONNECTIONS connections."""
    queue: asyncio.Queue[float] = asyncio.Queue()
    rng = random.Random(7)
    for _ in range(REQUESTS):
        queue.put_nowait(rng.uniform(0.01, 10.0))
    results: list[tuple[int, float]] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            distance = queue.get_nowait()
            start = time.perf_counter()
            response = await client.post("/aim", json={"distance": distance})
            status = response.status_code
            if status == 200 and response.json()["hit"] is not True:
                status = 0  # answered, but not a hit: a failure too
            results.append((status, time.perf_counter() - start))

    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONNECTIONS)))
    return results


@pytest.mark.parametrize("served", ["quiet"], indirect=True)
def test_bounded_load_has_no_errors(
    served: tuple[subprocess.Popen[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = served
    results = asyncio.run(load(url))
    latencies = sorted(seconds for _, seconds in results)
    p50, p99 = statistics.median(latencies), latencies[int(0.99 * len(latencies))]
    with capsys.disabled():  # shown in the test run, passing or not
        print(
            f"\n{REQUESTS} POST /aim at {CONNECTIONS} connections: p50 {p50 * 1e3:.1f} ms, "
            f"p99 {p99 * 1e3:.1f} ms (client side, Python client)"
        )
    assert len(results) == REQUESTS
    assert [status for status, _ in results if status != 200] == []


def test_sigterm_during_load_finishes_the_requests_in_flight(
    served: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = served

    async def slow_requests() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            sent = [
                asyncio.create_task(client.post("/aim/batch", json=SLOW_BATCH)) for _ in range(4)
            ]
            await asyncio.sleep(0.3)  # all four are in flight: each takes longer than this
            process.send_signal(signal.SIGTERM)
            return await asyncio.gather(*sent)

    responses = asyncio.run(slow_requests())
    assert [r.status_code for r in responses] == [200] * 4
    assert all(len(r.json()["solutions"]) == 10_000 for r in responses)
    assert process.wait(timeout=30) == 0
