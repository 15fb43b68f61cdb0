"""Metrics, request ids and the JSON log line, on real servers."""

from __future__ import annotations

import json
import re
import signal
import subprocess

import httpx
from prometheus_client.parser import text_string_to_metric_families


def samples(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_request_ids_are_echoed_or_made(client: httpx.Client) -> None:
    sent = client.get("/healthz", headers={"X-Request-ID": "trace-42.a:b"})
    assert sent.headers["x-request-id"] == "trace-42.a:b"
    made = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    odd = client.get("/healthz", headers={"X-Request-ID": "no spaces or <tags>"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])


def test_metrics_count_requests_refinements_misses_and_batches(client: httpx.Client) -> None:
    before = samples(client)
    client.post("/aim", json={"distance": 4.0, "tolerance": 1e-6})  # refined
    client.post("/aim/batch", json={"distances": [1.0, 2.0, 30.0]})  # 2 reachable, 1 not
    client.post("/aim", json={"distance": 40.0})  # 422
    after = samples(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("cannon_requests_total", route="/aim", method="POST", status="200") == 1
    assert grew("cannon_requests_total", route="/aim", method="POST", status="422") == 1
    assert grew("cannon_requests_total", route="/aim/batch", method="POST", status="200") == 1
    assert grew("cannon_request_duration_seconds_count", route="/aim") == 2
    assert grew("cannon_refinements_total") >= 1
    assert grew("cannon_refinement_iterations_count") >= 1
    assert grew("cannon_targets_total") == 3
    assert grew("cannon_miss_meters_count") == 3
    assert grew("cannon_miss_meters_bucket", le="1e-06") >= 1  # the refined answer
    assert grew("cannon_batch_size_targets_count") == 2
    version = client.get("/model").json()["version"]
    assert value(after, "cannon_model_info", version=version) == 1


def test_one_json_log_line_per_request(served: tuple[subprocess.Popen[str], str]) -> None:
    process, url = served
    httpx.post(
        f"{url}/aim",
        json={"distance": 6.0, "tolerance": 1e-6},
        headers={"X-Request-ID": "log-test-1"},
    )
    httpx.post(f"{url}/aim", json={"distance": 99.0}, headers={"X-Request-ID": "log-test-2"})
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    by_id = {line["request_id"]: line for line in lines}
    first, second = by_id["log-test-1"], by_id["log-test-2"]
    assert first["route"] == "/aim" and first["method"] == "POST" and first["status"] == 200
    assert first["refined"] == 1 and first["iterations"] >= 1 and first["latency_ms"] > 0
    assert second["status"] == 422 and second["targets"] == 0
    assert len([line for line in lines if line["request_id"].startswith("log-test")]) == 2


def test_labels_stay_few_whatever_the_path(client: httpx.Client) -> None:
    for i in range(3):
        big = client.post(f"/nowhere-{i}", content=b"x" * ((1 << 20) + 1))  # over the limit
        assert big.status_code == 413
    assert client.post("/static-offline-docs/x").status_code in (404, 405)
    routes = {labels for (name, labels) in samples(client) if name == "cannon_requests_total"}
    paths = {dict(labels)["route"] for labels in routes}
    assert "unmatched" in paths and not any(p.startswith("/nowhere") for p in paths)


def test_a_request_id_in_any_bytes_is_no_500(client: httpx.Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": b"\xff\xfe caf\xc3\xa9"})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
