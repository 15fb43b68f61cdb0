"""The TypeScript client (clients/typescript) built and run against the real server.

Game and web developers call the service from JavaScript, so the client is held to the
server it talks to: its generated types must be what openapi-typescript makes of the schema
the server serves now (they cannot drift), it must compile, and its node --test suite must
pass against a real server (`npm test` with CANNON_URL).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import environment

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
    output = npm("test", env={"CANNON_URL": server_url, "PATH": os.environ.get("PATH", "")})
    passed = [line for line in output.splitlines() if line.startswith("# pass ")]
    assert passed and int(passed[-1].split()[-1]) >= 20, output[-3000:]
    assert "# fail 0" in output
