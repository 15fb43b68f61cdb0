"""The blocking and the async client: send a Call, retry on 429/503, return a typed answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from itertools import count
from typing import Any, Self, TypeVar

import httpx

from app.api.conditions import Conditions, Constraints
from app.api.health import Health, ModelCard, Ready
from app.api.schemas import AimResponse, BatchSolution, BatchUnreachable, VerifyResponse
from app.client import calls
from app.client.calls import Call, Options, RetryPolicy

T = TypeVar("T")
DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_RETRY = RetryPolicy()  # frozen: safe to share
Solution = BatchSolution | BatchUnreachable


class CannonClient:
    """Blocking client for a cannon-aim service. Units: metres, m/s, radians.

    >>> with CannonClient("http://127.0.0.1:8000") as cannon:
    ...     shot = cannon.aim(7.5, tolerance=0.001)
    ...     shot.angle, shot.velocity, shot.miss
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        timeout: float = 10.0,  # seconds per attempt: connect, send, wait, read
        retry: RetryPolicy = DEFAULT_RETRY,
        batch_size: int = 10_000,  # targets per /aim/batch request (the service's default limit)
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retry, self.batch_size = retry, batch_size
        self.http = httpx.Client(
            base_url=url, headers=calls.headers(api_key), timeout=timeout, transport=transport
        )

    def send(self, call: Call[T]) -> T:
        for attempt in count():
            try:
                response = self.http.request(
                    call.method, call.path, content=call.content(), params=call.params
                )
            except httpx.HTTPError as error:
                raise calls.unreachable(error, str(self.http.base_url)) from error
            wait = self.retry.wait(response, attempt)
            if wait is None:
                return call.read(response)
            time.sleep(wait)
        raise AssertionError("unreachable")  # count() never ends

    def aim(
        self,
        distance: float,
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: Conditions | None = None,
        hold: Constraints | None = None,
    ) -> AimResponse:
        """Angle (rad) and velocity (m/s) that land on `distance` (m), verified; through
        `air` (heights, wind, drag) and held to `hold` (a fixed velocity or angle) if given."""
        return self.send(calls.aim(distance, Options(tolerance, refine, air, hold)))

    def aim_many(
        self,
        distances: Sequence[float],
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: Conditions | None = None,
        hold: Constraints | None = None,
    ) -> list[Solution]:
        """One answer per target (m), in order; an unreachable one is a BatchUnreachable."""
        options = Options(tolerance, refine, air, hold)
        batches = calls.aim_many(distances, options, self.batch_size)
        return [item for call in batches for item in self.send(call).solutions]

    def verify(
        self,
        angle: float,
        velocity: float,
        distance: float,
        *,
        tolerance: float | None = None,
        air: Conditions | None = None,
    ) -> VerifyResponse:
        """Where the shot (rad, m/s) lands and whether it hits `distance` (m)."""
        return self.send(calls.verify(angle, velocity, distance, tolerance, air))

    def model(self) -> ModelCard:
        return self.send(calls.model())

    def health(self) -> Health:
        return self.send(calls.health())

    def ready(self) -> Ready:
        """The service's readiness; raises NotReady if it stays 503 through the retries."""
        return self.send(calls.ready())

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncCannonClient:
    """The same client for asyncio: `async with AsyncCannonClient(url) as cannon: ...`."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        batch_size: int = 10_000,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retry, self.batch_size = retry, batch_size
        self.http = httpx.AsyncClient(
            base_url=url, headers=calls.headers(api_key), timeout=timeout, transport=transport
        )

    async def send(self, call: Call[T]) -> T:
        for attempt in count():
            try:
                response = await self.http.request(
                    call.method, call.path, content=call.content(), params=call.params
                )
            except httpx.HTTPError as error:
                raise calls.unreachable(error, str(self.http.base_url)) from error
            wait = self.retry.wait(response, attempt)
            if wait is None:
                return call.read(response)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def aim(
        self,
        distance: float,
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: Conditions | None = None,
        hold: Constraints | None = None,
    ) -> AimResponse:
        return await self.send(calls.aim(distance, Options(tolerance, refine, air, hold)))

    async def aim_many(
        self,
        distances: Sequence[float],
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: Conditions | None = None,
        hold: Constraints | None = None,
    ) -> list[Solution]:
        options = Options(tolerance, refine, air, hold)
        batches = calls.aim_many(distances, options, self.batch_size)
        answers = [await self.send(call) for call in batches]
        return [item for answer in answers for item in answer.solutions]

    async def verify(
        self,
        angle: float,
        velocity: float,
        distance: float,
        *,
        tolerance: float | None = None,
        air: Conditions | None = None,
    ) -> VerifyResponse:
        return await self.send(calls.verify(angle, velocity, distance, tolerance, air))

    async def model(self) -> ModelCard:
        return await self.send(calls.model())

    async def health(self) -> Health:
        return await self.send(calls.health())

    async def ready(self) -> Ready:
        return await self.send(calls.ready())

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
