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
from app.config import Settings

Work = TypeVar("Work")


async def within_budget(request: Request, work: Callable[..., Work], *args: Any) -> Work:
    """Run `work(*args)` in the threadpool; 504 past the time budget, `ClientGone` when the
    client leaves first; either way the work is cancelled at its next checkpoint."""
    settings: Settings = request.app.state.settings
    load: Load = request.app.state.load
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

    running = asyncio.ensure_future(run_in_threadpool(tracked))
    gone = asyncio.ensure_future(disconnected(request.receive))
    try:
        remaining = max(deadline - time.monotonic(), 0.0)
        await asyncio.wait({running, gone}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            return cast(Work, running.result())  # not None: nothing was cancelled yet
    finally:
        gone.cancel()
        if not running.done():  # given up on: a 504, a client gone, or a cancelled request
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


async def disconnected(receive: Receive) -> None:
    """Return when the client disconnects (the body has been read by then)."""
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except RuntimeError:  # no channel to a client (a request made in process): never gone
        await asyncio.Future()  # until cancelled
