"""What the service tells its operators: Prometheus metrics and one JSON log line a request.

One pure ASGI middleware times every request, echoes or makes its X-Request-ID, counts it in
the metrics and writes its log line. The aiming routes add what they did (`record`): how many
targets, which were refined, in how many steps, and the misses. Metrics live in a registry of
their own per app, so several apps in one process (tests) do not collide.
"""

from __future__ import annotations

import itertools
import logging
import queue
import re
import sys
import threading
import time
import uuid
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import fastapi.routing
import msgspec
import numpy as np
from numpy.typing import ArrayLike
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

encoder = msgspec.json.Encoder()
MAX_QUEUED_LINES = 100_000  # about 20 MB of log lines waiting for stderr at most
REQUEST_ID = re.compile(r"[\w.:-]{1,128}", re.ASCII)  # echoed only when it is this tame
# Paths outside FastAPI's routes that get a label of their own; everything else unmatched is
# "unmatched", so that no client can mint new label values (a 413 or 405 on any path).
DOCS_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
STATIC_PREFIX = "/static-offline-docs/"
# Methods counted by name; any other a client makes up is "other", so it mints no label value.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ID_PREFIX = uuid.uuid4().hex[:16]  # this process; a counter makes each request's id unique
ID_COUNTER = itertools.count()
MISS_BUCKETS = (1e-9, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 5e-2, 0.1)  # m
ITERATION_BUCKETS = (0, 1, 2, 3, 4, 5, 7, 10, 20, 50)  # refinement steps
BATCH_BUCKETS = (1, 10, 100, 1000, 10_000)  # targets per request


class BulkHistogram(Collector):
    """A Prometheus histogram that takes a whole array of observations at once.

    prometheus-client's Histogram takes one value a call: a microsecond each, 10 ms for a
    10,000-target batch. Here numpy buckets the array in one pass.
    """

    def __init__(self, name: str, documentation: str, buckets: Iterable[float]) -> None:
        self.name, self.documentation = name, documentation
        self.bound_list = sorted(buckets)
        self.bounds = np.array(self.bound_list, dtype=np.float64)  # upper bounds, +Inf apart
        self.counts = np.zeros(len(self.bounds) + 1, dtype=np.int64)  # last: above all bounds
        self.total = 0.0

    def observe_one(self, value: float) -> None:
        self.counts[bisect_left(self.bound_list, value)] += 1  # first bound >= value: le
        self.total += value

    def observe(self, values: ArrayLike) -> None:
        values = np.asarray(values, dtype=np.float64).ravel()
        self.counts += np.bincount(np.searchsorted(self.bounds, values), minlength=len(self.counts))
        self.total += float(values.sum())

    def collect(self) -> Iterator[Metric]:
        cumulative = np.cumsum(self.counts).tolist()
        bounds = [*(f"{b:g}" for b in self.bounds), "+Inf"]
        yield HistogramMetricFamily(
            self.name,
            self.documentation,
            buckets=list(zip(bounds, cumulative, strict=True)),
            sum_value=self.total,
        )


class Metrics:
    """The service's metrics, in their own registry. Units are in the names."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "cannon_requests",
            "HTTP requests by route and status.",
            ["route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "cannon_request_duration_seconds", "Time to answer, by route.", ["route"], registry=r
        )
        self.refinements = Counter(
            "cannon_refinements", "Targets whose proposal was refined.", registry=r
        )
        self.targets = Counter("cannon_targets", "Targets aimed at.", registry=r)
        self.iterations = BulkHistogram(
            "cannon_refinement_iterations",
            "Refinement steps per refined target.",
            ITERATION_BUCKETS,
        )
        self.misses = BulkHistogram(
            "cannon_miss_meters", "Verified miss of every answer, in metres.", MISS_BUCKETS
        )
        self.batch_sizes = BulkHistogram(
            "cannon_batch_size_targets", "Targets per aiming request.", BATCH_BUCKETS
        )
        for collector in (self.iterations, self.misses, self.batch_sizes):
            r.register(collector)
        self.model = Gauge(
            "cannon_model_info", "The model served (1), by version.", ["version"], registry=r
        )
        self.abandoned = Gauge(
            "cannon_abandoned_work",
            "Aiming work still running for requests given up on (504, client gone), "
            "until it reaches its next cancellation checkpoint.",
            registry=r,
        )


@dataclass
class Aimed:
    """What an aiming request did, for the metrics and the log line."""

    targets: int
    refined: int
    iterations: int  # refinement steps, summed over targets


def record(
    scope: Scope, metrics: Metrics, misses: ArrayLike, refined: ArrayLike, iterations: ArrayLike
) -> None:
    """Count the answers of a batch: per target miss (m), whether refined, steps."""
    refined_mask = np.asarray(refined, dtype=bool).ravel()
    steps = np.asarray(iterations, dtype=np.int64).ravel()
    n = refined_mask.size
    metrics.targets.inc(n)
    metrics.batch_sizes.observe_one(n)
    metrics.misses.observe(misses)
    if refined_mask.any():
        metrics.refinements.inc(int(refined_mask.sum()))
        metrics.iterations.observe(steps[refined_mask])
    scope.setdefault("state", {})["aimed"] = Aimed(n, int(refined_mask.sum()), int(steps.sum()))


def record_one(scope: Scope, metrics: Metrics, miss: float, refined: bool, iterations: int) -> None:
    """`record` for one answer, without numpy's overhead on the single-target path."""
    metrics.targets.inc()
    metrics.batch_sizes.observe_one(1)
    metrics.misses.observe_one(miss)
    if refined:
        metrics.refinements.inc()
        metrics.iterations.observe_one(iterations)
    scope.setdefault("state", {})["aimed"] = Aimed(1, int(refined), iterations)


