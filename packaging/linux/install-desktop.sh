#!/usr/bin/env bash
# Add (or with --uninstall remove) LLM Build Planner to this user's application menu:
# the .desktop launcher, AppStream metainfo and icons go under ~/.local/share, pointing at this
# unpacked bundle. Nothing here touches your saved builds (they live in ~/.local/share/llm-build-planner).
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
NAME=llm-build-planner
APPID=io.github.llmbuildplanner.Planner
SIZES=(16 24 32 48 64 128 256 512)

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$DATA/applications/$NAME.desktop" "$DATA/metainfo/$APPID.metainfo.xml" \
    "$DATA/icons/hicolor/scalable/apps/$NAME.svg"
  for px in "${SIZES[@]}"; do rm -f "$DATA/icons/hicolor/${px}x${px}/apps/$NAME.png"; done
  echo "Removed LLM Build Planner from the application menu."
  exit 0
fi

mkdir -p "$DATA/applications" "$DATA/metainfo"
# The menu entry must name the launcher by absolute path: the bundle is not on PATH.
sed -e "s|^Exec=.*|Exec=\"$HERE/$NAME\"|" -e "s|^TryExec=.*|TryExec=$HERE/$NAME|" \
  "$HERE/share/applications/$NAME.desktop" >"$DATA/applications/$NAME.desktop"
cp "$HERE/share/metainfo/$APPID.metainfo.xml" "$DATA/metainfo/"
for dir in "$HERE"/share/icons/hicolor/*/apps; do
  size="$(basename "$(dirname "$dir")")"
  mkdir -p "$DATA/icons/hicolor/$size/apps"
  cp "$dir"/* "$DATA/icons/hicolor/$size/apps/"
done
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$DATA/icons/hicolor" || true
echo "Added LLM Build Planner to the application menu ($DATA/applications/$NAME.desktop)."
