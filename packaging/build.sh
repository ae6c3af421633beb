#!/usr/bin/env bash
# Build the desktop bundle from a clean checkout (Linux and macOS; Windows: packaging\build.ps1).
#
#   packaging/build.sh
#
# 1. scripts/setup.sh: .venv with the app installed, and resources/catalog.sqlite compiled
# 2. the pinned build tools from packaging/requirements.txt into .venv
# 3. pyinstaller packaging/planner.spec -> build/dist/llm-build-planner/ (macOS: also the .app)
# 4. Linux: build/dist/llm-build-planner-<version>-linux-<arch>.tar.gz
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST="$ROOT/build/dist"
WORK="$ROOT/build/work"

bash scripts/setup.sh
echo "== build tools (packaging/requirements.txt)" >&2
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r packaging/requirements.txt >&2

echo "== pyinstaller" >&2
rm -rf "$DIST/llm-build-planner" "$DIST/LLM Build Planner.app"
.venv/bin/python -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" packaging/planner.spec

version="$(.venv/bin/python -c 'import planner; print(planner.__version__)')"
case "$(uname -s)" in
  Darwin)
    echo "bundle: $DIST/LLM Build Planner.app ($(du -sh "$DIST/LLM Build Planner.app" | cut -f1))"
    ;;
  *)
    archive="$DIST/llm-build-planner-$version-linux-$(uname -m).tar.gz"
    tar -C "$DIST" -czf "$archive" llm-build-planner
    echo "bundle: $DIST/llm-build-planner ($(du -sh "$DIST/llm-build-planner" | cut -f1))"
    echo "archive: $archive ($(du -sh "$archive" | cut -f1))"
    ;;
esac
