#!/usr/bin/env bash
# Shared set-up for ./run.sh and ./test.sh: a virtual environment inside the project,
# the project installed into it (re-installed only when pyproject.toml changes), and the
# catalog compiled from db/. Safe to run again and again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "LLM Build Planner needs Python 3.11 or newer; install it (e.g. 'sudo apt install python3.11 python3.11-venv') and try again." >&2
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  PY="$(find_python)"
  echo "Creating virtual environment in .venv ..." >&2
  "$PY" -m venv "$VENV" || {
    echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt install python3-venv" >&2
    exit 1
  }
fi

stamp="$VENV/.setup-stamp"
want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing LLM Build Planner and its dependencies into .venv ..." >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]" >&2
  echo "$want" > "$stamp"
fi

"$VENV/bin/python" -m planner catalog build >/dev/null
