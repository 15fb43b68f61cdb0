"""Compiled physics for serving: one shot through air in microseconds.

Training backpropagates through the torch simulator (app/flight.py), where batches amortise
torch's per-op dispatch. Serving one shot cannot: a 64-step RK4 pass of tiny tensors with its
gradient costs tens of milliseconds of dispatch, for a few thousand floating-point operations.
So serving flies shots here, compiled by numba:

- `flight.slopes`: fixed-step RK4 carrying the variational equations, so every pass gives the
  landing and its derivatives in the launch velocity and angle (what Newton needs) at once;
- `flight.landing`: an error-controlled DOP853 (scipy's coefficients, our own stepping), the
  verifier, independent of the refining RK4 and accurate far below 1e-6 m;
- `solve`: the network's forward pass and the Newton solvers, per target, in one call.

Why numba, measured against the other candidates (docs/kernel.md has the figures): a C
extension needs a compiler on every machine that installs the package; torch.compile still
pays dispatch per call and minutes of start-up; plain numpy pays the interpreter per step.
numba compiles on first use and caches the machine code beside the sources
(`cache=True`); the container fills that cache when the image is built, so a server starts
without compiling.
"""