class ObserveMiddleware:
    """Times, counts and logs every HTTP request; gives each an X-Request-ID."""

    def __init__(self, app: ASGIApp, metrics: Metrics, log: AccessLog) -> None:
        self.app, self.metrics, self.log = app, metrics, log
        self.counters: dict[tuple[str, str, int], Any] = {}  # labelled children, looked up once
        self.timers: dict[str, Any] = {}
        # The app's own paths, read at its first request: the middleware is added before the
        # routers are included, and Starlette puts the app in every request's scope.
        self.paths: frozenset[str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), ""
        )
        if not REQUEST_ID.fullmatch(request_id):
            request_id = f"{ID_PREFIX}{next(ID_COUNTER):016x}"
        status = 500  # what the client sees if the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            latency = time.perf_counter() - start
            if self.paths is None:
                self.paths = own_paths(scope.get("app"))
            route = route_label(scope, self.paths)
            method = scope["method"] if scope["method"] in METHODS else "other"
            key = (route, method, status)
            if key not in self.counters:
                self.counters[key] = self.metrics.requests.labels(route, key[1], str(status))
                self.timers.setdefault(route, self.metrics.latency.labels(route))
            self.counters[key].inc()
            self.timers[route].observe(latency)
            if self.log.enabled:
                aimed = scope.get("state", {}).get("aimed")
                line = {
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "status": status,
                    "latency_ms": round(latency * 1e3, 3),
                    "targets": aimed.targets if aimed else 0,
                    "refined": aimed.refined if aimed else 0,
                    "iterations": aimed.iterations if aimed else 0,
                }
                self.log.write(line)


def own_paths(app: Any) -> frozenset[str]:
    """The paths of the app's routes that have no path parameter.

    FastAPI 0.137 and later keep an included router as one entry of `app.routes`;
    `iter_route_contexts` lists the routes within, with their prefixes. Mounts (the docs'
    static files) have no methods and are left out.
    """
    flatten = getattr(fastapi.routing, "iter_route_contexts", iter)
    return frozenset(
        path
        for route in flatten(list(getattr(app, "routes", ())))
        if isinstance(path := getattr(route, "path", None), str)
        and "{" not in path
        and getattr(route, "methods", None)
    )


def route_label(scope: Scope, paths: Collection[str] = frozenset()) -> str:
    """The route's template (a small, fixed set of label values).

    A request answered before routing, by a middleware (401 for the key, 429 when busy, 413
    for the body), has no route: it is labelled with the path it asked for when that is one
    of the app's own `paths` (trailing slashes trimmed, as app/api/headers.py serves it), so
    that refusals are counted under the route they refused, and "unmatched" otherwise.
    """
    route = getattr(scope.get("route"), "path", None)
    if route is not None:
        return str(route)
    path: str = scope["path"].rstrip("/") or "/"
    if path in paths or path in DOCS_PATHS:
        return path
    return STATIC_PREFIX if scope["path"].startswith(STATIC_PREFIX) else "unmatched"


class AccessLog:
    """The JSON lines, one a request, on stderr, written by a thread of their own.

    A request only queues its line: logging's handlers took about 12 µs a line in process
    (record, lock, format, write, flush), more than the aiming. The thread writes whatever
    has queued in one go, and `close` writes the rest at shutdown.
    """

    def __init__(self, level: str, stream: Any = None) -> None:
        # "trace" is uvicorn's level below debug; logging does not know it.
        self.enabled = level == "trace" or logging.getLevelName(level.upper()) <= logging.INFO
        self.stream = stream or sys.stderr
        self.lines: queue.Queue[bytes | None] = queue.Queue(maxsize=MAX_QUEUED_LINES)
        self.dropped = 0  # lines thrown away because the writer fell behind
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the writer (at app startup; again after a `close`, if the app restarts)."""
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self.drain, name="access-log", daemon=True)
            self.thread.start()

    def write(self, line: dict[str, Any]) -> None:
        try:
            self.lines.put_nowait(encoder.encode(line))
        except queue.Full:  # stderr is stuck: drop lines rather than memory or the loop
            self.dropped += 1

    def drain(self) -> None:
        done = False
        while not done:
            batch = [self.lines.get()]  # wait for one, then take whatever else is queued
            while not self.lines.empty():
                batch.append(self.lines.get_nowait())
            done = None in batch  # close() was called: write what came before, then stop
            lines = [line for line in batch if line is not None]
            if lines:
                try:
                    self.stream.write(b"\n".join(lines).decode() + "\n")
                    self.stream.flush()
                except (OSError, ValueError):  # stderr closed: keep draining, so nothing piles up
                    self.dropped += len(lines)

    def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if self.thread is not None:
            self.lines.put(None)  # blocks while the queue is full: the writer is draining it
            self.thread.join(timeout=5)
