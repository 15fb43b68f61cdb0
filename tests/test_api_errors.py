"""Bad input of every kind: a 4xx with a JSON `detail`, never a 5xx; the service stays up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

BAD_AIM_BODIES = [
    {},
    {"distance": None},
    {"distance": False},
    {"distance": True},
    {"distance": "5"},
    {"distance": "5.0"},
    {"distance": [5]},
    {"distance": {"value": 5}},
    {"distance": 0},
    {"distance": -3},
    {"distance": 5e-324 * -1},
    {"distance": 10**400},
    {"distance": 5, "tolerance": 0},
    {"distance": 5, "tolerance": 1e-7},
    {"distance": 5, "tolerance": -1},
    {"distance": 5, "tolerance": "0.1"},
    {"distance": 5, "tolerance": True},
    {"distance": 5, "refine": 1},
    {"distance": 5, "refine": 0},
    {"distance": 5, "refine": "true"},
    {"distance": 5, "unknown": 1},
    {"Distance": 5},
]

BAD_AIM_RAW = [
    b'{"distance": NaN}',
    b'{"distance": Infinity}',
    b'{"distance": -Infinity}',
    b'{"distance": 1e999}',
    b'{"distance": 5, "tolerance": NaN}',
    b'{"distance": 5,',
    b"{bad json",
    b"",
    b"null",
    b"[]",
    b"5",
    b'"distance"',
    b'{"distance": 5}{"distance": 6}',
    b'{"distance": "\\ud800"}',
    b'{"distance": 7.5, "x\\udfff": 1}',
    b'{"distance": "x", "distance": 8}',
    b'{"distance": 8, "refine": true, "refine": false}',
]

BAD_VERIFY_QUERIES = [
    {},
    {"angle": 0.7, "velocity": 5},
    {"angle": "nan", "velocity": 5, "distance": 1},
    {"angle": "inf", "velocity": 5, "distance": 1},
    {"angle": 0.7, "velocity": "-inf", "distance": 1},
    {"angle": 0.7, "velocity": 5, "distance": "NaN"},
    {"angle": 0.7, "velocity": 5, "distance": 1, "tolerance": "nan"},
    {"angle": 0.7, "velocity": 5, "distance": 1, "tolerance": 1e-9},
    {"angle": "abc", "velocity": 5, "distance": 1},
    {"angle": "true", "velocity": 5, "distance": 1},
    {"angle": 0, "velocity": 5, "distance": 1},
    {"angle": -0.5, "velocity": 5, "distance": 1},
    {"angle": 0.7, "velocity": 0, "distance": 1},
    {"angle": 0.7, "velocity": 5, "distance": -1},
    {"angle": 0.7, "velocity": 5, "distance": 1, "extra": 1},
    {"angle": "1e999", "velocity": 5, "distance": 1},
    [("angle", 0.5), ("angle", 0.6), ("velocity", 5), ("distance", 1)],
    [("angle", 0.5), ("velocity", 5), ("distance", 1), ("distance", 1)],
]


def assert_client_error(response: httpx.Response, status: int = 422) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.parametrize("body", BAD_AIM_BODIES, ids=repr)
def test_bad_aim_bodies(client: httpx.Client, body: object) -> None:
    assert_client_error(client.post("/aim", json=body))


@pytest.mark.parametrize("raw", BAD_AIM_RAW, ids=repr)
def test_bad_aim_raw_json(client: httpx.Client, raw: bytes) -> None:
    assert_client_error(
        client.post("/aim", content=raw, headers={"content-type": "application/json"})
    )


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_wrong_content_types(client: httpx.Client, content_type: str) -> None:
    assert_client_error(
        client.post("/aim", content=b"distance=5", headers={"content-type": content_type})
    )


@pytest.mark.parametrize("params", BAD_VERIFY_QUERIES, ids=repr)
def test_bad_verify_queries(client: httpx.Client, params: Any) -> None:
    assert_client_error(client.get("/verify", params=params))


def test_non_finite_input_is_echoed_as_text_not_as_a_500(client: httpx.Client) -> None:
    response = client.post(
        "/aim", content=b'{"distance": NaN}', headers={"content-type": "application/json"}
    )
    assert_client_error(response)
    assert response.json()["detail"][0]["input"] == "nan"


def test_unknown_route_and_wrong_method(client: httpx.Client) -> None:
    assert_client_error(client.get("/nowhere"), 404)
    assert_client_error(client.get("/aim"), 405)
    assert_client_error(client.post("/verify"), 405)


def test_service_still_answers_after_the_battery(client: httpx.Client) -> None:
    for body in BAD_AIM_BODIES:
        client.post("/aim", json=body)
    response = client.post("/aim", json={"distance": 3.0})
    assert response.status_code == 200 and response.json()["hit"] is True


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe\x00", b'{"distance": ' + b"9" * 5000 + b"}", b"[" * 5000 + b"]" * 5000],
    ids=["not utf-8", "5000-digit integer", "nested 5000 deep"],
)
def test_unparseable_body_is_a_bad_request(client: httpx.Client, raw: bytes) -> None:
    response = client.post("/aim", content=raw, headers={"content-type": "application/json"})
    assert_client_error(response, 400)


def test_repeated_keys_are_named(client: httpx.Client) -> None:
    raw = b'{"distance": "x", "distance": 8}'
    response = client.post("/aim", content=raw, headers={"content-type": "application/json"})
    assert_client_error(response)
    assert "repeated key" in response.json()["detail"][0]["ctx"]["error"]


def test_long_inputs_are_echoed_short(client: httpx.Client) -> None:
    response = client.post("/aim", json={"distance": 7.5, "x": [1.5] * 50_000})
    assert_client_error(response)
    assert len(response.content) < 500
    assert response.json()["detail"][0]["input"] == "<list of 50000 items>"
    response = client.post("/aim", json={"distance": "é" * 10_000})
    assert_client_error(response)
    assert len(response.content) < 1_000


def test_body_above_the_limit_is_refused_before_it_is_read(client: httpx.Client) -> None:
    body = b'{"distance": 7.5, "pad": "' + b"x" * (2 << 20) + b'"}'
    response = client.post("/aim", content=body, headers={"content-type": "application/json"})
    assert_client_error(response, 413)


def test_streamed_body_above_the_limit_is_cut_off(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"distance": 7.5, "pad": "'
        for _ in range(40):
            yield b"x" * 65_536
        yield b'"}'

    response = client.post("/aim", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_client_error(response, 413)


@pytest.mark.parametrize("depth", [50, 500, 900])
def test_deeply_nested_values_are_refused_and_echoed_short(
    client: httpx.Client, depth: int
) -> None:
    for raw in (
        b'{"distance": ' + b"[" * depth + b"]" * depth + b"}",
        b'{"distance": 5, "x": ' + b"[" * depth + b"]" * depth + b"}",
    ):
        response = client.post("/aim", content=raw, headers={"content-type": "application/json"})
        assert_client_error(response)
        assert len(response.content) < 1_000


def test_long_keys_are_echoed_short(client: httpx.Client) -> None:
    key = "k" * 200_000
    response = client.post("/aim", json={"distance": 5, key: 1})
    assert_client_error(response)
    assert len(response.content) < 1_000
    raw = b'{"distance": 5, "' + key.encode() + b'": 1, "' + key.encode() + b'": 2}'
    response = client.post("/aim", content=raw, headers={"content-type": "application/json"})
    assert_client_error(response)
    assert len(response.content) < 1_000


@pytest.mark.parametrize("path", ["/aim", "/aim/batch"])
def test_repeated_query_parameters_on_posts(client: httpx.Client, path: str) -> None:
    body = {"distance": 5.0} if path == "/aim" else {"distances": [5.0]}
    response = client.post(f"{path}?x=1&x=2", json=body)
    assert_client_error(response)
    assert response.json()["detail"][0]["type"] == "repeated_parameter"


@pytest.mark.parametrize("path", ["/aim", "/aim/batch"])
def test_non_json_bodies_are_echoed_short(client: httpx.Client, path: str) -> None:
    for raw in (b"\xff\xfe{not utf-8}", b"distance=5" * 20_000):
        response = client.post(path, content=raw, headers={"content-type": "text/plain"})
        assert_client_error(response)
        assert len(response.content) < 1000


@pytest.mark.parametrize("raw", [b'"a string"', b"[5.0]", b"5.0"])
def test_a_body_that_is_not_an_object(client: httpx.Client, raw: bytes) -> None:
    response = client.post("/aim", content=raw, headers={"content-type": "application/json"})
    assert_client_error(response)
    assert response.json()["detail"][0]["type"] == "model_attributes_type"  # as FastAPI says


def test_an_unexpected_failure_is_a_json_500_without_a_trace() -> None:
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "secret" not in response.text and "Traceback" not in response.text
