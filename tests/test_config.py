"""Settings: defaults match the library's cannon; impossible values are refused by name, an API
key no header can carry is refused without being shown, and a misspelt CANNON_* variable stops
startup instead of leaving the setting it meant on its default."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsError

from app.config import (
    Settings,
    UnknownSettingError,
    check_environment,
    edit_distance,
    get_settings,
    setting_variables,
    usable_cores,
)
from app.physics.vacuum import Cannon
from benchmarks.serving import free_port
from tests.conftest import environment

MIB = 1 << 20  # bytes
# Variables that are not settings but are set around the service: by Kubernetes for a Service
# named cannon (or cannon-aim, deploy/service.yaml), and by this repo's scripts and CI.
NOT_SETTINGS = [
    *("CANNON_SERVICE_HOST", "CANNON_SERVICE_PORT", "CANNON_SERVICE_PORT_HTTP"),
    *("CANNON_PORT_8000_TCP", "CANNON_PORT_8000_TCP_PROTO", "CANNON_PORT_8000_TCP_PORT"),
    *("CANNON_PORT_8000_TCP_ADDR", "CANNON_AIM_SERVICE_HOST", "CANNON_AIM_SERVICE_PORT"),
    *("CANNON_AIM_PORT", "CANNON_AIM_PORT_8000_TCP", "CANNON_CONTAINER_SMOKE"),
    *("CANNON_SMOKE_SOURCE", "CANNON_SMOKE_WORKDIR", "CANNON_SMOKE_SUITE", "CANNON_SMOKE_MIRROR"),
    *("CANNON_SMOKE_KEEP", "CANNON_REPLICAS", "CANNON_LB_PORT", "CANNON_IMAGE", "CANNON_VENV"),
    "CANNON_BIND",
]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No inherited CANNON_* variable, and get_settings read afresh, then forgotten again so
    that later tests do not get settings built from this test's environment."""
    for name in os.environ:
        if name.upper().startswith("CANNON_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults_describe_the_standard_cannon() -> None:
    settings = Settings()
    assert settings.cannon() == Cannon()
    assert (
        settings.default_tolerance == 0.05
        and settings.port == 8000
        and settings.host == "127.0.0.1"
    )


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANNON_DEFAULT_TOLERANCE", "0.001")
    monkeypatch.setenv("CANNON_MAX_REFINE_ITERATIONS", "7")
    settings = Settings()
    assert settings.default_tolerance == 0.001 and settings.max_refine_iterations == 7


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("CANNON_MIN_ANGLE", "1.0", "angle limits"),
        ("CANNON_MAX_ANGLE", "0.5", "angle limits"),
        ("CANNON_GRAVITY", "-9.81", "gravity"),
        ("CANNON_GRAVITY", "1000.5", "gravity.*less than or equal to 1000"),
        ("CANNON_MAX_VELOCITY", "nan", "max_velocity"),
        ("CANNON_MAX_VELOCITY", "10001", "max_velocity.*less than or equal to 10000"),
        ("CANNON_DEFAULT_TOLERANCE", "1e-9", "default_tolerance"),
        ("CANNON_DEFAULT_TOLERANCE", "1e308", r"default_tolerance 1e\+308 m .* 10.1937 m"),
        ("CANNON_DEFAULT_TOLERANCE", "10.2", "default_tolerance 10.2 m is past"),
        ("CANNON_MAX_BODY_BYTES", str(64 * MIB + 1), "max_body_bytes.*67108864"),
        ("CANNON_MAX_REFINE_ITERATIONS", "10001", "max_refine_iterations.*10000"),
        ("CANNON_MAX_BATCH", "100001", "max_batch.*100000"),
        ("CANNON_TORCH_THREADS", "257", "torch_threads.*256"),
        ("CANNON_REQUEST_TIMEOUT", "3600.5", "request_timeout.*3600"),
        ("CANNON_REQUEST_TIMEOUT", "0", "request_timeout.*greater than 0"),
        ("CANNON_MAX_CONCURRENT", "10001", "max_concurrent.*10000"),
        ("CANNON_PORT", "70000", "port"),
        ("CANNON_PORT", "tcp://10.0.0.1:8000", "Kubernetes service link.*enableServiceLinks"),
        ("CANNON_LOG_LEVEL", "loud", "log_level"),
    ],
)
def test_impossible_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert re.search(words, str(refused.value), re.DOTALL), str(refused.value)


