"""The Python client (cannon_client) against the real service: typed answers, typed errors,
retries, and the async client's concurrent chunks, seen as they go out."""

from __future__ import annotations

import asyncio
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from cannon_client import (
    AimResponse,
    AirModelCard,
    AsyncCannonClient,
    BatchSolution,
    BatchUnreachable,
    CannonClient,
    CannonError,
    Conditions,
    Constraints,
    Health,
    InvalidRequest,
    ModelCard,
    NotReady,
    Overloaded,
    Ready,
    RetryPolicy,
    ServerTimeout,
    SpaceModelCard,
    Unauthorized,
    Unavailable,
    UnreachableTarget,
    VerifyResponse,
)
from cannon_client.calls import retry_after
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError

from app.config import Settings
from app.main import create_app
from app.physics import reference
from benchmarks.serving import free_port
from tests.conftest import GRAVITY, closed_form_landing, serving

FAST = RetryPolicy(retries=2, backoff=0.01)


class Watched(httpx.AsyncBaseTransport):
    """The real transport, counting the requests it has in flight: what the client sends at
    once, observed where it leaves the client."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.now = self.most = self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.sent += 1
        self.most = max(self.most, self.now)
        try:
            response = await self.inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.now -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def cannon(server_url: str) -> Iterator[CannonClient]:
    with CannonClient(server_url) as client:
        yield client


def test_aim_returns_a_shot_verified_by_the_physics(cannon: CannonClient) -> None:
    shot = cannon.aim(7.5, tolerance=1e-6)
    assert isinstance(shot, AimResponse)
    assert shot.hit and shot.tolerance == 1e-6
    assert abs(closed_form_landing(shot.velocity, shot.angle) - 7.5) <= 1e-6
    assert shot.angle_degrees == pytest.approx(math.degrees(shot.angle), rel=1e-12)


def test_aim_without_refinement_is_the_raw_proposal(cannon: CannonClient) -> None:
    shot = cannon.aim(0.5, tolerance=1e-6, refine=False)
    assert not shot.refined and shot.iterations == 0
    assert shot.miss == pytest.approx(abs(closed_form_landing(shot.velocity, shot.angle) - 0.5))


def test_aim_many_keeps_order_and_marks_unreachable_targets(cannon: CannonClient) -> None:
    answers = cannon.aim_many([1.0, 20.0, 9.5], tolerance=1e-3)
    assert [a.distance for a in answers] == [1.0, 20.0, 9.5]
    assert isinstance(answers[1], BatchUnreachable) and answers[1].max_range is not None
    assert answers[1].max_range == pytest.approx(10.0**2 / GRAVITY)  # m
    for answer in (answers[0], answers[2]):
        assert isinstance(answer, BatchSolution) and answer.hit
        assert abs(closed_form_landing(answer.velocity, answer.angle) - answer.distance) <= 1e-3


def test_aim_many_splits_long_lists_into_batches(server_url: str) -> None:
    targets = [0.1 * i for i in range(1, 26)]  # m
    with CannonClient(server_url, batch_size=10) as small_batches:
        before = batches_counted(small_batches)
        answers = small_batches.aim_many(targets)
        assert batches_counted(small_batches) - before == 3  # 10 + 10 + 5 targets
        assert small_batches.aim_many([]) == []  # nothing asked, nothing sent
        assert batches_counted(small_batches) - before == 3
    assert [a.distance for a in answers] == targets and all(a.reachable for a in answers)


def batches_counted(client: CannonClient) -> float:
    """How many /aim/batch requests the service has counted (its Prometheus histogram)."""
    for line in client.http.get("/metrics").text.splitlines():
        if line.startswith("cannon_batch_size_targets_count"):
            return float(line.split()[-1])
    return 0.0


def test_verify_model_cards_health_and_readiness(cannon: CannonClient) -> None:
    check = cannon.verify(0.6, 9.0, 7.5)
    assert isinstance(check, VerifyResponse) and not check.hit
    assert check.landing_distance == pytest.approx(closed_form_landing(9.0, 0.6), rel=1e-12)
    card = cannon.model()
    assert isinstance(card, ModelCard) and card.cannon.max_range == pytest.approx(10.1936799)
    air = cannon.air_model()
    assert isinstance(air, AirModelCard) and air.version != card.version
    assert air.envelope.drag[0] == 0.0 < air.envelope.drag[1]  # k v_max^2/g, dimensionless
    space = cannon.space_model()
    assert isinstance(space, SpaceModelCard) and space.version not in (card.version, air.version)
    assert space.envelope == air.envelope and space.architecture["inputs"] == "space"
    assert space.validation["targets"] > 0 and "median_miss_m" in space.validation  # m
    assert isinstance(cannon.health(), Health)
    ready = cannon.ready()
    assert isinstance(ready, Ready) and ready.model_version == card.version


def test_the_local_client_gives_the_services_cards(cannon: CannonClient) -> None:
    """`cannon` without --url answers from app/cli/local.py: the same three cards."""
    from app.cli.local import LocalCannon

    local = LocalCannon()
    assert local.space_model() == cannon.space_model()
    assert local.air_model() == cannon.air_model() and local.model() == cannon.model()


def test_trajectory_and_loss_surface_agree_with_the_closed_form(cannon: CannonClient) -> None:
    arc = cannon.trajectory(0.7, 9.0, points=5)
    assert arc.points == len(arc.x) == len(arc.y) == 5
    assert arc.x[-1] == pytest.approx(closed_form_landing(9.0, 0.7), rel=1e-12)
    assert arc.apex_height == pytest.approx((9.0 * math.sin(0.7)) ** 2 / (2 * GRAVITY))
    surface = cannon.loss_surface(7.5, velocities=3, angles=2, loss="absolute")
    assert surface.unit == "m" and len(surface.loss) == 2 and len(surface.loss[0]) == 3
    i, j = 1, 2  # angle[1], velocity[2]
    miss = abs(closed_form_landing(surface.velocity[j], surface.angle[i]) - 7.5)
    assert surface.loss[i][j] == pytest.approx(miss, rel=1e-9)
    assert surface.min_loss == min(cell for row in surface.loss for cell in row if cell is not None)


def test_trajectory_and_loss_surface_through_air_agree_with_scipy(cannon: CannonClient) -> None:
    air = Conditions(drag=0.1, wind=-2.0, launch_height=1.5, target_height=0.5)
    arc = cannon.trajectory(0.7, 9.0, points=5, air=air)
    truth = reference.landing(9.0, 0.7, 1.5, 0.5, -2.0, 0.1, GRAVITY)
    assert arc.landing_distance == pytest.approx(truth.distance, abs=1e-9)
    assert arc.y[0] == 1.5 and arc.y[-1] == pytest.approx(0.5, abs=1e-6)  # m
    up = Conditions(drag=0.1, target_height=2.0)  # 2 m above the launch
    surface = cannon.loss_surface(2.0, velocities=4, angles=3, air=up)
    for i, angle in enumerate(surface.angle):
        for j, velocity in enumerate(surface.velocity):
            landing = reference.landing(velocity, angle, 0.0, 2.0, 0.0, 0.1, GRAVITY).distance
            if math.isnan(landing):  # never comes down through 2 m: no loss, not a number
                assert surface.loss[i][j] is None
            else:
                assert surface.loss[i][j] == pytest.approx((landing - 2.0) ** 2, abs=1e-9)
    assert any(cell is None for row in surface.loss for cell in row)


def test_an_unreachable_target_keeps_the_servers_detail(cannon: CannonClient) -> None:
    with pytest.raises(UnreachableTarget) as caught:
        cannon.aim(25.0)
    error = caught.value
    assert error.status == 422 and error.max_range == pytest.approx(10.1936799)
    assert isinstance(error.detail, str) and "out of reach" in error.detail
    assert str(error) == error.detail and error.body["max_range"] == error.max_range
    assert error.items[0]["loc"] == ["body", "distance"]
    with pytest.raises(UnreachableTarget):  # /loss-surface says so in the same words
        cannon.loss_surface(25.0)


@pytest.mark.parametrize(
    "call, where",
    [
        (lambda c: c.aim(float("nan")), "distance"),
        (lambda c: c.aim(5.0, tolerance=0.0), "tolerance"),
        (lambda c: c.verify(3.0, 9.0, 7.5), "cannon fires"),
        (lambda c: c.aim_many([1.0, float("inf")]), "distances"),
        (lambda c: c.trajectory(0.7, 12.0), "cannon fires"),
        (lambda c: c.trajectory(0.7, 9.0, points=1), "points"),
        (lambda c: c.loss_surface(7.5, velocities=500), "velocities"),
    ],
)
def test_bad_requests_raise_invalid_request_with_the_detail(
    cannon: CannonClient, call: Callable[[CannonClient], object], where: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call(cannon)
    assert caught.value.status in (400, 422) and where in str(caught.value)
    assert not isinstance(caught.value, UnreachableTarget)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Conditions(drag=float("nan")),
        lambda: Conditions(wind=math.inf),
        lambda: Conditions(drag=0.5),  # 1/m, above the envelope's 0.2
        lambda: Conditions(launch_height=-0.1),
        lambda: Conditions(launch_height=3.0, target_height=-0.5),  # 3.5 m below
        lambda: Conditions(wind=False),
        lambda: Conditions(drag="0.1"),  # type: ignore[arg-type]
        lambda: Conditions(gravity=9.81),  # type: ignore[call-arg]
        lambda: Conditions.model_validate({"drag": True}),
        lambda: Conditions.model_validate_json('{"wind": NaN}'),
        lambda: Constraints(velocity=0.0),
        lambda: Constraints(angle=-0.1),
        lambda: Constraints(velocity=9.0, angle=0.5),
        lambda: Constraints(arc="middle"),  # type: ignore[arg-type]
        lambda: Constraints.model_validate({"velocity": "fast"}),
    ],
)
def test_bad_conditions_are_refused_before_sending(build: Callable[[], object]) -> None:
    with pytest.raises(InvalidRequest) as caught:
        build()
    error = caught.value
    assert isinstance(error, ValueError) and not isinstance(error, ValidationError)
    assert error.status is None and error.detail and error.items  # refused here, with reasons


def test_the_api_key_is_sent_and_a_wrong_one_is_an_auth_error() -> None:
    with (
        serving(Settings(api_key=SecretStr("s3cret"))) as url,
        CannonClient(url, api_key="s3cret") as keyed,
        CannonClient(url) as bare,
    ):
        assert keyed.aim(2.0).hit and keyed.trajectory(0.5, 5.0).points == 100
        with pytest.raises(Unauthorized) as caught:
            bare.aim(2.0)
        assert caught.value.status == 401 and "key" in str(caught.value).lower()
        with pytest.raises(Unauthorized):
            bare.loss_surface(5.0)
        assert bare.health().status == "ok"  # operations stay open


@contextmanager
def slot_held(app: FastAPI) -> Iterator[threading.Event]:
    """The server's only aiming slot taken until released, as a request at work takes it."""
    load = app.state.load
    release = threading.Event()
    load.in_flight += 1

    def free() -> None:
        release.wait(30)
        load.in_flight -= 1

    thread = threading.Thread(target=free)
    thread.start()
    try:
        yield release
    finally:
        release.set()
        thread.join(30)


