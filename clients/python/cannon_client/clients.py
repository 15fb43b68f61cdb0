"""The blocking and the async client: send a Call, retry on 429/503, return a typed answer.

Both have the same methods with the same arguments; the async one's are awaited, and its
`aim_many` sends its chunks concurrently (a few at a time, answers in request order).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from itertools import count
from typing import TYPE_CHECKING, Literal, Self, TypeVar

from pydantic import BaseModel

from cannon_client import answers, calls
from cannon_client.calibration import AsyncCalibrationMethods, CalibrationMethods
from cannon_client.calls import Call, Options, RetryPolicy
from cannon_client.conditions import Conditions, Constraints
from cannon_client.odds import Objective, Uncertainty
from cannon_client.space import AsyncSpaceMethods, SpaceMethods

if TYPE_CHECKING:
    import httpx

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_RETRY = RetryPolicy()  # frozen: safe to share
BATCH_SIZE = 10_000  # targets per /aim/batch request: the service's default limit
IN_FLIGHT = 4  # the async aim_many's chunks in flight at once
Loss = Literal["squared", "absolute"]
M = TypeVar("M", bound=BaseModel)


class CannonClient(SpaceMethods, CalibrationMethods):
    """Blocking client for a cannon-aim service. Units: metres (m), m/s, radians (rad).
    In 3D, at moving targets: `aim_at`, `aim_many_at`, `verify_at` (cannon_client/space.py);
    the air from ranging shots: `calibrate` (cannon_client/calibration.py).

    >>> with CannonClient("http://127.0.0.1:8000") as cannon:
    ...     shot = cannon.aim(7.5, tolerance=0.001)  # target 7.5 m, miss at most 1 mm
    ...     shot.angle, shot.velocity, shot.miss  # rad, m/s, m
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        timeout: float = 10.0,  # seconds per attempt: connect, send, wait, read
        retry: RetryPolicy = DEFAULT_RETRY,
        batch_size: int = BATCH_SIZE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        import httpx  # here, not at import: httpx loads rich and click where they are installed

        self.retry, self.batch_size = retry, batch_size
        self.http = httpx.Client(
            base_url=url, headers=calls.headers(api_key), timeout=timeout, transport=transport
        )

    def send(self, call: Call[M]) -> M:
        """The call's typed answer, after the retries the policy allows."""
        import httpx

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
        uncertainty: Uncertainty | None = None,
        objective: Objective | None = None,
    ) -> answers.AimResponse:
        """Angle (rad) and velocity (m/s) that land on `distance` (m) within `tolerance` (m),
        verified; through `air` and held to `hold` if given. With `uncertainty`, the answer's
        `dispersion` (m) and `hit_probability`; with objective "max_hit_probability" its
        `best_odds` too."""
        return self.send(
            calls.aim(distance, Options(tolerance, refine, air, hold, uncertainty, objective))
        )

    def aim_many(
        self,
        distances: Sequence[float],
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: Conditions | None = None,
        hold: Constraints | None = None,
        uncertainty: Uncertainty | None = None,
        objective: Objective | None = None,
    ) -> list[answers.Solution]:
        """One answer per target (m), in order; an unreachable one is a BatchUnreachable.
        Sent `batch_size` targets per request, one request after another."""
        batches = calls.aim_many(
            distances,
            Options(tolerance, refine, air, hold, uncertainty, objective),
            self.batch_size,
        )
        return [item for call in batches for item in self.send(call).solutions]

    def verify(
        self,
        angle: float,
        velocity: float,
        distance: float,
        *,
        tolerance: float | None = None,
        air: Conditions | None = None,
    ) -> answers.VerifyResponse:
        """Where the shot (rad, m/s) lands and whether it hits `distance` (m)."""
        return self.send(calls.verify(angle, velocity, distance, tolerance, air))

    def trajectory(
        self,
        angle: float,
        velocity: float,
        *,
        points: int | None = None,
        air: Conditions | None = None,
    ) -> answers.TrajectoryResponse:
        """The arc of a shot (rad, m/s): `points` positions (m), evenly spaced in time."""
        return self.send(calls.trajectory(angle, velocity, points, air))

    def loss_surface(
        self,
        distance: float,
        *,
        velocities: int | None = None,
        angles: int | None = None,
        loss: Loss | None = None,
        air: Conditions | None = None,
    ) -> answers.LossSurfaceResponse:
        """The miss for `distance` (m) over a grid of velocities (m/s) and angles (rad):
        squared (m^2) or absolute (m)."""
        return self.send(calls.loss_surface(distance, velocities, angles, loss, air))

    def model(self) -> answers.ModelCard:
        return self.send(calls.model())

    def air_model(self) -> answers.AirModelCard:
        return self.send(calls.air_model())

    def space_model(self) -> answers.SpaceModelCard:
        """The 3D network's card: its inputs, envelope (the cannon's units), misses (m)."""
        return self.send(calls.space_model())

    def health(self) -> answers.Health:
        return self.send(calls.health())

    def ready(self) -> answers.Ready:
        """The service's readiness; raises NotReady if it stays 503 through the retries."""
        return self.send(calls.ready())

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncCannonClient(AsyncSpaceMethods, AsyncCalibrationMethods):
    """The same client for asyncio: `async with AsyncCannonClient(url) as cannon: ...`."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        timeout: float = 10.0,  # seconds per attempt
        retry: RetryPolicy = DEFAULT_RETRY,
        batch_size: int = BATCH_SIZE,
        in_flight: int = IN_FLIGHT,  # aim_many's requests at once
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if in_flight < 1:
            raise ValueError("in_flight must be at least 1 (requests at once)")
        import httpx

        self.retry, self.batch_size, self.in_flight = retry, batch_size, in_flight
        self.http = httpx.AsyncClient(
            base_url=url, headers=calls.headers(api_key), timeout=timeout, transport=transport
        )

    async def send(self, call: Call[M]) -> M:
        import asyncio  # here, not at import: asyncio alone costs as much as the models

        import httpx

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
        uncertainty: Uncertainty | None = None,
        objective: Objective | None = None,
    ) -> answers.AimResponse:
        return await self.send(
            calls.aim(distance, Options(tolerance, refine, air, hold, uncertainty, objective))
        )

    async def aim_many(
        self,
        distances: Sequence[float],
        *,
        tolerance: float | None = None,
        refine: bool | None = None,
        air: Conditions | None = None,
        hold: Constraints | None = None,
        uncertainty: Uncertainty | None = None,
        objective: Objective | None = None,
    ) -> list[answers.Solution]:
        """As the blocking one's, but up to `in_flight` requests at once; the first error
        cancels the rest."""
        import asyncio

        batches = calls.aim_many(
            distances,
            Options(tolerance, refine, air, hold, uncertainty, objective),
            self.batch_size,
        )
        gate = asyncio.Semaphore(self.in_flight)

        async def one(call: Call[answers.AimBatchResponse]) -> answers.AimBatchResponse:
            async with gate:
                return await self.send(call)

        tasks = [asyncio.ensure_future(one(call)) for call in batches]
        try:
            answered = await asyncio.gather(*tasks)
        except BaseException:  # the error itself is raised, not wrapped in an ExceptionGroup
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return [item for answer in answered for item in answer.solutions]

    async def verify(
        self,
        angle: float,
        velocity: float,
        distance: float,
        *,
        tolerance: float | None = None,
        air: Conditions | None = None,
    ) -> answers.VerifyResponse:
        return await self.send(calls.verify(angle, velocity, distance, tolerance, air))

    async def trajectory(
        self,
        angle: float,
        velocity: float,
        *,
        points: int | None = None,
        air: Conditions | None = None,
    ) -> answers.TrajectoryResponse:
        return await self.send(calls.trajectory(angle, velocity, points, air))

    async def loss_surface(
        self,
        distance: float,
        *,
        velocities: int | None = None,
        angles: int | None = None,
        loss: Loss | None = None,
        air: Conditions | None = None,
    ) -> answers.LossSurfaceResponse:
        return await self.send(calls.loss_surface(distance, velocities, angles, loss, air))

    async def model(self) -> answers.ModelCard:
        return await self.send(calls.model())

    async def air_model(self) -> answers.AirModelCard:
        return await self.send(calls.air_model())

    async def space_model(self) -> answers.SpaceModelCard:
        return await self.send(calls.space_model())

    async def health(self) -> answers.Health:
        return await self.send(calls.health())

    async def ready(self) -> answers.Ready:
        return await self.send(calls.ready())

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
