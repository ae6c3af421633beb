"""The numbered list of sources a build sheet cites: each distinct source gets one number."""

from __future__ import annotations

# Citations that name no outside source: a price the user typed in, or nothing at all.
NOT_A_SOURCE = {"", "user"}


class SourceIndex:
    """Hands out citation numbers in order of first use, one per distinct source."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}

    def cite(self, source: str | None) -> int | None:
        text = (source or "").strip()
        if text in NOT_A_SOURCE:
            return None
        if text not in self._numbers:
            self._numbers[text] = len(self._numbers) + 1
        return self._numbers[text]

    @property
    def entries(self) -> tuple[str, ...]:
        """The sources, in citation-number order (entry i is number i + 1)."""
        return tuple(self._numbers)


def mark(number: int | None) -> str:
    """A citation mark such as `[3]`, or nothing for an uncited figure."""
    return "" if number is None else f"[{number}]"
