"""The API key, the concurrency limit, the time budget and CORS, on real servers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.requests import Request

from app.api.errors import ApiError
from app.api.routes import within_budget
from app.config import Settings
from app.main import create_app
from tests.conftest import serving

AIMING = [("POST", "/aim", {"distance": 5.0}), ("POST", "/aim/batch", {"distances": [5.0]})]
AIMING += [("GET", "/verify?angle=0.7&velocity=8&distance=6.5", None)]
AIMING += [
    ("GET", "/trajectory?angle=0.7&velocity=8", None),
    ("GET", "/loss-surface?distance=5", None),
]
BATCH = {"distances": [0.001 + i * 1e-3 for i in range(10_000)], "tolerance": 1e-6}


@pytest.fixture(scope="module")
def keyed() -> Iterator[httpx.Client]:
    with serving(Settings(api_key="s3cret-key")) as url, httpx.Client(base_url=url) as client:
        yield client


@pytest.mark.parametrize("method, path, body", AIMING)
def test_aiming_needs_the_key(keyed: httpx.Client, method: str, path: str, body: object) -> None:
    for headers in ({}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}):
        response = keyed.request(method, path, json=body, headers=headers)
        assert response.status_code == 401
        assert "API key" in response.json()["detail"]
        assert response.headers["www-authenticate"] == "Bearer"
    for headers in ({"X-API-Key": "s3cret-key"}, {"Authorization": "Bearer s3cret-key"}):
        assert keyed.request(method, path, json=body, headers=headers).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/model", "/docs", "/openapi.json"])
def test_operations_stay_open(keyed: httpx.Client, path: str) -> None:
    assert keyed.get(path).status_code in (200, 503)  # readyz: 503 while the self-check runs


def test_too_many_at_once_get_429() -> None:
    async def burst(url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            return await asyncio.gather(*(client.post("/aim/batch", json=BATCH) for _ in range(4)))

    with serving(Settings(max_concurrent=1)) as url:
        responses = asyncio.run(burst(url))
        codes = sorted(r.status_code for r in responses)
        assert codes[0] == 200 and 429 in codes, codes
        refused = next(r for r in responses if r.status_code == 429)
        assert refused.headers["retry-after"] == "1" and "busy" in refused.json()["detail"]
        assert httpx.post(f"{url}/aim", json={"distance": 2.0}).status_code == 200  # recovers


def test_work_over_the_time_budget_gets_504() -> None:
    with serving(Settings(request_timeout=1e-3)) as url:
        response = httpx.post(f"{url}/aim/batch", json=BATCH, timeout=60)
        assert response.status_code == 504
        assert "time budget" in response.json()["detail"][0]["msg"]
        assert httpx.post(f"{url}/aim", json={"distance": 2.0}).status_code == 200  # inline


def test_cors_is_closed_unless_configured(client: httpx.Client) -> None:
    preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/aim", headers=preflight).headers
    with serving(Settings(cors_origins=["https://example.org"])) as url:
        response = httpx.options(f"{url}/aim", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://example.org"
        other = httpx.options(f"{url}/aim", headers={**preflight, "Origin": "https://evil.test"})
        assert "access-control-allow-origin" not in other.headers
        # A browser client may read Retry-After, to honour it on 429 and 503.
        answer = httpx.get(f"{url}/healthz", headers={"Origin": "https://example.org"})
        exposed = answer.headers["access-control-expose-headers"].lower().split(", ")
        assert "retry-after" in exposed


def test_an_empty_key_is_refused_at_startup() -> None:
    with pytest.raises(ValidationError, match="CANNON_API_KEY is empty"):
        Settings(api_key=" ")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "", "Authorization": "Bearer s3cret-key"},
        {"Authorization": "bearer s3cret-key"},
    ],
)
def test_the_bearer_token_counts_when_x_api_key_is_empty(
    keyed: httpx.Client, headers: dict[str, str]
) -> None:
    assert keyed.post("/aim", json={"distance": 5.0}, headers=headers).status_code == 200


def test_work_given_up_on_counts_against_the_limit_until_it_ends() -> None:
    app = create_app(Settings(request_timeout=0.05, max_concurrent=1))
    request = Request({"type": "http", "app": app, "headers": [], "state": {}})
    with TestClient(app):  # startup: the app's state is in place
        with pytest.raises(ApiError) as error:
            asyncio.run(within_budget(request, time.sleep, 0.5))
        assert error.value.status_code == 504
        assert app.state.load.orphans == 1 and app.state.load.full()
        time.sleep(0.7)  # the thread ends
        assert app.state.load.orphans == 0 and not app.state.load.full()
