#!/usr/bin/env bash
# Before the window opens on Linux/X11: find the system libraries Qt's xcb plugin needs but
# cannot load, and print the exact install line, instead of letting Qt abort with its own
# message. The list comes from `ldd` on the installed Qt plugin, so it matches this Qt.
#
# Usage: check_qt_libs.sh [PYTHON]   PYTHON is the interpreter that will run the app (default:
# the project's .venv/bin/python); Qt is located through it. Exit 1, with the reason, when that
# interpreter or its Qt cannot be found: a check that cannot run must not pass silently.
set -uo pipefail
[ "$(uname -s)" = "Linux" ] || exit 0
case "${QT_QPA_PLATFORM:-}" in offscreen*|minimal*|wayland*) exit 0 ;; esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
declare -A PKG=(
  [libxcb-cursor.so.0]=libxcb-cursor0 [libxcb-icccm.so.4]=libxcb-icccm4 [libxcb-util.so.1]=libxcb-util1
  [libxcb-keysyms.so.1]=libxcb-keysyms1 [libxkbcommon-x11.so.0]=libxkbcommon-x11-0 [libxkbcommon.so.0]=libxkbcommon0
  [libxcb-image.so.0]=libxcb-image0 [libxcb-render-util.so.0]=libxcb-render-util0 [libxcb-render.so.0]=libxcb-render0
  [libxcb-shape.so.0]=libxcb-shape0 [libxcb-randr.so.0]=libxcb-randr0 [libxcb-xkb.so.1]=libxcb-xkb1
  [libxcb-shm.so.0]=libxcb-shm0 [libxcb-sync.so.1]=libxcb-sync1 [libxcb-xfixes.so.0]=libxcb-xfixes0
  [libxcb.so.1]=libxcb1 [libX11-xcb.so.1]=libx11-xcb1 [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1
  [libGLX.so.0]=libglx0 [libOpenGL.so.0]=libopengl0 [libfontconfig.so.1]=libfontconfig1 [libdbus-1.so.3]=libdbus-1-3
)
PYTHON="${1:-$ROOT/.venv/bin/python}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "Cannot check Qt's system libraries: the app's Python interpreter $PYTHON was not found." >&2
  echo "Run ./run.sh (it creates .venv), or pass the interpreter that runs the app." >&2
  exit 1
fi
if ! qt_dir="$("$PYTHON" -c 'import PySide6, os; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt"))' 2>&1)"; then
  echo "Cannot check Qt's system libraries: $PYTHON cannot import PySide6:" >&2
  echo "$qt_dir" | tail -n 3 >&2
  echo "Re-install the app's dependencies (delete .venv and run ./run.sh again)." >&2
  exit 1
fi
plugin="$qt_dir/plugins/platforms/libqxcb.so"
if [ ! -f "$plugin" ]; then
  echo "Cannot check Qt's system libraries: Qt's X11 plugin $plugin is missing." >&2
  echo "Re-install PySide6 (delete .venv and run ./run.sh again)." >&2
  exit 1
fi
missing_libs=""
if command -v ldd >/dev/null 2>&1; then
  missing_libs="$(ldd "$plugin" "$qt_dir"/lib/libQt6XcbQpa.so.* 2>/dev/null | awk '/not found/ {print $1}' | sort -u)"
else
  echo "Note: ldd is not installed, so Qt's system libraries were not checked." >&2
fi
if [ -n "$missing_libs" ]; then
  packages=$(for lib in $missing_libs; do echo "${PKG[$lib]:-$lib}"; done | sort -u | tr '\n' ' ')
  echo "LLM Build Planner needs system libraries that Qt uses to draw windows." >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get install -y ${packages% }" >&2
  echo "(Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms libxkbcommon-x11)" >&2
  exit 1
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found (DISPLAY is not set). Run the app from a desktop session," >&2
  echo "or headless with: ./run.sh --self-test" >&2
  exit 1
fi
