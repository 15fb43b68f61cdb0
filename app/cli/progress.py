"""A batch sent in chunks, with a progress bar on standard error: on a terminal once the batch
has taken 1 s (a quick one shows none), at once when asked for with --progress.

Chunks make the progress real (each bar step is answered targets, not a guess) and cost
little: a chunk of 1,000 targets takes about 0.1-0.5 s on one core in a vacuum or through air,
so the requests or calls add a few per cent at most. The bar never touches standard output,
where the answers go; tqdm is imported only for a batch that may show it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, Protocol

import cannon_client

CHUNK = 1_000  # targets a request; under the service's batch limit (10,000 by default)
DELAY = 1.0  # s before the bar shows on a terminal: a quick batch shows none


class Aims(Protocol):
    """A cannon that aims at many targets: the HTTP client or the in-process one."""

    def aim_many(
        self, distances: Sequence[float], **options: Any
    ) -> list[cannon_client.Solution]: ...


def aim_in_chunks(
    cannon: Aims, distances: Sequence[float], show: bool, delay: float, **options: Any
) -> list[cannon_client.Solution]:
    """Every target's answer, in order, asked CHUNK at a time; if `show`, a bar on stderr
    from `delay` seconds on."""
    chunks = [distances[i : i + CHUNK] for i in range(0, len(distances), CHUNK)]
    if not show or len(chunks) < 2:
        return [answer for chunk in chunks for answer in cannon.aim_many(chunk, **options)]
    from tqdm import tqdm

    answers: list[cannon_client.Solution] = []
    with tqdm(
        total=len(distances), unit=" targets", desc="aiming", delay=delay, file=sys.stderr
    ) as bar:
        for chunk in chunks:
            answers += cannon.aim_many(chunk, **options)
            bar.update(len(chunk))
    return answers