def test_overload_is_retried_after_retry_after_then_answered() -> None:
    app = create_app(settings := Settings(max_concurrent=1))
    with serving(settings, app) as url, slot_held(app) as release:
        time.sleep(0.2)  # the held request is in flight
        with CannonClient(url, retry=RetryPolicy(retries=0)) as impatient:
            with pytest.raises(Overloaded) as caught:
                impatient.aim(2.0)
            assert caught.value.status == 429 and "busy" in str(caught.value)
        threading.Timer(0.3, release.set).start()
        start = time.monotonic()
        with CannonClient(url) as patient:
            assert patient.aim(2.0).hit
        waited = time.monotonic() - start
        assert waited >= 0.9, waited  # it waited the server's Retry-After: 1 (second)


def test_not_ready_is_retried_then_raised_with_the_reason() -> None:
    # One refinement step cannot reach 1e-6 m at every self-check target: never ready.
    unfit = Settings(max_refine_iterations=1, on_failed_self_check="unavailable")
    watched = Watched()

    async def ask(url: str) -> None:
        async with AsyncCannonClient(url, retry=FAST, transport=watched) as client:
            await client.ready()

    with serving(unfit) as url, pytest.raises(NotReady) as caught:
        asyncio.run(ask(url))
    assert caught.value.status == 503 and "self-check failed" in str(caught.value)
    assert watched.sent == 3  # the first attempt and FAST's 2 retries


