"""Soak: a real `cannon serve` under a steady, modest mix of traffic for minutes, watching
for what only shows with time: memory that grows, file descriptors that leak, latency that
creeps up, answers that go wrong.

    python -m benchmarks.soak [--minutes 10] [--rate 20] [--seed 0] [--interval 60]
                              [--rss-budget 50] [--p99-growth 2] [--max-429 1]
                              [--json PATH] [--markdown]

The soak starts its own server (`python -m app.cli serve` on a free loopback port, default
settings: every CANNON_* variable of the caller's environment is dropped, log level warning),
waits for GET /readyz to answer 200 and asks POST /aim where the air below lets a shot land.
Then, for --minutes, it offers a fixed rate (--rate requests/s, not as fast as it can), each
kind at its own steady pace (share of --rate in MIX):

- aim: POST /aim at a random target in (0, 10] m in a vacuum;
- air aim: POST /aim through air (AIR), at a target in the inner AIR_INNER fraction of the
  range that air allows (asked at startup: the 422 unreachable_target answer gives it);
- batch: POST /aim/batch of 1,000 random vacuum targets; air batch: of 100 air targets;
- verify: GET /verify of a random shot, at the distance the closed form says it lands;
- probes: GET /healthz, /readyz and /metrics once a second each (off the mix, on a connection
  of their own), and with them the server's RSS and open file descriptors from /proc.

Every 200 answer is checked: each target hit, miss <= tolerance, and in a vacuum the landing
recomputed here as v^2 sin(2θ)/g (g = 9.81 m/s^2) within the tolerance of the target. Every
--interval seconds (default a minute) it prints a row: requests, p50/p99 latency per kind,
status counts, bad answers, the server's CPU, RSS and open fds; at the end a summary row and a verdict (exit 1
when it fails; see `verdict`). The server is stopped with SIGTERM at the end and on any error,
and dies with the soak if the soak is killed outright (PR_SET_PDEATHSIG). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import heapq
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import numpy as np

from benchmarks.serving import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # the soak's own server, on loopback only
GRAVITY = 9.81  # m/s^2: the server's default, written out again here as an independent oracle
VACUUM_MAX = 10.0  # m: vacuum targets lie in (0, 10]; the default cannon reaches 10.19 m
AIR: dict[str, float] = {"drag": 0.1, "wind": -2.0, "launch_height": 1.0}  # 1/m, m/s, m
AIR_INNER = (0.1, 0.8)  # air targets lie in this fraction of the span that air allows
BATCH, AIR_BATCH = 1000, 100  # targets per batch request
# Share of --rate per kind. Air work costs about 0.5 s of server CPU a request (a single
# target or 100 alike, measured on the 2-core machine this was written on) against about
# 0.5 ms for a vacuum /aim and 3 ms for a vacuum batch of 1,000: at the default 20 requests/s
# the mix is about 0.17 of one core's work (0.15 of it air), so the server is soaked, not
# overloaded, and 16 /aim/s still make a p99 per minute from about 1,000 answers.
MIX = {"aim": 0.80, "verify": 0.12, "batch": 0.065, "air aim": 0.01, "air batch": 0.005}
LABELS = {
    "aim": "aim",
    "air aim": "air aim",
    "batch": f"batch {BATCH}",
    "air batch": f"air batch {AIR_BATCH}",
    "verify": "verify",
    "probe": "probes",
}
KINDS = (*MIX, "probe")
PROBES = ("/healthz", "/readyz", "/metrics")  # each once a second
IN_FLIGHT = 32  # requests in flight from the mix at most: half the server's max_concurrent
STAGGER = 5.0  # s: every kind's first request is sent within this much of the start
LATE = 1.0  # s: a request sent this long after its slot is late: the client fell behind
TIMEOUT = 30.0  # s per request; the server gives up on its own work after 10 s (504)
START_TIMEOUT = 120.0  # s for the server to answer and be ready
STOP_TIMEOUT = 30.0  # s for the server to exit after SIGTERM, then it is killed
P99_FLOOR = 20.0  # ms: a p99 must also grow by this much to fail the trend
P99_MIN_SAMPLES = 50  # a kind's p99 enters the trend only from rows with this many samples
MAX_RATE = 100.0  # requests/s: the mix's air work alone is about 0.8 of a core there
# Open descriptors may differ this much between rows after the first: up to IN_FLIGHT + 1
# connections of the soak's own come and go; a leak of one a request passes it in seconds.
FD_BUDGET = 2 * IN_FLIGHT  # count
SHOW_BAD = 5  # bad answers printed in full (stderr), the rest counted


class ServerDied(RuntimeError):
    """The server exited during the soak."""


@dataclass(frozen=True)
class Call:
    """One request of the mix, built ahead of its slot so the seed fixes the whole run."""

    kind: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    params: dict[str, float] | None = None
    check: Callable[[Any], str | None] = lambda _: None  # why the answer is wrong, or None


# --- checking answers --------------------------------------------------------------------


def check_hits(distances: np.ndarray, shots: list[dict[str, Any]]) -> str | None:
    """Why these answers (one per requested distance, m) are not all hits, or None."""
    if len(shots) != len(distances):
        return f"{len(shots)} answers for {len(distances)} targets"
    for distance, shot in zip(distances.tolist(), shots, strict=True):
        if abs(shot.get("distance", math.nan) - distance) > 1e-9:
            return f"answer for {shot.get('distance')} m in the place of {distance} m"
        if shot.get("reachable", True) is not True:
            return f"target {distance} m reported unreachable: {shot.get('detail')}"
        if shot.get("hit") is not True or not shot["miss"] <= shot["tolerance"]:
            return f"target {distance} m: hit {shot.get('hit')}, miss {shot.get('miss')} m"
    return None


def check_vacuum(distances: np.ndarray, shots: list[dict[str, Any]]) -> str | None:
    """As `check_hits`, and each shot's landing, recomputed here as v^2 sin(2θ)/g, is within
    the tolerance of its target: the service's own verdict is not taken on trust."""
    problem = check_hits(distances, shots)
    if problem is not None:
        return problem
    velocity = np.array([shot["velocity"] for shot in shots], dtype=float)  # m/s
    angle = np.array([shot["angle"] for shot in shots], dtype=float)  # rad
    tolerance = np.array([shot["tolerance"] for shot in shots], dtype=float)  # m
    landing = velocity**2 * np.sin(2 * angle) / GRAVITY  # m
    excess = np.abs(landing - distances) - tolerance
    worst = int(np.argmax(excess))
    if excess[worst] > 1e-9:
        return (
            f"target {distances[worst]} m: v^2 sin(2θ)/g lands at {landing[worst]} m, "
            f"beyond the tolerance of {tolerance[worst]} m"
        )
    return None


