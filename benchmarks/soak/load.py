"""The soak itself: the load, offered at its fixed pace, and the watch beside it (probes,
the server alive, a row at every interval)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from typing import Any

import httpx
import numpy as np

from benchmarks.soak.report import Bucket, Record, cells, line_of, row_of
from benchmarks.soak.server import Server, ServerDied, process_sample
from benchmarks.soak.traffic import IN_FLIGHT, LATE, PROBES, TIMEOUT, Call, make_call, schedule


async def send(client: httpx.AsyncClient, call: Call, record: Record) -> None:
    """Send one request, time it (s, to the whole answer read), check it, record it."""
    start = time.perf_counter()
    try:
        answer = await client.request(call.method, call.path, json=call.body, params=call.params)
    except httpx.HTTPError as error:
        record.add(call.kind, f"error({type(error).__name__})", None, None)
        return
    seconds = time.perf_counter() - start
    problem = None
    if answer.status_code == 200:
        try:
            problem = call.check(answer.json())
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            problem = f"unreadable answer ({error!r}): {answer.text[:200]}"
    record.add(call.kind, str(answer.status_code), seconds, problem)


async def drive(url: str, args: argparse.Namespace, air: tuple[float, float], rec: Record) -> None:
    """Offer the mix at its fixed pace for args.minutes, then wait for the last answers."""
    rng = np.random.default_rng(args.seed)
    slots = asyncio.Semaphore(IN_FLIGHT)
    running: set[asyncio.Task[None]] = set()
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)

    async def sent(call: Call) -> None:
        try:
            await send(client, call, rec)
        finally:
            slots.release()

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=TIMEOUT) as client:
        start = time.monotonic()
        for at, kind in schedule(args.rate, args.minutes * 60):
            call = make_call(kind, rng, air)
            await asyncio.sleep(max(start + at - time.monotonic(), 0.0))
            await slots.acquire()
            rec.sent(time.monotonic() - (start + at) > LATE)
            task = asyncio.create_task(sent(call))
            running.add(task)
            task.add_done_callback(running.discard)
        await asyncio.gather(*running)


async def probe(client: httpx.AsyncClient, path: str, record: Record) -> None:
    """GET a probe: 200 with the answer it promises."""
    expect = {"/healthz": '"ok"', "/readyz": '"ready"', "/metrics": "cannon_requests_total"}
    start = time.perf_counter()
    try:
        answer = await client.get(path)
    except httpx.HTTPError as error:
        record.add("probe", f"error({type(error).__name__})", None, None)
        return
    ok = answer.status_code != 200 or expect[path] in answer.text
    record.add("probe", str(answer.status_code), time.perf_counter() - start, None if ok else path)


async def watch(
    server: Server,
    args: argparse.Namespace,
    rec: Record,
    rows: list[dict[str, Any]],
    done: asyncio.Event,
) -> None:
    """Once a second until the load is done: the probes, the server still alive, and a row
    printed at every --interval boundary before the load's end (the last row is the
    caller's, after the last answers are in)."""
    seconds = args.minutes * 60
    start = time.monotonic()
    tick, boundary = 1, args.interval
    async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as client:
        while not done.is_set():
            if server.process.poll() is not None:
                raise ServerDied(f"the server exited with {server.process.returncode}")
            for path in PROBES:
                await probe(client, path, rec)
            now = time.monotonic() - start
            if now >= boundary and boundary < seconds:
                close_row(server, rec, rows, boundary, args.markdown)
                boundary += args.interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), max(start + tick - time.monotonic(), 0))
            tick += 1


def close_row(
    server: Server, rec: Record, rows: list[dict[str, Any]], at: float, markdown: bool
) -> None:
    """Print the current row (ending at `at` s into the load) and start the next."""
    rss, fds, cpu = process_sample(server.pid)
    now = time.monotonic()
    busy = 100 * (cpu - rec.mark[1]) / max(now - rec.mark[0], 1e-9)  # % of one core
    rows.append(row_of(rec.row, at, busy, rss, fds))
    print(line_of(cells(rows[-1]), markdown), flush=True)
    rec.row, rec.mark = Bucket(), (now, cpu)


async def soak(
    server: Server, args: argparse.Namespace, air: tuple[float, float]
) -> tuple[list[dict[str, Any]], Record]:
    """Run the load and the watch together; the rows, and the record of the whole run."""
    rec, rows, done = Record(), list[dict[str, Any]](), asyncio.Event()

    async def load() -> None:
        try:
            await drive(server.url, args, air, rec)
        finally:
            done.set()

    start = time.monotonic()
    rec.start = rec.mark = (start, process_sample(server.pid)[2])
    client_start = time.process_time()
    tasks = [asyncio.create_task(load()), asyncio.create_task(watch(server, args, rec, rows, done))]
    try:
        await asyncio.gather(*tasks)  # the first to fail (the server died) stops the other
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if server.process.poll() is not None:
        raise ServerDied(f"the server exited with {server.process.returncode}")
    close_row(server, rec, rows, time.monotonic() - start, args.markdown)
    rec.client_cpu = time.process_time() - client_start
    return rows, rec
