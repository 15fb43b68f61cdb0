"""Settings: defaults match the library's cannon; impossible values are refused by name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.physics import Cannon


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
        ("CANNON_MAX_VELOCITY", "nan", "max_velocity"),
        ("CANNON_DEFAULT_TOLERANCE", "1e-9", "default_tolerance"),
        ("CANNON_PORT", "70000", "port"),
        ("CANNON_LOG_LEVEL", "loud", "log_level"),
    ],
)
def test_impossible_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=words):
        Settings()


def test_cors_origins_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANNON_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]
