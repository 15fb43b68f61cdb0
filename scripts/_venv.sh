# Sourced by the other scripts: create or reuse .venv and install the project into it.
# Usage: source scripts/_venv.sh [EXTRA]   (EXTRA "dev" adds the test and lint tools)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${CANNON_VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
extra="${1:-}"
target="."; [ -n "$extra" ] && target=".[$extra]"
stamp="$VENV/.installed${extra:+-$extra}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  # torch is pinned in pyproject.toml; where a CPU wheel lies in /opt/wheels, pip takes it.
  links=(); [ -d /opt/wheels ] && links=(--find-links /opt/wheels)
  "$VENV/bin/python" -m pip install -qq "${links[@]}" -e "$target"
  touch "$stamp"
fi
