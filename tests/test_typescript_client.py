"""The TypeScript client (clients/typescript) built and run against the real server.

Game and web developers call the service from JavaScript, so the client is held to the
server it talks to: its generated types must be what openapi-typescript makes of the schema
the server serves now (they cannot drift), it must compile, and its node --test suite must
pass against a real server (`npm test` with CANNON_URL).
"""

from __future__ import annotations

import functools
import http.server
import json
import math
import secrets
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.config import Settings
from tests.chromium import CHROMIUM, Browser
from tests.conftest import GRAVITY, environment, serving

CLIENT = Path(__file__).resolve().parent.parent / "clients" / "typescript"
NPM = shutil.which("npm")

pytestmark = pytest.mark.skipif(
    NPM is None or shutil.which("node") is None,
    reason="node and npm are not installed: the TypeScript client needs Node >= 20",
)


def npm(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    """Runs npm in the client's directory; fails the test with npm's output when it fails."""
    assert NPM is not None
    done = subprocess.run(
        [NPM, *args],
        cwd=CLIENT,
        env=environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"npm {' '.join(args)} exited {done.returncode}:\n{output[-6000:]}"
    return output


@pytest.fixture(scope="module")
def installed() -> Path:
    """The client's dev dependencies, from package-lock.json (npm ci) when not yet there."""
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    major = int(version.stdout.strip().lstrip("v").split(".")[0])
    assert major >= 20, (
        f"the client needs Node >= 20 (package.json engines), found {version.stdout}"
    )
    if not (CLIENT / "node_modules").is_dir():
        npm("ci", "--no-audit", "--no-fund")
    return CLIENT


@pytest.fixture(scope="module")
def built(installed: Path) -> Path:
    """The package compiled by tsc (npm run build) once for this module's tests."""
    npm("run", "build")
    return CLIENT / "dist"


def served_schema(client: httpx.Client, folder: Path) -> Path:
    """The schema the running server serves now, written to a file."""
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    path = folder / "openapi.json"
    path.write_text(answer.text)
    return path


def test_generated_types_are_the_served_schemas(
    installed: Path, client: httpx.Client, tmp_path: Path
) -> None:
    schema = served_schema(client, tmp_path)
    npm("run", "check-types", "--", "--schema", str(schema))
    # and the check can fail: one changed description in the schema is a difference
    changed = json.loads(schema.read_text())
    aim = changed["components"]["schemas"]["AimResponse"]["properties"]["miss"]
    aim["description"] = "changed " + aim["description"]
    schema.write_text(json.dumps(changed))
    with pytest.raises(AssertionError, match="differs from the served schema"):
        npm("run", "check-types", "--", "--schema", str(schema))


def test_compiles_to_an_esm_package_with_types(built: Path) -> None:
    for name in ("index.js", "index.d.ts", "errors.js", "http.js", "schema.d.ts"):
        assert (built / name).is_file(), name
    # what `npm pack` would ship (its prepack build already ran as `built`)
    packed = json.loads(npm("pack", "--dry-run", "--json", "--ignore-scripts").strip())
    files = {entry["path"] for entry in packed[0]["files"]}
    assert {"package.json", "README.md", "dist/index.js", "dist/index.d.ts"} <= files
    assert not any(path.startswith(("src/", "test/", "build/", "node_modules/")) for path in files)


def test_npm_test_passes_against_the_real_server(built: Path, server_url: str) -> None:
    key = secrets.token_urlsafe(16)
    with serving(Settings(api_key=SecretStr(key))) as keyed:
        urls = {"CANNON_URL": server_url, "CANNON_KEYED_URL": keyed, "CANNON_KEYED_KEY": key}
        output = npm("test", env=urls)
    assert "# skipped 0" in output and "# SKIP" not in output, output[-3000:]
    passed = [line for line in output.splitlines() if line.startswith("# pass ")]
    assert passed and int(passed[-1].split()[-1]) >= 20, output[-3000:]
    assert "# fail 0" in output


@contextmanager
def static_files(folder: Path) -> Iterator[str]:
    """`folder` served over HTTP on a loopback port, as a web page's own origin would be."""
    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per file on the test's output."""


IN_THE_BROWSER = """
(async () => {
  const { CannonClient, UnreachableTarget } = await import("/dist/index.js");
  const cannon = new CannonClient({ baseUrl: %s });
  const shot = await cannon.aim(7.5, { tolerance: 1e-6 });
  const air = await cannon.aim(4, { drag: 0.1, wind: -3, launchHeight: 1.5, tolerance: 1e-6 });
  let refused = null;
  try { await cannon.aim(12); } catch (error) {
    refused = { unreachable: error instanceof UnreachableTarget, maxRange: error.maxRange,
                status: error.status, detail: error.detail };
  }
  return { shot, air, refused, ready: await cannon.ready() };
})()
"""


def test_runs_in_a_browser(built: Path, tmp_path: Path) -> None:
    """The built package, loaded as an ES module by headless Chromium from a page of another
    origin, aims through the real server (CORS open to that origin only)."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    shutil.copytree(built, tmp_path / "dist")
    (tmp_path / "index.html").write_text("<!doctype html><title>client</title>")
    with static_files(tmp_path) as origin, serving(Settings(cors_origins=[origin])) as url:
        page = Browser(CHROMIUM)
        try:
            page.send("Page.navigate", {"url": f"{origin}/index.html"})
            page.wait_for("document.readyState === 'complete'")
            answer = page.js(IN_THE_BROWSER % json.dumps(url))
        finally:
            page.close()
    shot, air, refused = answer["shot"], answer["air"], answer["refused"]
    assert shot["hit"] and shot["miss"] <= 1e-6
    landing = shot["velocity"] ** 2 * math.sin(2 * shot["angle"]) / GRAVITY  # m
    assert abs(landing - 7.5) <= 1e-6
    assert air["hit"] and air["miss"] <= 1e-6 and air["model_version"] != shot["model_version"]
    assert refused["unreachable"] and refused["status"] == 422
    assert abs(refused["maxRange"] - 10**2 / GRAVITY) < 1e-9
    assert "out of reach" in refused["detail"]
    assert answer["ready"]["model_version"] == shot["model_version"]
