#!/usr/bin/env bash
# Set up (first run only) and launch the LLM Build Planner desktop app.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/check_qt_libs.sh"
exec "$ROOT/.venv/bin/planner" "$@"
