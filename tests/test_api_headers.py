"""Hardening (app/api/headers.py) and route labels for refusals, on a real server with a key.

Every answer carries the hardening headers, once; a trailing slash is served, never
redirected to a Location built from the Host header; HEAD answers as the GET would, with no
body, and meets the same key; a refusal before routing is counted under its route.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from app.api.headers import HARDENING_HEADERS, hardened
from app.api.shots import PAGE_HEADERS
from app.config import Settings
from tests.conftest import serving

KEY = {"X-API-Key": "hardening-key"}
# A query that the GET routes of the schema answer 200 to; the others take none.
QUERIES = {
    "/verify": "?angle=0.7&velocity=8&distance=6.5",
    "/trajectory": "?angle=0.7&velocity=8",
    "/loss-surface": "?distance=5",
}
# Headers that differ between two answers to the same request.
PER_ANSWER = {"date", "x-request-id"}


@pytest.fixture(scope="module")
def keyed() -> Iterator[httpx.Client]:
    with (
        serving(Settings(api_key=SecretStr("hardening-key"))) as url,
        httpx.Client(base_url=url) as client,
    ):
        yield client


def assert_hardened(response: httpx.Response) -> None:
    for name, value in HARDENING_HEADERS.items():
        assert response.headers.get_list(name) == [value], (response.request.url, name)


def docs_assets(client: httpx.Client, page: str) -> list[str]:
    html = client.get(page).text
    return re.findall(r"""(?:src|href)=["'](/static-offline-docs/[^"']+)["']""", html)


def test_every_answer_is_hardened(keyed: httpx.Client) -> None:
    answers = {
        "200 JSON": keyed.get("/healthz"),
        "200 aim": keyed.post("/aim", json={"distance": 5.0}, headers=KEY),
        "422": keyed.post("/aim", json={"distance": 400.0}, headers=KEY),
        "401": keyed.post("/aim", json={"distance": 5.0}),
        "404": keyed.get("/nowhere"),
        "405": keyed.delete("/healthz"),
        "413": keyed.post("/aim", content=b"x" * ((1 << 20) + 1), headers=KEY),
        "docs": keyed.get("/docs"),
        "redoc": keyed.get("/redoc"),
        "schema": keyed.get("/openapi.json"),
        "metrics": keyed.get("/metrics"),
        "page": keyed.get("/"),
        "page script": keyed.get("/web/page.js"),
    }
    codes = {name: r.status_code for name, r in answers.items()}
    assert codes == {
        **{name: 200 for name in answers},
        **{"422": 422, "401": 401, "404": 404, "405": 405, "413": 413},
    }
    for response in answers.values():
        assert_hardened(response)
    # The page keeps its own policy as it was, framing already forbidden, nothing twice.
    for page in (answers["page"], answers["page script"]):
        assert page.headers.get_list("content-security-policy") == [
            PAGE_HEADERS["Content-Security-Policy"]
        ]
    # No global policy: Swagger UI runs an inline script.
    assert "content-security-policy" not in answers["docs"].headers


def test_the_docs_assets_still_load(keyed: httpx.Client) -> None:
    assets = docs_assets(keyed, "/docs") + docs_assets(keyed, "/redoc")
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        response = keyed.get(asset)
        assert response.status_code == 200 and response.content, asset
        assert_hardened(response)


def test_a_policy_without_frame_ancestors_gets_one() -> None:
    headers = hardened([(b"Content-Security-Policy", b"default-src 'self';")])
    assert headers[0] == (b"Content-Security-Policy", b"default-src 'self'; frame-ancestors 'none'")
    kept = hardened([(b"x-frame-options", b"SAMEORIGIN")])
    assert [v for n, v in kept if n == b"x-frame-options"] == [b"SAMEORIGIN"]  # never twice


@pytest.mark.parametrize(
    "path",
    ["/aim/", "/healthz/", "/model//", "/docs/", "/static-offline-docs", "/static-offline-docs/"],
)
def test_no_redirect_names_the_host(keyed: httpx.Client, path: str) -> None:
    response = keyed.get(path, headers={"Host": "evil.example"})
    assert not response.is_redirect and "location" not in response.headers
    assert "evil.example" not in str(response.headers) + response.text
    assert_hardened(response)


def test_a_trailing_slash_is_served_as_the_route(keyed: httpx.Client) -> None:
    assert keyed.get("/healthz/").json() == keyed.get("/healthz").json()
    assert keyed.get("/model/").json() == keyed.get("/model").json()
    shot = {"distance": 5.0}
    aimed = keyed.post("/aim/", json=shot, headers=KEY)
    assert (
        aimed.status_code == 200
        and aimed.json() == keyed.post("/aim", json=shot, headers=KEY).json()
    )
    batch = keyed.post("/aim/batch/", json={"distances": [2.0, 5.0]}, headers=KEY)
    assert batch.status_code == 200 and len(batch.json()["solutions"]) == 2
    # The guards see the path as it is served: a slash does not get past the key.
    for path in ("/aim/", "/aim//", "/verify/" + QUERIES["/verify"]):
        assert keyed.request("POST" if "aim" in path else "GET", path, json=shot).status_code == 401


def test_head_answers_as_the_get(keyed: httpx.Client) -> None:
    schema = keyed.get("/openapi.json").json()
    gets = [path for path, operations in schema["paths"].items() if "get" in operations]
    assert set(QUERIES) <= set(gets) and "/healthz" in gets
    pages = ["/", "/docs", "/redoc", "/openapi.json", "/web/page.js", "/docs/oauth2-redirect"]
    pages += docs_assets(keyed, "/docs")[:1]
    for path in gets + pages:
        url = path + QUERIES.get(path, "")
        for headers in (KEY, {}):  # with the key, and without it: HEAD meets the guard too
            got = keyed.get(url, headers=headers)
            head = keyed.head(url, headers=headers)
            assert head.status_code == got.status_code, url
            assert head.content == b"", url
            same = {k: v for k, v in got.headers.items() if k not in PER_ANSWER}
            if path == "/metrics":  # the count of this very request changes its length
                same.pop("content-length")
            assert {k: v for k, v in head.headers.items() if k in same} == same, url
            assert head.headers["content-length"].isdigit(), url
        assert keyed.head(url, headers=KEY).status_code == 200, url
    # HEAD on a POST route is refused as a GET would be.
    assert keyed.head("/aim", headers=KEY).status_code == 405


def raw_exchange(url: str, request: bytes) -> bytes:
    """Send raw bytes and read until the server closes the connection."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_head_sends_no_body_on_the_wire(keyed: httpx.Client) -> None:
    """Two requests on one connection: any body byte after the HEAD would be read as the
    start of the second answer."""
    head = b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"
    get = b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    received = raw_exchange(str(keyed.base_url), head + get)
    first, _, rest = received.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200")
    assert b"transfer-encoding" not in first.lower()
    length = int(re.search(rb"(?i)content-length: (\d+)", first).group(1))  # type: ignore[union-attr]
    assert length == len(keyed.get("/").content)
    assert rest.startswith(b"HTTP/1.1 200")  # the next answer comes right after the headers
    assert rest.endswith(b'{"status":"ok"}')


