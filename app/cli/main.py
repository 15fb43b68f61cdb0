"""The `cannon` command: serve the API, aim and verify (in this process, or against a service
with --url), train the network, run the benchmarks.

This module and the parser (app/cli/options.py) import nothing heavy: `--help`, `--version`
and every `--url` call answer without torch, numpy, scipy or numba. Each command's module is
imported only when that command runs; only the in-process answers (no --url), serve, train
and bench load the model and its libraries.

exit codes:
  0    done: the answer is printed and, for aim and for verify with --distance or
       --target, the shot hits the target (verify without either: where the shot lands is
       printed)
  1    no hit, or the command failed: the shot misses the target (aim, verify), a batch has
       a target missed or out of reach (its answers are still written), or a message on
       standard error says what failed (the service refused the request, could not be
       reached, a file cannot be read or written, the model cannot be loaded)
  2    the command line is wrong (usage on standard error)
  3    cannon serve cannot listen: the port is busy or the address not allowed
  130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import importlib
import os
import sys

from app.cli import options
from app.cli.errors import FAILED, INTERRUPTED, Failure


def main(argv: list[str] | None = None) -> None:
    """Run one command; exit with its code (see the module docstring), never a traceback
    for a user's mistake or an unreachable service."""
    args = options.parser().parse_args(argv)
    problem = options.problem(args)
    if problem:
        args.parser.error(problem)  # exit 2, the subcommand's usage and the problem
    module_name, function_name = args.run.split(":")
    try:
        module = importlib.import_module(f"app.cli.{module_name}")
        code = getattr(module, function_name)(args)
    except Failure as failure:
        print(f"cannon: {failure}", file=sys.stderr)
        sys.exit(failure.code)
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    except BrokenPipeError:  # `cannon aim --file big.csv | head`: the reader left; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nor at exit's flush
        sys.exit(FAILED)
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
