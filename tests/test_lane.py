"""Heavy work a core at a time (app/api/lane.py): the estimate it learns, its admission and
order in process, then overload on a real server: every answer a verified 200 or a fast 429,
never a 504, and memory that does not grow round after round."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from app import reference
from app.api import lane as lanes
from app.api.lane import Busy, Cost, Lane
from tests.conftest import GRAVITY
from tests.test_faults import max_air_range, serving

# --- in process ---------------------------------------------------------------------------


def test_the_estimate_learns_the_cost_of_work_from_its_prior() -> None:
    cost = Cost()
    prior = cost.estimate(10_000)
    assert prior == pytest.approx(lanes.PRIOR[1][1], rel=0.05)
    for _ in range(30):  # a machine twice as slow, with a base of 0.2 s
        for targets in (1, 500, 4_000):
            cost.observe(targets, 0.2 + 0.001 * targets)
    assert cost.estimate(1) == pytest.approx(0.201, rel=0.05)
    assert cost.estimate(10_000) == pytest.approx(10.2, rel=0.05)
    for _ in range(30):  # then only one size: still a sensible rate
        cost.observe(2_000, 1.0)
    assert cost.estimate(2_000) == pytest.approx(1.0, rel=0.05)


def test_admission_order_and_leaving() -> None:
    async def scenario() -> None:
        lane = Lane(workers=1)
        lane.cost = Cost()
        each = lane.cost.estimate(1_000)  # s, what every job here is estimated to take
        now = time.monotonic()
        first = await lane.enter(1_000, deadline=now + 0.1)  # a free worker: always starts
        assert lane.running == [first]
        # Behind it, one that could end in time waits; one that could not is refused at
        # once, told to come back when the worker should be free.
        roomy = now + 10 * each
        second = asyncio.ensure_future(lane.enter(1_000, deadline=roomy))
        await asyncio.sleep(0)
        assert len(lane.waiting) == 1
        with pytest.raises(Busy) as refused:
            await lane.enter(1_000, deadline=now + 1.5 * each)
        assert refused.value.retry_after >= 1 and "could not end" in str(refused.value)
        # A waiting job whose client left gives up its place; the next one moves up.
        third = asyncio.ensure_future(lane.enter(1_000, deadline=roomy))
        await asyncio.sleep(0)
        second.cancel()
        await asyncio.sleep(0)
        assert len(lane.waiting) == 1 and second.cancelled()
        lane.leave(first, finished=False)  # gave up: teaches the estimate nothing
        job = await asyncio.wait_for(third, 1)
        assert lane.running == [job] and not lane.waiting
        assert lane.cost.estimate(1_000) == each
        lane.leave(job, finished=True)
        assert lane.cost.estimate(1_000) != each and not lane.running

    asyncio.run(scenario())


def test_a_turn_that_comes_as_its_request_stops_waiting_goes_to_the_next() -> None:
    async def scenario() -> None:
        lane = Lane(workers=1)
        roomy = time.monotonic() + 60
        first = await lane.enter(1, deadline=roomy)
        second = asyncio.ensure_future(lane.enter(1, deadline=roomy))
        third = asyncio.ensure_future(lane.enter(1, deadline=roomy))
        await asyncio.sleep(0)
        second.cancel()  # its request is cancelled, and before it has left the queue...
        lane.leave(first)  # ...the worker frees: the turn must go to the third
        job = await asyncio.wait_for(third, 1)
        await asyncio.gather(second, return_exceptions=True)
        assert second.cancelled() and lane.running == [job] and not lane.waiting

    asyncio.run(scenario())


def test_the_lane_runs_its_work_on_the_same_few_threads() -> None:
    lane = Lane(workers=2)
    assert isinstance(lane.threads, ThreadPoolExecutor)
    names = {
        lane.threads.submit(lambda: threading.current_thread().name).result() for _ in range(20)
    }
    assert 1 <= len(names) <= 2 and all(n.startswith("cannon-heavy") for n in names)


# --- on a real server ----------------------------------------------------------------------

AIR = {"drag": 0.15, "wind": -4.0}
ROUNDS, AT_ONCE = 3, 6


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("VmRSS")).split()[1]) / 1000


def misses(targets: list[float], answer: dict[str, Any]) -> np.ndarray:
    """How far (m) each answered shot lands from its target, by the batched reference."""
    shots = answer["solutions"]
    assert len(shots) == len(targets) and all(shot["hit"] for shot in shots)
    v, a = (np.array([shot[key] for shot in shots]) for key in ("velocity", "angle"))
    landed = reference.landings(v, a, 0.0, 0.0, AIR["wind"], AIR["drag"], GRAVITY).distance
    return np.abs(landed - np.array(targets))


def test_overload_gets_verified_answers_or_fast_429s_and_memory_stays_flat() -> None:
    """One worker, a 5 s budget, rounds of six air batches at once that take about 1.5 s each
    here: some are answered, the rest refused at once; none runs into its 504."""
    env = {"CANNON_WORKERS": "1", "CANNON_REQUEST_TIMEOUT": "5", "CANNON_LOG_LEVEL": "warning"}
    with serving(env) as server:
        url = server.url
        farthest = max_air_range(url, AIR)
        targets = [0.05 + i * (0.95 * farthest - 0.05) / 4_999 for i in range(5_000)]
        body = {"distances": targets, **AIR, "tolerance": 1e-3}
        for _ in range(2):  # the estimate learns this machine's cost first
            assert httpx.post(f"{url}/aim/batch", json=body, timeout=30).status_code == 200

        async def one(client: httpx.AsyncClient) -> tuple[httpx.Response, float]:
            sent = time.monotonic()
            response = await client.post(f"{url}/aim/batch", json=body)
            return response, time.monotonic() - sent

        async def round_of_requests() -> list[tuple[httpx.Response, float]]:
            async with httpx.AsyncClient(timeout=30) as client:
                return await asyncio.gather(*(one(client) for _ in range(AT_ONCE)))

        after_rounds = []
        for _ in range(ROUNDS):
            answers = asyncio.run(round_of_requests())
            statuses = sorted(response.status_code for response, _ in answers)
            assert set(statuses) <= {200, 429} and statuses[0] == 200, statuses
            assert 429 in statuses, f"six at once on one worker within 5 s: {statuses}"
            for response, took in answers:
                if response.status_code == 429:
                    assert took < 1.0, f"a 429 after {took:.2f} s is not at once"
                    assert int(response.headers["retry-after"]) >= 1
                    assert "busy" in response.json()["detail"]
                else:
                    assert misses(targets, response.json()).max() <= 1e-3
            after_rounds.append(rss_mb(server.process.pid))
        assert max(after_rounds) - after_rounds[0] < 100, f"RSS after each round {after_rounds} MB"
