#!/usr/bin/env bash
# Before Qt starts on Linux/X11: check for the system libraries Qt's xcb plugin needs and
# print the exact install line, instead of letting Qt abort with its own message.
set -uo pipefail
[ "$(uname -s)" = "Linux" ] || exit 0
case "${QT_QPA_PLATFORM:-}" in offscreen*|minimal*|wayland*) exit 0 ;; esac
command -v ldconfig >/dev/null 2>&1 || exit 0
declare -A PKG=(
  [libxcb-cursor.so.0]=libxcb-cursor0 [libxcb-icccm.so.4]=libxcb-icccm4
  [libxcb-keysyms.so.1]=libxcb-keysyms1 [libxkbcommon-x11.so.0]=libxkbcommon-x11-0
  [libxcb-image.so.0]=libxcb-image0 [libxcb-render-util.so.0]=libxcb-render-util0
  [libxcb-shape.so.0]=libxcb-shape0 [libxcb-xinerama.so.0]=libxcb-xinerama0
  [libxcb-randr.so.0]=libxcb-randr0 [libxcb-xkb.so.1]=libxcb-xkb1
  [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libfontconfig.so.1]=libfontconfig1
  [libdbus-1.so.3]=libdbus-1-3
)
missing=()
cache="$(ldconfig -p 2>/dev/null)"
for lib in "${!PKG[@]}"; do
  grep -q "$lib" <<<"$cache" || missing+=("${PKG[$lib]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  IFS=$'\n' sorted=($(sort -u <<<"${missing[*]}")); unset IFS
  echo "LLM Build Planner needs system libraries that Qt uses to draw windows." >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get install -y ${sorted[*]}" >&2
  echo "(Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms libxkbcommon-x11)" >&2
  exit 1
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found (DISPLAY is not set). Run the app from a desktop session," >&2
  echo "or headless with: QT_QPA_PLATFORM=offscreen ./run.sh --self-test" >&2
  exit 1
fi