def check_verify(expected: float, answer: dict[str, Any]) -> str | None:
    """A shot sent to /verify at the distance the closed form gives (m) must hit there."""
    landing = answer.get("landing_distance", math.nan)
    if answer.get("hit") is not True or not abs(landing - expected) <= 1e-6:
        return f"verify: closed form {expected} m, service {landing} m, hit {answer.get('hit')}"
    return None


Checker = Callable[[np.ndarray, list[dict[str, Any]]], str | None]


def one(check: Checker, distance: float) -> Callable[[Any], str | None]:
    """A checker of a single /aim answer (a JSON object) at `distance` (m)."""
    return lambda answer: check(np.array([distance]), [answer])


def many(check: Checker, distances: np.ndarray) -> Callable[[Any], str | None]:
    """A checker of a /aim/batch answer ({"solutions": [...]}) for `distances` (m)."""
    return lambda answer: check(distances, answer.get("solutions", []))


# --- the mix ------------------------------------------------------------------------------


def make_call(kind: str, rng: np.random.Generator, air: tuple[float, float]) -> Call:
    """The next request of `kind`, targets drawn from `rng`; air targets in `air` (m)."""
    if kind == "aim":
        distance = float(VACUUM_MAX * (1 - rng.random()))  # (0, 10] m
        return Call(kind, "POST", "/aim", {"distance": distance}, check=one(check_vacuum, distance))
    if kind == "air aim":
        distance = float(rng.uniform(*air))
        body = {"distance": distance, **AIR}
        return Call(kind, "POST", "/aim", body, check=one(check_hits, distance))
    if kind == "batch":
        targets = VACUUM_MAX * (1 - rng.random(BATCH))
        body = {"distances": targets.tolist()}
        return Call(kind, "POST", "/aim/batch", body, check=many(check_vacuum, targets))
    if kind == "air batch":
        targets = rng.uniform(*air, AIR_BATCH)
        body = {"distances": targets.tolist(), **AIR}
        return Call(kind, "POST", "/aim/batch", body, check=many(check_hits, targets))
    if kind == "verify":
        angle, velocity = float(rng.uniform(0.05, 1.5)), float(rng.uniform(0.5, 10.0))
        landing = velocity**2 * math.sin(2 * angle) / GRAVITY
        params = {"angle": angle, "velocity": velocity, "distance": landing}
        return Call(kind, "GET", "/verify", params=params, check=lambda a: check_verify(landing, a))
    raise ValueError(f"no such kind: {kind}")


