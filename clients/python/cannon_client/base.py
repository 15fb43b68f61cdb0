"""The base of every answer model, in its own module so that answers.py, odds.py and
calibration.py can all build on it without importing each other in a circle."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """Every answer's base. Built on first use (`defer_build`), not at import: building all
    of them costs about as much as importing pydantic, and a caller uses a few."""

    model_config = ConfigDict(defer_build=True)
