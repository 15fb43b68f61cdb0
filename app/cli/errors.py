"""The one error a command raises to stop: a message for standard error and an exit code.

Its own module so that `python -m app.cli.main` (which runs main.py as __main__) and the
commands share one class."""

from __future__ import annotations

FAILED, USAGE, CANNOT_LISTEN, INTERRUPTED = 1, 2, 3, 130  # exit codes (see app/cli/main.py)


class Failure(Exception):
    """A command that cannot do its work: its message (one line, no traceback) and its exit
    code."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code
