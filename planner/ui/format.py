"""Number formatting for the UI: money in the user's currency, speeds, sizes."""

from __future__ import annotations

import html

from planner.core.units import GIB
from planner.ui.settings import Settings

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "CAD": "C$", "AUD": "A$"}


class Money:
    """Formats USD amounts in the chosen currency (rate = units of it per US dollar)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def code(self) -> str:
        return str(self.settings.get("currency"))

    @property
    def rate(self) -> float:
        return float(self.settings.get("usd_exchange_rate")) or 1.0

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.code, self.code + " ")

    def __call__(self, usd: float | None, digits: int = 0) -> str:
        if usd is None:
            return "price unknown"
        return f"{self.symbol}{usd * self.rate:,.{digits}f}"

    def label(self, text: str) -> str:
        """A header or tip written with "$" in the user's currency: "$/Mtok" becomes "€/Mtok"."""
        return text.replace("$", self.symbol.strip())

    def per_1000(self, tok_s_per_1000_usd: float | None) -> str:
        """Speed per 1,000 units of the user's currency, e.g. "12.3 tok/s per €1,000"."""
        if tok_s_per_1000_usd is None:
            return "—"
        return f"{tok_s_per_1000_usd / self.rate:,.1f} tok/s per {self(1000 / self.rate)}"


def tok_s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def tok_range(pair: tuple[float, float] | None) -> str:
    return "" if pair is None else f"{tok_s(pair[0])}–{tok_s(pair[1])}"


def gib(value_bytes: float) -> str:
    return f"{value_bytes / GIB:,.1f} GiB"


def esc(text: object) -> str:
    """User text in rich-text labels prints literally."""
    return html.escape(str(text), quote=True)
