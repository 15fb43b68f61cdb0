"""python -m app.physics.kernel: compile the kernel for every call the service makes and leave it
in numba's cache (the container image runs this when it is built, so a server starts
without compiling). Prints where the cache is and how long it took."""

from __future__ import annotations

import time

began = time.perf_counter()

import numpy as np  # noqa: E402

from app.physics.kernel import approach, flight, odds, space  # noqa: E402  (timed: the import loads or compiles nothing yet)
from app.physics.kernel.model import CompiledAimer  # noqa: E402


def main() -> None:
    from app.model.network import AIR, SPACE, InverseNetwork  # the weights' values do not matter
    from app.physics.vacuum import Cannon

    aimer = CompiledAimer.of(InverseNetwork(Cannon(), AIR), InverseNetwork(Cannon(), SPACE))
    one, air = [4.0], [[1.5, 0.5, -3.0, 0.1]]
    for mode, fixed in (("free", 0.0), ("low", 9.0)):  # one signature: every mode shares it
        aimer.aim(one, air, mode, fixed, 1e-6, True, 50)  # type: ignore[arg-type]
    flight.landing(9.0, 0.6, 1.5, 0.5, -3.0, 0.1, 9.81, 1e-12)  # GET /verify's
    flight.slopes(9.0, 0.6, 1.5, 0.5, -3.0, 0.1, 9.81, 64)
    scenes = np.array([[1.5, -3.0, 1.0, 0.1, 9.81, 4.0, 1.0, 0.5, 0.5, -0.5, 0.0, 0.0, 0.0, 0.0]])
    for anywhere in (False, True):  # in 3D, at a moving target, both meanings of a meeting
        for mode, fixed in (("free", 0.0), ("low", 9.0)):
            aimer.aim_at(scenes, mode, fixed, 1e-6, True, 50, anywhere)
    met = np.empty(6)
    space.meet(9.0, 0.6, 0.2, scenes[0], 0.02, 1e-12, met)  # GET /verify's, in 3D
    approach.closest(9.0, 0.6, 0.2, scenes[0], 0.02, 1e-12, met)
    sensed, draws = np.empty(odds.SENSE), np.zeros((2, odds.P))  # uncertainty and calibration
    odds.sense(9.0, 0.6, 0.2, scenes[0], 32, sensed)
    odds.scatter(9.0, 0.6, 0.2, scenes[0], 32, draws, np.empty((2, 2)))
    odds.scatter_slopes(9.0, 0.6, 0.2, scenes[0], 32, draws, np.empty((2, 8)))
    print(f"kernel compiled and cached in {flight.CACHE} ({time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()
