"""Work given up on (its budget ran out, its client left) lets go of its memory at once.

In process, since what is checked is an object's lifetime, not an HTTP exchange (the fault
battery in tests/test_faults.py checks the same work stopping, over HTTP, on a real server).
"""

from __future__ import annotations

import asyncio
import time
import weakref

import pytest
from fastapi import FastAPI, Request

from app import cancel
from app.api.errors import ApiError, ClientGone
from app.api.guard import Load
from app.api.lane import Lane
from app.api.work import within_budget
from app.config import Settings


class Tensors:
    """Stands for the large arrays a batch's work holds in its frames."""


def test_work_given_up_on_frees_what_it_held_without_waiting_for_a_collection() -> None:
    held: list[weakref.ref[Tensors]] = []

    def work() -> None:
        tensors = Tensors()
        held.append(weakref.ref(tensors))
        while True:  # a long batch: stops only at a checkpoint
            cancel.checkpoint()
            time.sleep(0.005)

    server = FastAPI()
    server.state.settings = Settings(request_timeout=0.2)
    server.state.load = Load(limit=4)
    server.state.lane = Lane(workers=1)

    async def never_disconnects() -> dict[str, str]:
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def give_up() -> pytest.ExceptionInfo[ApiError]:
        request = Request({"type": "http", "app": server, "headers": []}, never_disconnects)
        with pytest.raises(ApiError) as timed_out:
            await within_budget(request, work)
        deadline = time.monotonic() + 5
        while server.state.load.orphans and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return timed_out

    timed_out = asyncio.run(give_up())
    assert timed_out.value.status_code == 504
    assert server.state.load.orphans == 0, "the work did not stop at its checkpoint"
    # The 504 is still at hand (as a server's error handling holds it for a while): nothing
    # reachable from it may keep the cancelled work's objects alive.
    assert held and held[0]() is None, "the cancelled work's objects outlived it"


def test_a_client_that_leaves_while_its_work_waits_for_a_worker_leaves_the_queue() -> None:
    server = FastAPI()
    server.state.settings = Settings(request_timeout=30)
    server.state.load = Load(limit=4)
    lane = server.state.lane = Lane(workers=1)
    ran: list[str] = []

    async def leaves_soon() -> dict[str, str]:
        await asyncio.sleep(0.2)
        return {"type": "http.disconnect"}

    async def scenario() -> None:
        busy = await lane.enter(1, deadline=time.monotonic() + 30)  # the only worker, taken
        request = Request({"type": "http", "app": server, "headers": []}, leaves_soon)
        with pytest.raises(ClientGone):
            await within_budget(request, ran.append, "work", targets=1)
        assert not lane.waiting and lane.running == [busy]
        lane.leave(busy)
        assert not lane.running

    asyncio.run(scenario())
    assert ran == [], "work ran for a client that had left"