def test_a_timeout_of_the_service_is_its_own_error() -> None:
    with serving(Settings(request_timeout=1e-3)) as url, CannonClient(url) as c:
        with pytest.raises(ServerTimeout) as caught:
            c.aim_many([0.001 * i for i in range(1, 10_001)])
        assert caught.value.status == 504 and "time budget" in str(caught.value)


def test_no_service_and_a_client_timeout_are_unavailable() -> None:
    nobody = CannonClient(f"http://127.0.0.1:{free_port()}", retry=FAST)
    with nobody, pytest.raises(Unavailable, match="failed") as caught:
        nobody.aim(2.0)
    assert caught.value.status is None and isinstance(caught.value, CannonError)
    silent = socket.socket()  # listens but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        port = silent.getsockname()[1]
        slow = CannonClient(f"http://127.0.0.1:{port}", timeout=0.3)
        with slow, pytest.raises(Unavailable, match="timed out"):
            slow.aim(2.0)
    finally:
        silent.close()


def test_the_async_client_gives_the_same_answers(server_url: str, cannon: CannonClient) -> None:
    async def ask() -> tuple[object, ...]:
        async with AsyncCannonClient(server_url) as client:
            answers = await asyncio.gather(
                client.aim(4.0, tolerance=1e-6),
                client.aim_many([4.0, 30.0]),
                client.verify(0.6, 9.0, 7.5),
                client.trajectory(0.7, 9.0, points=5),
                client.loss_surface(7.5, velocities=3, angles=2),
                client.model(),
                client.air_model(),
                client.space_model(),
                client.health(),
                client.ready(),
            )
            with pytest.raises(UnreachableTarget):
                await client.aim(30.0)
            return tuple(answers)

    one, many, check, arc, surface, card, air, space, health, ready = asyncio.run(ask())
    assert one == cannon.aim(4.0, tolerance=1e-6)
    assert isinstance(many, list) and many[0].reachable and not many[1].reachable
    assert check == cannon.verify(0.6, 9.0, 7.5)
    assert arc == cannon.trajectory(0.7, 9.0, points=5)
    assert surface == cannon.loss_surface(7.5, velocities=3, angles=2)
    assert card == cannon.model() and air == cannon.air_model()
    assert space == cannon.space_model()
    assert health == Health(status="ok") and isinstance(ready, Ready)