def requests_total(client: httpx.Client) -> dict[tuple[str, str, str], float]:
    text = client.get("/metrics").text
    return {
        (s.labels["route"], s.labels["method"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "cannon_requests_total"
    }


def test_refusals_are_counted_under_their_route(keyed: httpx.Client) -> None:
    before = requests_total(keyed)
    keyed.post("/aim", json={"distance": 5.0})  # 401, from the key's middleware
    keyed.post("/aim/", json={"distance": 5.0})  # 401, the same route
    keyed.head("/verify" + QUERIES["/verify"])  # 401, as the GET it runs as
    keyed.post("/aim", content=b"x" * ((1 << 20) + 1), headers=KEY)  # 413, from the intake
    keyed.head("/healthz")
    for i in range(2):
        keyed.post(f"/nowhere-{i}/", json={})  # 404, no route of the app's
    after = requests_total(keyed)

    def grew(route: str, method: str, status: str) -> float:
        labels = (route, method, status)
        return after.get(labels, 0.0) - before.get(labels, 0.0)

    assert grew("/aim", "POST", "401") == 2
    assert grew("/verify", "HEAD", "401") == 1
    assert grew("/aim", "POST", "413") == 1
    assert grew("/healthz", "HEAD", "200") == 1
    assert grew("unmatched", "POST", "404") == 2
    routes = {route for route, _, _ in after}
    assert not any(route.startswith("/nowhere") for route in routes)
