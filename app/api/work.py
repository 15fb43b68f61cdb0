"""Aiming work off the event loop, within the request's time budget, for a client still there.

CPU work of milliseconds and more runs in the threadpool. Three things end it early:
- the time budget (CANNON_REQUEST_TIMEOUT) runs out: 504;
- the client disconnects: `ClientGone`, counted as 499 and logged, never a 500;
- the request itself is cancelled (the server's shutdown grace ran out).
In each case the work's cancellation token is set, so the thread stops at its next checkpoint
(app/cancel.py) and frees its core; until it does, it counts against the concurrency limit
(app/api/guard.py), so work given up on cannot pile up.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from starlette.types import Receive

from app import cancel
from app.api.errors import ApiError, ClientGone
from app.api.guard import Load
from app.api.lane import Busy, Job, Lane
from app.config import Settings

Work = TypeVar("Work")


async def within_budget(
    request: Request, work: Callable[..., Work], *args: Any, targets: int | None = None
) -> Work:
    """Run `work(*args)` in the threadpool; 504 past the time budget, `ClientGone` when the
    client leaves first; either way the work is cancelled at its next checkpoint. Heavy work
    (given its `targets`) waits its turn in the lane (app/api/lane.py) first: `Busy` (429)
    when it could not end within the budget."""
    settings: Settings = request.app.state.settings
    load: Load = request.app.state.load
    lane: Lane = request.app.state.lane
    state = request.scope.setdefault("state", {})
    deadline = state.setdefault("deadline", time.monotonic() + settings.request_timeout)
    token, ended, orphaned = threading.Event(), threading.Event(), threading.Event()

    def tracked() -> Work | None:
        try:
            with cancel.watching(token):
                return work(*args)
        except cancel.Cancelled:
            # Nobody reads this: a traceback kept on the task would hold the work's frames,
            # and with them its tensors (gigabytes for large batches), until a full collection.
            return None
        finally:
            with load.lock:
                ended.set()
                if orphaned.is_set():
                    load.orphans -= 1

    gone = asyncio.ensure_future(disconnected(request.receive))
    running: asyncio.Future[Work | None] | None = None
    try:
        job = None if targets is None else await queued(lane, targets, deadline, gone)
        if job is None:
            running = asyncio.ensure_future(run_in_threadpool(tracked))
        else:  # the worker is free again when the thread ends, not before
            running = asyncio.get_running_loop().run_in_executor(lane.threads, tracked)
            running.add_done_callback(lambda task: lane.leave(job, finished=finished(task)))
        remaining = max(deadline - time.monotonic(), 0.0)
        either: set[asyncio.Future[Any]] = {running, gone}
        await asyncio.wait(either, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            return cast(Work, running.result())  # not None: nothing was cancelled yet
    finally:
        gone.cancel()
        if running is not None and not running.done():  # given up on: 504, client gone, ...
            token.set()
            running.add_done_callback(lambda task: task.cancelled() or task.exception())  # no log
            with load.lock:
                if not ended.is_set():
                    orphaned.set()
                    load.orphans += 1
    if gone.done() and not gone.cancelled():
        raise ClientGone("the client disconnected before the answer was ready")
    message = f"the work took longer than the time budget of {settings.request_timeout} s"
    raise ApiError(504, [], message, "timeout")


async def queued(lane: Lane, targets: int, deadline: float, gone: asyncio.Future[None]) -> Job:
    """A worker of the lane for this work; `Busy` if it cannot end by the deadline,
    `ClientGone` if the client leaves while it waits."""
    entering = asyncio.ensure_future(lane.enter(targets, deadline))
    remaining = max(deadline - time.monotonic(), 0.0)
    either: set[asyncio.Future[Any]] = {entering, gone}
    try:
        await asyncio.wait(either, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # the request itself (the shutdown grace ran out)
        entering.cancel()
        if entering.done() and not entering.cancelled() and entering.exception() is None:
            lane.leave(entering.result())  # its turn had come: pass it on
        raise
    if entering.done():
        return entering.result()  # or raises Busy
    entering.cancel()  # leaves the queue
    await asyncio.wait({entering})  # once it has
    if gone.done():
        raise ClientGone("the client disconnected while its work waited for a worker")
    raise Busy("busy: the work ahead took longer than estimated, retry later", 1)


def finished(task: asyncio.Future[Any]) -> bool:
    """Whether the work ran whole (so that its time teaches the lane's estimate)."""
    return not task.cancelled() and task.exception() is None and task.result() is not None


async def disconnected(receive: Receive) -> None:
    """Return when the client disconnects (the body has been read by then)."""
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except RuntimeError:  # no channel to a client (a request made in process): never gone
        await asyncio.Future()  # until cancelled
