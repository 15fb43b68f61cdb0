"""The 3D figure's script (benchmarks/space_figure.py) writes its PNG: the shot aimed by the
engine, which the script itself refuses to draw unless the reference lands it on the moving
target within the tolerance."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from benchmarks import space_figure


def test_the_figure_is_written(tmp_path: Path) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        path = space_figure.main(["--out", str(tmp_path)])
    assert path == tmp_path / "space-crosswind.png" and str(path) in printed.getvalue()
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(data) < 300_000