@pytest.mark.parametrize(
    "name, value",
    [
        ("CANNON_GRAVITY", "1000"),
        ("CANNON_MAX_VELOCITY", "10000"),
        ("CANNON_MAX_BODY_BYTES", str(64 * MIB)),
        ("CANNON_MAX_REFINE_ITERATIONS", "10000"),
        ("CANNON_MAX_BATCH", "100000"),
        ("CANNON_TORCH_THREADS", "256"),
        ("CANNON_REQUEST_TIMEOUT", "3600"),
        ("CANNON_MAX_CONCURRENT", "10000"),
    ],
)
def test_the_bounds_themselves_are_allowed(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    setting = name.removeprefix("CANNON_").lower()
    assert getattr(Settings(), setting) == float(value)


def test_default_tolerance_may_reach_the_farthest_target() -> None:
    farthest = 10.0**2 / 9.81  # m, max_velocity^2 / gravity of the default cannon
    assert Settings(default_tolerance=farthest).default_tolerance == farthest


@pytest.mark.parametrize(
    "key, words",
    [
        ("", "is empty"),
        ("   ", "is empty"),
        (" s3cret", "a leading whitespace character"),
        ("s3cret\n", "a trailing whitespace character"),
        ("s3cret\r\n", "an inner whitespace character"),
        ("s3 cret", "an inner whitespace character"),
        ("s3\tcret", "an inner whitespace character"),
        ("s3\x00cret", "an inner control character"),
        ("s3\x1bcret", "an inner control character"),
        ("s3\x7fcret", "an inner control character"),
        ("s3crét", "an inner non-ASCII character"),
        ("s3cret\u00a0", "a trailing whitespace character"),
        ("s3cret\u200b", "a trailing non-ASCII character"),
    ],
)
def test_an_api_key_no_header_can_carry_is_refused_unseen(key: str, words: str) -> None:
    with pytest.raises(ValidationError, match=f"CANNON_API_KEY .*{words}") as refused:
        Settings(api_key=SecretStr(key))
    assert "s3" not in str(refused.value), "the message must not show the key"


def test_every_printable_ascii_character_is_a_fine_key() -> None:
    key = "".join(chr(code) for code in range(0x21, 0x7F))
    settings = Settings(api_key=SecretStr(key))
    assert settings.api_key is not None and settings.api_key.get_secret_value() == key


@pytest.mark.parametrize(
    "a, b, edits",
    [("kitten", "sitting", 3), ("", "API_KEY", 7), ("APIKEY", "API_KEY", 1), ("KYE", "KEY", 1)],
)
def test_edit_distance(a: str, b: str, edits: int) -> None:
    assert edit_distance(a, b) == edits == edit_distance(b, a)


@pytest.mark.parametrize(
    "name, meant",
    [
        ("CANNON_APIKEY", "CANNON_API_KEY"),
        ("cannon_apikey", "CANNON_API_KEY"),
        ("CANNON_API_KYE", "CANNON_API_KEY"),  # a swap counts as one edit
        ("CANNON_MAX_CONCURENT", "CANNON_MAX_CONCURRENT"),
        ("CANNON_MAX_BATCHES", "CANNON_MAX_BATCH"),  # 2 edits, a name over 7 characters
        ("CANNON_PROT", "CANNON_PORT"),
        ("CANNON_HOSTS", "CANNON_HOST"),
        ("CANNON_MAN_ANGLE", "CANNON_MAX_ANGLE or CANNON_MIN_ANGLE"),
    ],
)
def test_a_near_miss_is_refused_naming_the_setting(name: str, meant: str) -> None:
    with pytest.raises(UnknownSettingError) as refused:
        check_environment({name: "s3cret", "PATH": "/bin"})
    assert str(refused.value) == f"{name} is not a setting; did you mean {meant}?"


def test_every_near_miss_is_named_at_once() -> None:
    environ = {"CANNON_APIKEY": "k", "CANNON_GRAVITI": "9.81", "CANNON_REPLICAS": "2"}
    with pytest.raises(UnknownSettingError, match=r"APIKEY.*API_KEY.*GRAVITI.*GRAVITY"):
        check_environment(environ)


@pytest.mark.parametrize(
    "name",
    [
        "CANNON_HOSTED",  # 2 edits from HOST, a short name: 1 at most
        "CANNON_MAX_BATCHING",  # 3 edits from MAX_BATCH: 2 at most
        "CANNON_API_KEY_FILE",
        "CANNON_",
    ],
)
def test_a_far_miss_is_only_ignored(name: str) -> None:
    assert check_environment({name: "x"}) == [name]


def test_the_variables_set_around_the_service_are_no_near_misses() -> None:
    assert check_environment(dict.fromkeys(NOT_SETTINGS, "x")) == sorted(NOT_SETTINGS)


def test_settings_and_other_variables_are_not_unknown() -> None:
    environ = dict.fromkeys([*setting_variables().values(), "cannon_port", "CANNONBALL", "PATH"])
    assert check_environment({name: "x" for name in environ}) == []


def test_the_refusal_is_a_settings_error() -> None:
    """`cannon` (app/cli/main.py) reports SettingsError as an invalid setting, in one line."""
    assert issubclass(UnknownSettingError, SettingsError)
    assert issubclass(UnknownSettingError, ValueError)


@pytest.mark.usefixtures("clean_environment")
def test_get_settings_refuses_a_near_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANNON_APIKEY", "s3cret")
    with pytest.raises(UnknownSettingError, match="did you mean CANNON_API_KEY"):
        get_settings()


@pytest.mark.usefixtures("clean_environment")
def test_unknown_variables_are_logged_once_as_ignored(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CANNON_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("CANNON_REPLICAS", "3")
    monkeypatch.setenv("CANNON_MAX_BATCH", "5")
    with caplog.at_level(logging.WARNING, logger="cannon"):
        assert get_settings().max_batch == 5
        get_settings()
    [record] = [r for r in caplog.records if r.name == "cannon"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "ignoring 2 CANNON_* variable(s) that are not settings: "
        "CANNON_REPLICAS, CANNON_SERVICE_HOST"
    )


@pytest.mark.usefixtures("clean_environment")
def test_no_unknown_variable_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="cannon"):
        get_settings()
    assert [r for r in caplog.records if r.name == "cannon"] == []


def serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`cannon serve` with these CANNON_* variables only (none inherited), on a free port."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli.main", "serve"],
        env=environment({"CANNON_PORT": str(free_port()), **env}),
        capture_output=True,
        text=True,
        timeout=60,  # s; a refusal takes about as long as the imports
    )


