"""/docs and /redoc render in a real browser with every host but this one unreachable."""

from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def rendered(url: str) -> str:
    """The DOM headless Chromium builds for `url`, once its scripts have run."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        # No internet: every host name fails to resolve, so a CDN file could not load.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--virtual-time-budget=15000",
        "--dump-dom",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


def test_docs_page_loads_nothing_from_elsewhere(client: httpx.Client) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "https://" not in page.text
        for asset in (
            "/static-offline-docs/swagger-ui-bundle.js",
            "/static-offline-docs/redoc.standalone.js",
        ):
            assert client.get(asset).status_code == 200


def test_swagger_ui_renders_offline(server_url: str) -> None:
    dom = rendered(f"{server_url}/docs")
    assert "swagger-ui" in dom and "opblock" in dom  # operations drawn by Swagger UI's script
    for path in ("/aim", "/aim/batch", "/verify"):
        assert f'class="opblock-summary-path" data-path="{path}"' in dom


def test_redoc_renders_offline(server_url: str) -> None:
    dom = rendered(f"{server_url}/redoc")
    assert "/aim/batch" in dom and "Aim at many targets at once" in dom