@pytest.mark.parametrize("in_flight", [1, 4])
def test_async_aim_many_sends_its_chunks_together_and_keeps_their_order(
    server_url: str, in_flight: int
) -> None:
    targets = [0.5 * i for i in range(1, 25)]  # m; 21 (10.5 m) and above are out of reach
    watched = Watched()

    async def ask() -> list[BatchSolution | BatchUnreachable]:
        async with AsyncCannonClient(
            server_url, batch_size=2, in_flight=in_flight, transport=watched
        ) as client:
            return await client.aim_many(targets, tolerance=1e-3)

    answers = asyncio.run(ask())
    assert watched.sent == 12  # 24 targets, 2 a request
    assert watched.most == in_flight  # as many at once as allowed, never more
    assert [a.distance for a in answers] == targets
    assert [a.reachable for a in answers] == [t < 10.1936799 for t in targets]


def test_async_aim_many_raises_the_first_error_itself(server_url: str) -> None:
    async def ask() -> None:
        async with AsyncCannonClient(server_url, batch_size=1) as client:
            await client.aim_many([1.0, 2.0, float("nan"), 3.0])

    with pytest.raises(InvalidRequest, match="finite"):  # not an ExceptionGroup
        asyncio.run(ask())


@pytest.mark.parametrize(
    "header, seconds",
    [("2", 2.0), ("0.5", 0.5), (None, None), ("soon", None), ("nan", None), ("inf", None)],
)
def test_retry_after_reads_seconds(header: str | None, seconds: float | None) -> None:
    assert retry_after(header) == seconds


def test_retry_after_reads_http_dates_and_a_past_one_means_now() -> None:
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert (retry_after(past) or 0.0) < 0
    assert RetryPolicy().wait(httpx.Response(429, headers={"Retry-After": past}), 0) == 0.0
    asked = RetryPolicy().wait(httpx.Response(503, headers={"Retry-After": "99"}), 0)
    assert asked == 10.0  # capped at max_wait (s)
    assert RetryPolicy().wait(httpx.Response(500), 0) is None  # not retried


def test_aim_through_air_held_to_a_velocity(cannon: CannonClient) -> None:
    air = Conditions(drag=0.1, wind=-2.0, launch_height=1.5)
    shot = cannon.aim(4.0, tolerance=1e-6, air=air, hold=Constraints(velocity=9.0, arc="high"))
    assert shot.hit and shot.velocity == 9.0 and shot.angle > 0.785
    truth = reference.landing(shot.velocity, shot.angle, 1.5, 0.0, -2.0, 0.1, GRAVITY)
    assert abs(truth.distance - 4.0) <= 1e-6
    assert shot.flight_time == pytest.approx(truth.flight_time, abs=1e-9)
    check = cannon.verify(shot.angle, shot.velocity, 4.0, air=air)
    # /verify: the service's DOP853 against scipy's, both at 1e-12
    assert check.landing_distance == pytest.approx(truth.distance, abs=1e-10) and check.hit
    batch = cannon.aim_many([3.0, 4.0], tolerance=1e-6, air=air)
    for answer in batch:
        assert isinstance(answer, BatchSolution) and answer.hit
        landing = reference.landing(answer.velocity, answer.angle, 1.5, 0.0, -2.0, 0.1, GRAVITY)
        assert abs(landing.distance - answer.distance) <= 1e-6