def test_serve_refuses_a_misspelt_key_variable_in_one_line() -> None:
    result = serve({"CANNON_APIKEY": "s3cret"})
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "cannon: invalid CANNON_* settings: CANNON_APIKEY is not a setting; "
        "did you mean CANNON_API_KEY?"
    ]


def test_serve_refuses_a_key_with_a_trailing_newline_unseen() -> None:
    result = serve({"CANNON_API_KEY": "s3cret\n"})
    assert result.returncode == 1
    assert result.stderr.startswith("cannon: invalid CANNON_* settings:")
    assert "CANNON_API_KEY has a trailing whitespace character" in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stdout + result.stderr


def test_workers_default_to_the_cores_a_container_may_use(tmp_path: Path) -> None:
    cpu_max = tmp_path / "cpu.max"
    cores = len(os.sched_getaffinity(0))
    assert usable_cores(cpu_max) == cores  # no cgroup file: the CPU set
    cpu_max.write_text("max 100000\n")
    assert usable_cores(cpu_max) == cores  # no quota
    cpu_max.write_text("150000 100000\n")  # 1.5 CPUs: two threads may run
    assert usable_cores(cpu_max) == min(cores, 2)
    cpu_max.write_text("50000 100000\n")
    assert usable_cores(cpu_max) == 1
