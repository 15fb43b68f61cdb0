"""Heavy aiming work a core at a time, behind a queue that admits only what can finish in time.

Work through air costs seconds for a large batch. Started all at once, eight such requests on
two cores each get a quarter of a core, none finishes within its budget, and all eight end in
504 with their memory held together. So heavy work runs at most `workers` at a time (one per
core), the rest waits in order, and a request is admitted only when the work ahead of it and
its own, as estimated from what such work has cost, ends within its time budget (or a worker
is free now). Otherwise it is refused at once with 429 and a Retry-After of when a worker
should be free. A request that waited and finds at its turn that it can no longer finish in
time is refused then (429: no work was done), and one whose client left while waiting leaves
the queue.

The estimate is learned: seconds = base + per_target x targets, fitted by least squares over
recent jobs (older ones count less), from a prior measured on a 2-core Xeon, so that the first
requests of a fresh server are judged sensibly too. All state lives on the event loop: no lock.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PRIOR = ((1, 0.45), (10_000, 0.5))  # (targets, s): one air target missed (its reach
# searched, the only single target sent here); a 10,000-target batch through air at 1e-6 m
FORGET = 0.8  # weight left to the fit's past after each job: it follows the last ~5 jobs
SLACK = 1.25  # a job's own estimate is stretched by this when judging if it ends in time:
# better a 429 at once than a 504 after the work


class Busy(Exception):
    """The work cannot finish within its budget now: 429, retry after `retry_after` s."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass
class Cost:
    """seconds ~ base + per_target * targets, by weighted least squares with forgetting."""

    sums: list[float] = field(default_factory=lambda: [0.0] * 5)  # w, wx, wxx, wy, wxy

    def __post_init__(self) -> None:
        for targets, seconds in PRIOR:
            self.observe(targets, seconds)

    def observe(self, targets: int, seconds: float) -> None:
        w, wx, wxx, wy, wxy = (FORGET * s for s in self.sums)
        x = float(targets)
        self.sums = [w + 1, wx + x, wxx + x * x, wy + seconds, wxy + x * seconds]

    def estimate(self, targets: int) -> float:
        w, wx, wxx, wy, wxy = self.sums
        spread = w * wxx - wx * wx
        if spread <= 1e-9 * max(w * wxx, 1.0):  # every recent job the same size: a rate
            return wy / max(wx, 1.0) * targets
        per_target = (w * wxy - wx * wy) / spread
        base = (wy - per_target * wx) / w
        if base < 0:  # no negative base: the best line through the origin
            per_target, base = wxy / wxx, 0.0
        elif per_target < 0:  # nor a negative rate: the mean
            per_target, base = 0.0, wy / w
        return base + per_target * targets


@dataclass(eq=False)  # each job is itself: two of the same size are not the same job
class Job:
    targets: int
    estimate: float  # s
    started: float = math.inf  # monotonic s; inf while it waits


class Lane:
    """Admission, order and threads of heavy work."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # Threads of its own, always the same few: each thread's allocator arena keeps the
        # memory of its largest job, so work moved among the shared threadpool's 40 threads
        # would grow the process's memory round after round.
        self.threads = ThreadPoolExecutor(workers, thread_name_prefix="cannon-heavy")
        self.cost = Cost()
        self.running: list[Job] = []
        self.waiting: deque[tuple[Job, asyncio.Future[None]]] = deque()

    def wait_for(self, now: float) -> float:
        """Seconds until a worker would be free for a job joining the queue now: the work
        running and waiting, shared out over the workers."""
        left = sum(max(job.estimate - (now - job.started), 0.0) for job in self.running)
        left += sum(job.estimate for job, _ in self.waiting)
        if len(self.running) + len(self.waiting) < self.workers:
            return 0.0
        return left / self.workers

    async def enter(self, targets: int, deadline: float) -> Job:
        """Wait for a worker; `Busy` when the work could not end by `deadline` (monotonic s).
        Cancelled (the client left), it leaves the queue."""
        now = time.monotonic()
        job = Job(targets, self.cost.estimate(targets))
        wait = self.wait_for(now)
        # With a worker free it always starts: work estimated past the budget on its own is
        # given its chance (and a 504 if it runs over), since a 429 would only bring it back.
        if wait > 0 and now + wait + SLACK * job.estimate > deadline:
            raise Busy(self.refusal(job, deadline - now), wait)
        if len(self.running) < self.workers and not self.waiting:
            return self.start(job)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append((job, turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # its turn had come: pass it on
                self.leave(job)
            elif (job, turn) in self.waiting:  # else `leave` already dropped it
                self.waiting.remove((job, turn))
            raise
        now = time.monotonic()
        job.estimate = self.cost.estimate(targets)  # the work just ended has taught it
        if now + SLACK * job.estimate > deadline:  # the work ahead took longer than estimated
            self.leave(job)
            raise Busy(self.refusal(job, deadline - now), self.wait_for(now))
        return job

    def start(self, job: Job) -> Job:
        job.started = time.monotonic()
        self.running.append(job)
        return job

    def leave(self, job: Job, finished: bool = False) -> None:
        """The job's work has ended (`finished`: whole, so its time teaches the estimate), or
        it gives up its turn; the next in the queue starts."""
        if job in self.running:
            self.running.remove(job)
            if finished:
                self.cost.observe(job.targets, time.monotonic() - job.started)
        while self.waiting and len(self.running) < self.workers:
            nxt, turn = self.waiting.popleft()
            if turn.done():  # cancelled: its request stopped waiting a moment ago
                continue
            self.start(nxt)
            turn.set_result(None)

    def refusal(self, job: Job, remaining: float) -> str:
        return (
            f"busy: {len(self.running)} running and {len(self.waiting)} waiting on "
            f"{self.workers} worker(s); this work (about {job.estimate:.1f} s) could not end "
            f"within the {max(remaining, 0):.1f} s left of its time budget, retry later"
        )
