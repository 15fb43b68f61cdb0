"""`python -m benchmarks.soak`: the soak of benchmarks/soak/ (see its __init__.py and
docs/soak.md)."""

import sys

from benchmarks.soak.command import main

if __name__ == "__main__":
    sys.exit(main())
