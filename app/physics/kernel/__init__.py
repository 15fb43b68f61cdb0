"""Compiled physics for serving: one shot through air in microseconds.

Training backpropagates through the torch simulator (app/physics/flight.py), where batches amortise
torch's per-op dispatch. Serving one shot cannot: a pass of tiny tensors through a flight's
RK4 steps costs torch's dispatch on every op, far more than its arithmetic. So serving flies
shots here, compiled by numba:

- `flight.slopes`: fixed-step RK4 carrying the variational equations, so every pass gives the
  landing and its derivatives in the launch velocity and angle (what Newton needs) at once;
- `flight.landing`: an error-controlled DOP853 (scipy's coefficients, our own stepping), the
  verifier, independent of the refining RK4 and accurate far below 1e-6 m;
- `solve` and `aim`: the network's forward pass and the Newton solvers, per target, in one
  call (`model` binds them to a loaded network);
- `reach`: how near and how far a constraint lands, searched only for a missed target.

Why numba. The candidates, and what decided: torch (the simulator) pays dispatch per op of a
tiny tensor, and numpy pays the interpreter per op, for every one of a flight's hundreds of
steps; both are orders of magnitude above the arithmetic. A C extension would cost the same
as numba per shot but needs a compiler wherever the package is installed (the slim image has
none) and a build step in editable installs; torch.compile was not tried: it still calls
through torch's dispatcher and compiles at start. numba compiles once and caches the machine
code (`cache=True`, in a directory named after these sources: flight.py says why); the
image fills the cache when it is built (`python -m app.physics.kernel`), so a server starts without
compiling. Its cost: numba and llvmlite in the install (about 200 MB) and a compile of
seconds on a cold cache. benchmarks/peer.py and benchmarks/startup.py measure both sides.
"""