def schedule(rate: float, seconds: float) -> Iterator[tuple[float, str]]:
    """(time s, kind) of every request of the mix, in time order: each kind at its own
    steady pace, rate * share a second; staggered so the kinds do not start together, and
    each starts within STAGGER s, so that even a short run sends every kind."""

    def paced(index: int, kind: str) -> Iterator[tuple[float, str]]:
        period = 1 / (rate * MIX[kind])
        at = min(period, STAGGER) * (index + 0.5) / len(MIX)
        while at < seconds:
            yield at, kind
            at += period

    return heapq.merge(*(paced(index, kind) for index, kind in enumerate(MIX)))


# --- the record ---------------------------------------------------------------------------


@dataclass
class Bucket:
    """What happened in one row's interval (or the whole run)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: Counter[str] = field(default_factory=Counter)
    bad: int = 0
    late: int = 0
    sent: int = 0  # requests of the mix sent (the late ones among them)

    def add(self, kind: str, status: str, seconds: float | None, problem: str | None) -> None:
        self.statuses[status] += 1
        if seconds is not None:
            self.latencies[kind].append(seconds)
        self.bad += problem is not None


@dataclass
class Record:
    """The current row's bucket and the whole run's, plus the first bad answers seen."""

    row: Bucket = field(default_factory=Bucket)
    total: Bucket = field(default_factory=Bucket)
    examples: list[str] = field(default_factory=list)
    start: tuple[float, float] = (0.0, 0.0)  # (monotonic s, server CPU s) at the load's start
    mark: tuple[float, float] = (0.0, 0.0)  # the same at the current row's start
    client_cpu: float = 0.0  # s of CPU this process spent while the load ran

    def add(self, kind: str, status: str, seconds: float | None, problem: str | None) -> None:
        self.row.add(kind, status, seconds, problem)
        self.total.add(kind, status, seconds, problem)
        if problem is not None and len(self.examples) < SHOW_BAD:
            self.examples.append(f"{kind}: {problem}")
            print(f"bad answer: {kind}: {problem}", file=sys.stderr, flush=True)

    def sent(self, late: bool) -> None:
        for bucket in (self.row, self.total):
            bucket.sent += 1
            bucket.late += late


def process_sample(pid: int) -> tuple[float, int, float]:
    """The process's resident memory (MB, 10^6 bytes, from VmRSS), its open file descriptors
    (count) and the CPU time it has used (s, user + system)."""
    with open(f"/proc/{pid}/status") as status:
        kilobytes = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # after the command, which may hold ")"
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return kilobytes * 1024 / 1e6, len(os.listdir(f"/proc/{pid}/fd")), cpu


def row_of(
    bucket: Bucket, seconds: float, cpu: float, rss: float | list[float], fds: int | list[int]
) -> dict[str, Any]:
    """A printable, JSON-ready row: times in s and min, latencies in ms, the server's CPU in
    % of one core over the row, its RSS in MB (or the rows' RSS values, for the summary)."""
    latency = {}
    for kind, values in bucket.latencies.items():
        if values:
            p50, p99 = np.percentile(np.array(values) * 1e3, [50, 99]).tolist()
            latency[kind] = {"count": len(values), "p50_ms": p50, "p99_ms": p99}
    return {
        "seconds": round(seconds, 3),
        "minute": round(seconds / 60, 3),
        "requests": sum(bucket.statuses.values()),
        "latency_ms": latency,
        "statuses": dict(sorted(bucket.statuses.items())),
        "bad_answers": bucket.bad,
        "sent": bucket.sent,
        "late_sends": bucket.late,
        "cpu_percent": round(cpu, 1),
        "rss_mb": rss,
        "fds": fds,
    }


# --- the table ----------------------------------------------------------------------------

COLUMNS = [
    ("t", "min", 7),
    ("requests", "count", 8),
    *[(LABELS[kind], "p50/p99 ms", max(11, len(LABELS[kind]))) for kind in KINDS],
    ("statuses", "code:count", 18),
    ("bad", "count", 5),
    ("server CPU", "% of a core", 11),
    ("RSS", "MB", 11),
    ("fds", "count", 7),
]


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def cells(row: dict[str, Any], label: str | None = None) -> list[str]:
    """A row's cells in COLUMNS order; `label` replaces the time (the summary row)."""

    def span(value: float | list[float], fmt: str) -> str:
        if isinstance(value, list):  # the summary: the rows' range
            low, high = f"{min(value):{fmt}}", f"{max(value):{fmt}}"
            return low if low == high else f"{low}-{high}"
        return f"{value:{fmt}}"

    latency = row["latency_ms"]
    return [
        label or f"{row['minute']:.2f}",
        str(row["requests"]),
        *[
            f"{ms(latency[k]['p50_ms'])}/{ms(latency[k]['p99_ms'])}" if k in latency else "-"
            for k in KINDS
        ],
        " ".join(f"{code}:{count}" for code, count in row["statuses"].items()),
        str(row["bad_answers"]),
        f"{row['cpu_percent']:.0f}",
        span(row["rss_mb"], ".1f"),
        span(row["fds"], "d"),
    ]


def header(markdown: bool) -> str:
    if markdown:
        names = [f"{name} ({unit})" for name, unit, _ in COLUMNS]
        return "| " + " | ".join(names) + " |\n|" + "---:|" * len(COLUMNS)
    lines = [[name for name, _, _ in COLUMNS], [f"({unit})" for _, unit, _ in COLUMNS]]
    return "\n".join(line_of(line) for line in lines)


def line_of(values: list[str], markdown: bool = False) -> str:
    if markdown:
        return "| " + " | ".join(values) + " |"
    return "  ".join(
        f"{value:<{width}}" if name == "statuses" else f"{value:>{width}}"
        for value, (name, _, width) in zip(values, COLUMNS, strict=True)
    ).rstrip()


# --- the server ---------------------------------------------------------------------------


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
            [sys.executable, "-m", "app.cli", "serve"],
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


def air_targets(url: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where AIR lets a shot land (m), from the 422 unreachable_target answer to a target far
    out of reach, and the inner AIR_INNER part of it the soak aims at (m)."""
    answer = httpx.post(f"{url}/aim", json={"distance": 1000.0, **AIR}, timeout=TIMEOUT)
    body = answer.json()
    kind = body.get("detail", [{}])[0].get("type") if answer.status_code == 422 else None
    if kind != "unreachable_target" or body.get("max_range") is None:
        raise RuntimeError(f"cannot read the air's range: {answer.status_code} {answer.text}")
    low, high = float(body.get("min_range") or 0.0), float(body["max_range"])
    inner = (low + AIR_INNER[0] * (high - low), low + AIR_INNER[1] * (high - low))
    return (low, high), inner


# --- the soak -----------------------------------------------------------------------------


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


# --- the verdict --------------------------------------------------------------------------


def p99_trend(rows: list[dict[str, Any]], factor: float) -> tuple[list[str], bool]:
    """For each kind with P99_MIN_SAMPLES answers a row: the median of its per-row p99 in
    the later half of the rows against the earlier half (the first row, warm-up, left out).
    It fails when the later is both `factor` times and P99_FLOOR ms above the earlier: a p99
    that creeps up is a queue or a heap that grows."""
    lines, ok = [], True
    for kind in KINDS:
        p99 = [
            row["latency_ms"][kind]["p99_ms"]
            for row in rows[1:]
            if row["latency_ms"].get(kind, {}).get("count", 0) >= P99_MIN_SAMPLES
        ]
        if len(p99) < 2:
            continue
        half = len(p99) // 2
        early, late = statistics.median(p99[:half]), statistics.median(p99[-half:])
        grew = late > factor * early and late - early > P99_FLOOR
        ok &= not grew
        lines.append(
            f"{LABELS[kind]} {ms(early)} ms -> {ms(late)} ms (x{late / early:.2f})"
            + (" TOO MUCH" if grew else "")
        )
    return lines, ok


def verdict(
    rows: list[dict[str, Any]], rec: Record, args: argparse.Namespace, exit_code: int | None
) -> tuple[list[tuple[str, bool]], bool]:
    """The checks, each (line, passed); the soak passes when all pass. Reported only: the
    CPU the server and the soak's client used, so that a reader sees neither was saturated."""
    total = rec.total
    statuses = total.statuses
    counts = ", ".join(f"{n} x {code}" for code, n in sorted(statuses.items()))
    unexpected = set(statuses) - {"200", "429"}
    aiming = sum(len(total.latencies[kind]) for kind in MIX)
    busy = 100 * statuses["429"] / max(aiming, 1)  # %
    late = 100 * total.late / max(total.sent, 1)  # %
    later = [row["rss_mb"] for row in rows[1:]]
    growth = max(later) - min(later) if later else 0.0  # MB
    rss = f"{min(later):.1f} to {max(later):.1f} MB" if later else "no rows after the first"
    fds = [row["fds"] for row in rows]
    fd_growth = max(fds[1:]) - min(fds[1:]) if len(fds) > 1 else 0  # count
    trend, steady = p99_trend(rows, args.p99_growth)
    trend_line = "; ".join(trend) or f"no kind has {P99_MIN_SAMPLES} answers a row in 2 rows"
    (wall0, cpu0), (wall1, cpu1) = rec.start, rec.mark  # the load's start and end
    server_cpu = 100 * (cpu1 - cpu0) / max(wall1 - wall0, 1e-9)  # % of one core
    client_cpu = 100 * rec.client_cpu / max(wall1 - wall0, 1e-9)  # % of one core
    stopped = f"killed after {STOP_TIMEOUT:g} s" if exit_code is None else str(exit_code)
    checks = [
        (f"statuses: {counts} (none but 200 and 429 allowed)", not unexpected),
        (
            f"429 busy: {busy:.2f} % of aiming requests (limit {args.max_429:g} %)",
            busy <= args.max_429,
        ),
        (f"bad answers: {total.bad} of {statuses['200']} answers 200", total.bad == 0),
        (
            f"pace: {total.late} of {total.sent} requests sent over {LATE:g} s late "
            f"({late:.2f} %, limit 1 %)",
            late <= 1.0,
        ),
        (
            f"RSS growth after the first {args.interval:g} s: {growth:.1f} MB ({rss}; "
            f"budget {args.rss_budget:g} MB)",
            growth <= args.rss_budget,
        ),
        (
            f"open fds after the first {args.interval:g} s: {fd_growth} apart ({min(fds)} to "
            f"{max(fds)} in all rows; budget {FD_BUDGET}: the connections come and go)",
            fd_growth <= FD_BUDGET,
        ),
        (
            f"p99 trend, later vs earlier rows (fails above x{args.p99_growth:g} and "
            f"+{P99_FLOOR:g} ms): {trend_line}",
            steady,
        ),
        (f"server exit code after SIGTERM: {stopped}", exit_code == 0),
        (
            f"CPU while loaded: server {server_cpu:.0f} % of one core, the soak's client "
            f"{client_cpu:.0f} % (reported only)",
            True,
        ),
    ]
    return checks, all(passed for _, passed in checks)


# --- the command --------------------------------------------------------------------------


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description="Soak a server of its own on 127.0.0.1 under a steady mix; see docs/soak.md.",
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="of load (default 10)")
    parser.add_argument(
        "--rate", type=float, default=20.0, help=f"requests/s of the mix, at most {MAX_RATE:g}"
    )
    parser.add_argument("--seed", type=int, default=0, help="of the targets (default 0)")
    parser.add_argument(
        "--interval", type=float, default=60.0, help="seconds a table row covers (default 60)"
    )
    parser.add_argument(
        "--rss-budget",
        type=float,
        default=50.0,
        help="MB of RSS growth after the first row (default 50)",
    )
    parser.add_argument(
        "--p99-growth",
        type=float,
        default=2.0,
        help="p99 factor, later vs earlier rows (default 2)",
    )
    parser.add_argument(
        "--max-429", type=float, default=1.0, help="percent of aiming requests (default 1)"
    )
    parser.add_argument("--json", type=Path, help="write the rows and the verdict here")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 24 * 60:
        parser.error("--minutes must lie in (0, 1440]")
    if not 0 < args.rate <= MAX_RATE:
        parser.error(f"--rate must lie in (0, {MAX_RATE:g}] requests/s")
    if args.interval < 1:
        parser.error("--interval must be at least 1 s (the probes' period)")
    if args.p99_growth <= 1 or args.rss_budget < 0 or args.max_429 < 0:
        parser.error("--p99-growth must exceed 1, --rss-budget and --max-429 be >= 0")
    return args


def stopped(signum: int, frame: object) -> None:
    """On SIGTERM: unwind like Ctrl-C, so the server is stopped on the way out; exit 143."""
    print("soak: stopped by SIGTERM", file=sys.stderr, flush=True)
    sys.exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    if not sys.platform.startswith("linux"):
        sys.exit("the soak reads the server's memory and descriptors from /proc: Linux only")
    signal.signal(signal.SIGTERM, stopped)
    pace = ", ".join(f"{LABELS[k]} {args.rate * share:g}/s" for k, share in MIX.items())
    try:
        with serving() as server:
            (low, high), air = air_targets(server.url)
            print(
                f"soak: server pid {server.pid} at {server.url}; {args.minutes:g} min at "
                f"{args.rate:g} requests/s ({pace}) plus {len(PROBES)} probes/s; seed "
                f"{args.seed}; rows every {args.interval:g} s\n"
                f"air (drag {AIR['drag']:g} 1/m, wind {AIR['wind']:g} m/s, launch height "
                f"{AIR['launch_height']:g} m) reaches [{low:.3f}, {high:.3f}] m: air targets in "
                f"[{air[0]:.3f}, {air[1]:.3f}] m; vacuum targets in (0, {VACUUM_MAX:g}] m\n"
                f"latency: p50/p99 in ms per kind, client side, to the whole answer read",
                flush=True,
            )
            print(header(args.markdown), flush=True)
            try:
                rows, rec = asyncio.run(soak(server, args, air))
            except ServerDied as error:
                print(f"soak: {error}; it said:\n{server.said()}", file=sys.stderr)
                return 1
    except (RuntimeError, OSError, httpx.HTTPError) as error:
        print(f"soak: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the server is stopped by now
        print("soak: interrupted", file=sys.stderr)
        return 130
    seconds = rows[-1]["seconds"]
    (wall0, cpu0), (wall1, cpu1) = rec.start, rec.mark  # the load's start and end
    busy = 100 * (cpu1 - cpu0) / max(wall1 - wall0, 1e-9)  # % of one core
    summary = row_of(
        rec.total, seconds, busy, [row["rss_mb"] for row in rows], [row["fds"] for row in rows]
    )
    if not args.markdown:
        print("-" * len(line_of(cells(summary, "all"))))
    print(line_of(cells(summary, "all"), args.markdown))
    checks, passed = verdict(rows, rec, args, server.exit_code)
    print(f"\nverdict over {seconds / 60:.2f} min ({seconds:.0f} s):")
    for line, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {line}")
    for example in rec.examples:
        print(f"  bad answer: {example}")
    print("PASS" if passed else "FAIL", flush=True)
    if args.json:
        report = {
            "settings": {
                "minutes": args.minutes,
                "rate_per_s": args.rate,
                "seed": args.seed,
                "interval_s": args.interval,
                "rss_budget_mb": args.rss_budget,
                "mix_share": MIX,
                "air": AIR,
                "air_targets_m": air,
                "server_pid": server.pid,
            },
            "rows": rows,
            "summary": summary,
            "verdict": {"pass": passed, "checks": [{"check": c, "pass": ok} for c, ok in checks]},
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
