#!/usr/bin/env bash
# Set up (first run only) and launch the LLM Build Planner desktop app.
# With arguments it runs that command instead: ./run.sh estimate ..., ./run.sh --self-test
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$ROOT/scripts/setup.sh"
if [ $# -eq 0 ]; then
  bash "$ROOT/scripts/check_qt_libs.sh" "$ROOT/.venv/bin/python"
fi
exec "$ROOT/.venv/bin/planner" "$@"
