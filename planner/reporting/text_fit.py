"""User text made fit for the page: every character visible, every line inside the margins.

- `printable` replaces characters no installed font can draw (most emoji on a Linux box
  without an emoji font) with a visible box, and drops control characters, so nothing
  prints as an invisible `\\x00` glyph.
- `wrapped_lines` breaks text into lines of at most `width`, at word boundaries where it
  can and anywhere where it must (a 5,000-character name has no spaces), so a block of
  text can be split across pages line by line.
- `breakable` lets Qt's word wrap break very long runs inside table cells.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QPaintDevice, QTextLayout, QTextOption

MISSING = "\u25a1"  # WHITE SQUARE: a visible stand-in that DejaVu and most UI fonts have
ZERO_WIDTH_SPACE = "\u200b"
LONG_RUN = 24
FALLBACK_HINTS = ("emoji", "symbol", "fallback", "noto")


@lru_cache(maxsize=1)
def _fallback_fonts() -> tuple[QFont, ...]:
    families = [f for f in QFontDatabase.families() if any(h in f.lower() for h in FALLBACK_HINTS)]
    return tuple(QFont(f) for f in families[:12])


@lru_cache(maxsize=4096)
def _drawable(char: str, family: str) -> bool:
    code = ord(char)
    if QFontMetricsF(QFont(family)).inFontUcs4(code):
        return True
    return any(QFontMetricsF(font).inFontUcs4(code) for font in _fallback_fonts())


def printable(text: str, font: QFont) -> str:
    """`text` with undrawable characters as a visible box and control characters removed."""
    family = font.family()
    out = []
    for char in text:
        if char in "\n\t" or char == ZERO_WIDTH_SPACE:
            out.append(char)
        elif unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            out.append(MISSING if unicodedata.category(char) != "Cc" else "")
        elif unicodedata.category(char) in ("Mn", "Me", "Cf") or char == " " or _drawable(char, family):
            out.append(char)
        else:
            out.append(MISSING)
    return "".join(out)


def breakable(text: str) -> str:
    """Long unbroken runs get zero-width spaces every LONG_RUN characters, so word wrap can break them."""
    words = text.split(" ")
    return " ".join(
        ZERO_WIDTH_SPACE.join(w[i : i + LONG_RUN] for i in range(0, len(w), LONG_RUN)) if len(w) > LONG_RUN else w
        for w in words
    )


def wrapped_lines(text: str, font: QFont, device: QPaintDevice, width: float, anywhere: bool = False) -> list[str]:
    """The lines `text` takes at `width` (device units), for drawing one by one."""
    lines: list[str] = []
    mode = QTextOption.WrapMode.WrapAnywhere if anywhere else QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
    for paragraph in text.split("\n"):
        layout = QTextLayout(paragraph, font, device)
        option = QTextOption()
        option.setWrapMode(mode)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(width, 1.0))
            lines.append(paragraph[line.textStart() : line.textStart() + line.textLength()].rstrip())
        layout.endLayout()
    return lines or [""]
