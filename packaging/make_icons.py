"""Render the app icon set from its SVG master: PNGs, a Windows .ico and a macOS .icns.

    .venv/bin/python packaging/make_icons.py          # rewrite resources/icons/
    .venv/bin/python packaging/make_icons.py --check  # fail if the files are out of date

Uses only PySide6 (QtSvg renders, QtGui encodes PNG); the ICO and ICNS containers are
written here because both are just PNG images behind a small table of contents. The
output is committed, so building a bundle never needs to run this.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
NAME = "llm-build-planner"
MASTER = ICONS / f"{NAME}.svg"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# PNG-bearing ICNS chunk types (macOS 10.7+): type -> pixel size.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),  # 512 pt @2x
    (b"ic11", 32),  # 16 pt @2x
    (b"ic12", 64),  # 32 pt @2x
    (b"ic13", 256),  # 128 pt @2x
    (b"ic14", 512),  # 256 pt @2x
)


def render_png(renderer: QSvgRenderer, size_px: int) -> bytes:
    image = QImage(size_px, size_px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode a {size_px}px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + ICONDIRENTRYs + PNG payloads (PNG-in-ICO, read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(ICO_SIZES))
    offset = len(header) + 16 * len(ICO_SIZES)
    entries, payloads = [], []
    for size_px in ICO_SIZES:
        png = pngs[size_px]
        side = 0 if size_px >= 256 else size_px  # 0 means 256 in the ICO format
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset))
        payloads.append(png)
        offset += len(png)
    return header + b"".join(entries) + b"".join(payloads)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """'icns' header + one (type, length, PNG) chunk per entry; lengths include the 8-byte chunk header."""
    chunks = b"".join(kind + struct.pack(">I", 8 + len(pngs[px])) + pngs[px] for kind, px in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks


def expected_files() -> dict[Path, bytes]:
    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot render {MASTER}")
    needed = set(PNG_SIZES) | set(ICO_SIZES) | {px for _, px in ICNS_TYPES}
    pngs = {px: render_png(renderer, px) for px in sorted(needed)}
    files = {ICONS / f"{NAME}-{px}.png": pngs[px] for px in PNG_SIZES}
    files[ICONS / f"{NAME}.png"] = pngs[256]
    files[ICONS / f"{NAME}.ico"] = ico_bytes(pngs)
    files[ICONS / f"{NAME}.icns"] = icns_bytes(pngs)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the committed files are current")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - QPainter needs one
    files = expected_files()
    stale = [path for path, data in files.items() if not path.is_file() or path.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"make_icons: out of date: {path.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_bytes(files[path])
        print(f"wrote {path.relative_to(ROOT)} ({len(files[path])} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
