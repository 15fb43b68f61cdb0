"""Cooperative cancellation of aiming work that nobody will read.

Work runs in threads, and a Python thread cannot be stopped from outside. So the aiming loops
call `checkpoint()` between their rounds (refinement steps, root-finding steps, simulator
passes, chunks of the reference integration), and the caller that gave up on the work (its
client left, its time budget ran out, the server is shutting down) sets the work's token:
the next checkpoint raises `Cancelled`, and the thread, its core and its memory are free.

Plain library code with no HTTP: the token is a `threading.Event` held in a context variable,
so the loops need no extra argument and code that runs outside `watching` (the training, the
benchmarks, the self-check) never stops.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

Value = TypeVar("Value")

_token: ContextVar[threading.Event | None] = ContextVar("cannon_cancel_token", default=None)


class Cancelled(Exception):
    """The work was given up on by whoever started it."""


@contextmanager
def watching(token: threading.Event) -> Iterator[None]:
    """Run the block so that `checkpoint()` raises `Cancelled` once `token` is set."""
    reset = _token.set(token)
    try:
        yield
    finally:
        _token.reset(reset)


def checkpoint() -> None:
    """Raise `Cancelled` if the work running here was given up on; otherwise return at once."""
    _stop_if_set(_token.get())


def _stop_if_set(token: threading.Event | None) -> None:
    if token is not None and token.is_set():
        raise Cancelled("the work was cancelled")


def watched(value: Value) -> Value:
    """`checkpoint()` now, and again when autograd passes back through `value` (a tensor that
    requires grad; duck-typed so this module needs no torch): a backward pass through a large
    batch takes as long as its forward pass, and is given up on just the same."""
    checkpoint()
    token = _token.get()
    hook: Any = getattr(value, "register_hook", None)
    if token is not None and hook is not None and getattr(value, "requires_grad", False):

        def check(grad: Any) -> Any:
            _stop_if_set(token)  # the token of the forward pass: backward may run elsewhere
            return grad

        hook(check)
    return value
