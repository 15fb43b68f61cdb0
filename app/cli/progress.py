"""A batch sent in chunks, with a progress bar on standard error: on a terminal once the batch
has taken 1 s (a quick one shows none), at once when asked for with --progress.

Chunks make the progress real (each bar step is answered targets, not a guess) and cost
little: a chunk of 1,000 targets takes about 0.1-0.5 s on one core in a vacuum or through air,
so the requests or calls add a few per cent at most. The bar never touches standard output,
where the answers go; tqdm is imported only for a batch that may show it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

Target = TypeVar("Target")  # a distance (m), or a point (x, y, z) m in 3D
Answer = TypeVar("Answer")  # the answer for one target

CHUNK = 1_000  # targets a request; under the service's batch limit (10,000 by default)
DELAY = 1.0  # s before the bar shows on a terminal: a quick batch shows none


def aim_in_chunks(
    ask: Callable[[Sequence[Target]], list[Answer]],
    targets: Sequence[Target],
    show: bool,
    delay: float,
) -> list[Answer]:
    """Every target's answer, in order, `ask`ed (the HTTP client's or the in-process
    cannon's aim_many or aim_many_at) CHUNK targets at a time; if `show`, a bar on stderr
    from `delay` seconds on."""
    chunks = [targets[i : i + CHUNK] for i in range(0, len(targets), CHUNK)]
    if not show or len(chunks) < 2:
        return [answer for chunk in chunks for answer in ask(chunk)]
    from tqdm import tqdm

    answers: list[Answer] = []
    with tqdm(
        total=len(targets), unit=" targets", desc="aiming", delay=delay, file=sys.stderr
    ) as bar:
        for chunk in chunks:
            answers += ask(chunk)
            bar.update(len(chunk))
    return answers
