#!/usr/bin/env bash
# LLM Build Planner launcher (Linux bundle), installed next to the frozen `planner` binary.
# Before Qt starts, find the system libraries that Qt's X11 (xcb) plugin cannot load and print
# the exact install line, instead of letting Qt abort with "could not load the Qt platform
# plugin". Then run the frozen app with all arguments.
#
# It asks ldd which libraries the bundled xcb plugin is missing on *this* machine, so libraries
# that the bundle brings along are never reported. Without ldd it falls back to the fixed list
# that scripts/check_qt_libs.sh uses.
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
BIN="$HERE/planner"
QT="$HERE/_internal/PySide6/Qt"

declare -A DEB=(
  [libxcb-cursor.so.0]=libxcb-cursor0 [libxcb-icccm.so.4]=libxcb-icccm4
  [libxcb-keysyms.so.1]=libxcb-keysyms1 [libxkbcommon-x11.so.0]=libxkbcommon-x11-0
  [libxkbcommon.so.0]=libxkbcommon0 [libxcb-image.so.0]=libxcb-image0
  [libxcb-render-util.so.0]=libxcb-render-util0 [libxcb-shape.so.0]=libxcb-shape0
  [libxcb-xinerama.so.0]=libxcb-xinerama0 [libxcb-randr.so.0]=libxcb-randr0
  [libxcb-xkb.so.1]=libxcb-xkb1 [libxcb-util.so.1]=libxcb-util1 [libxcb.so.1]=libxcb1
  [libX11-xcb.so.1]=libx11-xcb1 [libX11.so.6]=libx11-6
  [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libOpenGL.so.0]=libopengl0 [libGLX.so.0]=libglx0
  [libfontconfig.so.1]=libfontconfig1 [libfreetype.so.6]=libfreetype6 [libdbus-1.so.3]=libdbus-1-3
)
declare -A RPM=(
  [libxcb-cursor.so.0]=xcb-util-cursor [libxcb-icccm.so.4]=xcb-util-wm
  [libxcb-keysyms.so.1]=xcb-util-keysyms [libxkbcommon-x11.so.0]=libxkbcommon-x11
  [libxkbcommon.so.0]=libxkbcommon [libxcb-image.so.0]=xcb-util-image
  [libxcb-render-util.so.0]=xcb-util-renderutil [libxcb-shape.so.0]=libxcb
  [libxcb-xinerama.so.0]=libxcb [libxcb-randr.so.0]=libxcb [libxcb-xkb.so.1]=libxcb
  [libxcb-util.so.1]=xcb-util [libxcb.so.1]=libxcb [libX11-xcb.so.1]=libX11-xcb [libX11.so.6]=libX11
  [libEGL.so.1]=libglvnd-egl [libGL.so.1]=libglvnd-glx [libOpenGL.so.0]=libglvnd-opengl
  [libGLX.so.0]=libglvnd-glx [libfontconfig.so.1]=fontconfig [libfreetype.so.6]=freetype
  [libdbus-1.so.3]=dbus-libs
)

needs_display() {
  # Command-line use (any argument but --self-test) and headless Qt need no X libraries.
  case "${QT_QPA_PLATFORM:-}" in offscreen*|minimal*|wayland*) return 1 ;; esac
  [ $# -eq 0 ] && return 0
  local arg
  for arg in "$@"; do [ "$arg" = "--self-test" ] && return 0; done
  return 1
}

missing_libraries() {
  local plugin="$QT/plugins/platforms/libqxcb.so"
  if command -v ldd >/dev/null 2>&1 && [ -f "$plugin" ]; then
    LD_LIBRARY_PATH="$HERE/_internal:$QT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      ldd "$plugin" "$QT/lib/libQt6XcbQpa.so.6" "$QT/lib/libQt6Gui.so.6" 2>/dev/null |
      awk '/=> not found/ {print $1}' | sort -u
    return 0
  fi
  local ldconfig_bin cache lib
  ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
  [ -x "$ldconfig_bin" ] || return 0
  cache="$("$ldconfig_bin" -p 2>/dev/null)" || return 0
  for lib in libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxkbcommon-x11.so.0 \
    libxcb-image.so.0 libxcb-render-util.so.0 libxcb-shape.so.0 libxcb-xinerama.so.0 \
    libxcb-randr.so.0 libxcb-xkb.so.1 libEGL.so.1 libGL.so.1 libfontconfig.so.1 libdbus-1.so.3; do
    [ -f "$HERE/_internal/$lib" ] || grep -q "$lib" <<<"$cache" || echo "$lib"
  done
}

report_missing() {
  local debs=() rpms=() lib
  for lib in "$@"; do
    debs+=("${DEB[$lib]:-"(the package providing $lib)"}")
    rpms+=("${RPM[$lib]:-"(the package providing $lib)"}")
  done
  local deb_line rpm_line
  deb_line="$(printf '%s\n' "${debs[@]}" | sort -u | tr '\n' ' ')"
  rpm_line="$(printf '%s\n' "${rpms[@]}" | sort -u | tr '\n' ' ')"
  {
    echo "LLM Build Planner needs system libraries that Qt uses to draw windows."
    echo "Missing: $*"
    echo "Install them with:"
    echo "  Debian/Ubuntu:  sudo apt-get install -y ${deb_line% }"
    echo "  Fedora:         sudo dnf install -y ${rpm_line% }"
    echo "The command line works without them: $0 --help"
  } >&2
  if command -v notify-send >/dev/null 2>&1; then  # started from the menu, stderr is invisible
    notify-send "LLM Build Planner cannot start" "Install: ${deb_line% }" 2>/dev/null || true
  fi
}

if [ "$(uname -s)" = "Linux" ] && needs_display "$@"; then
  mapfile -t missing < <(missing_libraries)
  if [ ${#missing[@]} -gt 0 ]; then
    report_missing "${missing[@]}"
    # On a Wayland session Qt draws through its Wayland plugin, so missing X libraries only warn.
    [ -n "${WAYLAND_DISPLAY:-}" ] || exit 1
  fi
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display found (DISPLAY is not set). Run the app from a desktop session," >&2
    echo "or headless with: QT_QPA_PLATFORM=offscreen $0 --self-test" >&2
    exit 1
  fi
fi
exec "$BIN" "$@"
