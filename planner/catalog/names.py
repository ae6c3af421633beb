"""Name normalization and resolution: names as users, drivers and sources write them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from planner.errors import AmbiguousNameError, InputError, UnknownNameError

MAX_NAME_CHARS = 200  # longer than any real name; a 100 KB name would take seconds to match

_NOISE = re.compile(r"\((?:r|tm)\)|®|™", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s_\-:/,]+")
_VENDOR_WORDS = ("nvidia", "geforce", "amd", "radeon", "intel", "apple")


def normalize(name: str) -> str:
    """Lower-case, drop trademark marks, collapse separators to single dashes."""
    text = _NOISE.sub("", name.lower())
    text = _SEPARATORS.sub("-", text).strip("-")
    return text.replace("-gguf", "")


def loose(name: str) -> str:
    """Normalized, without vendor words: 'NVIDIA GeForce RTX 3090' -> 'rtx-3090'."""
    parts = [p for p in normalize(name).split("-") if p not in _VENDOR_WORDS]
    return "-".join(parts)


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    names: tuple[str, ...]


class NameIndex:
    """Resolves a free-form name to one entry id, or explains why it cannot."""

    def __init__(self, kind: str, entries: Iterable[Entry]) -> None:
        self.kind = kind
        self._entries = {e.id: e for e in entries}
        self._exact: dict[str, set[str]] = {}
        self._loose: dict[str, set[str]] = {}
        for entry in self._entries.values():
            for name in (entry.id, entry.name, *entry.names):
                if name.strip():
                    self._exact.setdefault(normalize(name), set()).add(entry.id)
                    self._loose.setdefault(loose(name), set()).add(entry.id)

    def __len__(self) -> int:
        return len(self._entries)

    def candidates(self, name: str) -> list[str]:
        """Ids that the name matches exactly (after normalization), else loosely."""
        if not isinstance(name, str):
            raise InputError(f"a {self.kind} name must be text; got {type(name).__name__}")
        if len(name) > MAX_NAME_CHARS:
            raise InputError(
                f"that {self.kind} name is {len(name):,} characters long; at most {MAX_NAME_CHARS} are allowed"
            )
        keys = [name]
        if "/" in name:  # a repository id: owner/name
            keys.append(name.rsplit("/", 1)[1])
        for key in keys:
            for table, norm in ((self._exact, normalize(key)), (self._loose, loose(key))):
                hits = table.get(norm)
                if hits:
                    return sorted(hits)
        return self._containing(loose(keys[-1]))

    def _containing(self, key: str) -> list[str]:
        """Entries whose name has every word of `key`: 'A100 40GB' -> the PCIe and SXM 40GB cards."""
        words = set(key.split("-")) - {""}
        if not words:
            return []
        return sorted(
            {entry_id for alias, ids in self._loose.items() if words <= set(alias.split("-")) for entry_id in ids}
        )

    def resolve(self, name: str) -> str:
        hits = self.candidates(name)
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise AmbiguousNameError(self.kind, name, [self._entries[h].name for h in hits])
        raise UnknownNameError(self.kind, name, self.suggest(name))

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Closest entries: string similarity, favouring those sharing the query's numbers."""
        key = loose(name.rsplit("/", 1)[-1])
        numbers = set(re.findall(r"\d+", key))
        best: dict[str, float] = {}
        for alias, ids in self._loose.items():
            score = difflib.SequenceMatcher(None, key, alias).ratio()
            score += 0.3 * len(numbers & set(re.findall(r"\d+", alias))) / max(len(numbers), 1)
            for entry_id in ids:
                best[entry_id] = max(best.get(entry_id, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], self._entries[item[0]].name))
        return [self._entries[i].name for i, score in ranked[:limit] if score >= 0.5]
