"""The Python client against the real service: typed answers, typed errors, retries."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from app.api.conditions import Conditions, Constraints
from app.api.health import Health, ModelCard, Ready
from app.api.schemas import AimResponse, BatchSolution, BatchUnreachable, VerifyResponse
from app.client import (
    AsyncCannonClient,
    CannonClient,
    InvalidRequest,
    NotReady,
    Overloaded,
    RetryPolicy,
    ServerTimeout,
    Unauthorized,
    Unavailable,
    UnreachableTarget,
)
from app.client.calls import retry_after
from app.config import Settings
from app.main import create_app
from app.physics import reference
from benchmarks.serving import free_port
from tests.conftest import GRAVITY, closed_form_landing, serving

FAST = RetryPolicy(retries=2, backoff=0.01)


@pytest.fixture(scope="module")
def cannon(server_url: str) -> Iterator[CannonClient]:
    with CannonClient(server_url) as client:
        yield client


def test_aim_returns_the_servers_model_verified_by_the_physics(cannon: CannonClient) -> None:
    shot = cannon.aim(7.5, tolerance=1e-6)
    assert isinstance(shot, AimResponse)
    assert shot.hit and shot.tolerance == 1e-6
    assert abs(closed_form_landing(shot.velocity, shot.angle) - 7.5) <= 1e-6


def test_aim_without_refinement_is_the_raw_proposal(cannon: CannonClient) -> None:
    shot = cannon.aim(0.5, tolerance=1e-6, refine=False)
    assert not shot.refined and shot.iterations == 0
    assert shot.miss == pytest.approx(abs(closed_form_landing(shot.velocity, shot.angle) - 0.5))


def test_aim_many_keeps_order_and_marks_unreachable_targets(cannon: CannonClient) -> None:
    answers = cannon.aim_many([1.0, 20.0, 9.5], tolerance=1e-3)
    assert [a.distance for a in answers] == [1.0, 20.0, 9.5]
    assert isinstance(answers[1], BatchUnreachable) and answers[1].max_range > 10
    for answer in (answers[0], answers[2]):
        assert isinstance(answer, BatchSolution) and answer.hit
        assert abs(closed_form_landing(answer.velocity, answer.angle) - answer.distance) <= 1e-3


def test_aim_many_splits_long_lists_into_batches(server_url: str) -> None:
    targets = [0.1 * i for i in range(1, 26)]  # m
    with CannonClient(server_url, batch_size=10) as small_batches:
        answers = small_batches.aim_many(targets)
        metrics = small_batches.http.get("/metrics").text
    assert [a.distance for a in answers] == targets and all(a.reachable for a in answers)
    assert small_batches.aim_many([]) == []  # nothing asked, nothing sent
    assert "cannon_batch_size_targets_count" in metrics


def test_verify_model_health_and_readiness(cannon: CannonClient) -> None:
    check = cannon.verify(0.6, 9.0, 7.5)
    assert isinstance(check, VerifyResponse) and not check.hit
    assert check.landing_distance == pytest.approx(closed_form_landing(9.0, 0.6), rel=1e-12)
    card = cannon.model()
    assert isinstance(card, ModelCard) and card.cannon.max_range == pytest.approx(10.1936799)
    assert isinstance(cannon.health(), Health)
    ready = cannon.ready()
    assert isinstance(ready, Ready) and ready.model_version == card.version


def test_an_unreachable_target_keeps_the_servers_detail(cannon: CannonClient) -> None:
    with pytest.raises(UnreachableTarget) as caught:
        cannon.aim(25.0)
    assert caught.value.status_code == 422
    assert caught.value.max_range == pytest.approx(10.1936799)
    assert "out of reach" in str(caught.value) and caught.value.detail[0]["loc"] == [
        "body",
        "distance",
    ]


@pytest.mark.parametrize(
    "call, where",
    [
        (lambda c: c.aim(float("nan")), "distance"),
        (lambda c: c.aim(5.0, tolerance=0.0), "tolerance"),
        (lambda c: c.verify(3.0, 9.0, 7.5), "cannon fires"),
        (lambda c: c.aim_many([1.0, float("inf")]), "distances"),
    ],
)
def test_bad_requests_raise_invalid_request_with_the_detail(
    cannon: CannonClient, call: object, where: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call(cannon)  # type: ignore[operator]
    assert caught.value.status_code in (400, 422) and where in str(caught.value)
    assert not isinstance(caught.value, UnreachableTarget)


def test_the_api_key_is_sent_and_a_wrong_one_is_an_auth_error() -> None:
    with (
        serving(Settings(api_key="s3cret")) as url,
        CannonClient(url, api_key="s3cret") as keyed,
        CannonClient(url) as bare,
    ):
        assert keyed.aim(2.0).hit
        with pytest.raises(Unauthorized) as caught:
            bare.aim(2.0)
        assert caught.value.status_code == 401 and "key" in str(caught.value).lower()
        assert bare.health().status == "ok"  # operations stay open


@contextmanager
def slot_held(app: FastAPI) -> Iterator[threading.Event]:
    """The server's only aiming slot taken until released, as a request at work takes it.
    (A request whose body trickles in no longer holds one: the slot is taken once the body is
    in, tests/test_limits.py.)"""
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
            assert caught.value.status_code == 429 and "busy" in str(caught.value)
        threading.Timer(0.3, release.set).start()
        start = time.monotonic()
        with CannonClient(url) as patient:
            assert patient.aim(2.0).hit
        waited = time.monotonic() - start
        assert waited >= 0.9, waited  # it waited the server's Retry-After: 1 (second)


def test_not_ready_is_retried_then_raised_with_the_reason() -> None:
    # One refinement step cannot reach 1e-6 m at every self-check target: never ready.
    unfit = Settings(max_refine_iterations=1, on_failed_self_check="unavailable")
    with serving(unfit) as url, CannonClient(url, retry=FAST) as c:
        with pytest.raises(NotReady) as caught:
            c.ready()
        assert caught.value.status_code == 503 and "self-check failed" in str(caught.value)


def test_a_timeout_of_the_service_is_its_own_error() -> None:
    with serving(Settings(request_timeout=1e-3)) as url, CannonClient(url) as c:
        with pytest.raises(ServerTimeout) as caught:
            c.aim_many([0.001 * i for i in range(1, 10_001)])
        assert caught.value.status_code == 504 and "time budget" in str(caught.value)


def test_no_service_and_a_client_timeout_are_unavailable() -> None:
    nobody = CannonClient(f"http://127.0.0.1:{free_port()}", retry=FAST)
    with nobody, pytest.raises(Unavailable, match="failed"):
        nobody.aim(2.0)
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
    async def ask() -> tuple[AimResponse, list[BatchSolution | BatchUnreachable], Ready]:
        async with AsyncCannonClient(server_url) as client:
            one, many, ready = await asyncio.gather(
                client.aim(4.0, tolerance=1e-6), client.aim_many([4.0, 30.0]), client.ready()
            )
            with pytest.raises(UnreachableTarget):
                await client.aim(30.0)
            return one, many, ready

    one, many, ready = asyncio.run(ask())
    assert one == cannon.aim(4.0, tolerance=1e-6)
    assert many[0].reachable and not many[1].reachable
    assert ready.status == "ready"


@pytest.mark.parametrize(
    "header, seconds",
    [("2", 2.0), ("0.5", 0.5), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", -1)],
)
def test_retry_after_reads_seconds_and_http_dates(
    header: str | None, seconds: float | None
) -> None:
    value = retry_after(header)
    if seconds == -1:  # a date in the past: no wait (negative, clamped by the policy)
        assert value is not None and value < 0
        response = httpx.Response(429, headers={"Retry-After": header or ""})
        assert RetryPolicy().wait(response, 0) == 0.0
    else:
        assert value == seconds


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
    with pytest.raises(ValidationError):  # the envelope, checked before anything is sent
        Conditions(drag=0.5)
