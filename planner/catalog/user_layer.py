"""The user's own entries as a layer over the read-only shipped catalog.

`UserLayer` holds the custom GPUs and models and the price overrides from the user database.
`LayeredTables` is the view the app reads: the shipped rows with the layer on top, and the name
indexes over both. Each view is built once for one layer and never changed; giving the catalog a
new layer builds a new view, so the shipped rows are never written and a reader in a worker
thread sees either the old view or the new one, never half of each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from planner.catalog.names import Entry, NameIndex

Row = dict[str, Any]
USER_PRICE_SOURCE = "your own price"
OVERRIDABLE_PRICES = ("new", "used")


def split_aliases(text: str | None) -> tuple[str, ...]:
    return tuple(a.strip() for a in (text or "").split(";") if a.strip())


@dataclass(frozen=True)
class UserLayer:
    """Custom GPU and model rows (shaped like the catalog's) and price overrides (user database rows)."""

    gpus: tuple[Row, ...] = ()
    models: tuple[Row, ...] = ()
    prices: tuple[Row, ...] = ()

    def over(self, table: str, shipped: Mapping[str, Row]) -> dict[str, Row]:
        """`shipped` (id -> row) with this layer's custom rows added and its prices applied.

        A custom row never replaces a shipped one with the same id; a price override applies only
        to new and used prices (the launch price is history, not an opinion).
        """
        custom = {"gpus": self.gpus, "models": self.models}.get(table, ())
        merged = {**{r["id"]: {**r, "origin": "custom"} for r in custom}, **shipped}
        for price in self.prices:
            item_id, kind = price["item_id"], price["price_kind"]
            if price["item_table"] != table or item_id not in merged or kind not in OVERRIDABLE_PRICES:
                continue
            merged[item_id] = {
                **merged[item_id],
                f"price_{kind}_usd": price["price_usd"],
                f"price_{kind}_as_of": price["as_of"],
                "price_source_url": USER_PRICE_SOURCE,
            }
        return merged


class LayeredTables:
    """GPUs, CPUs and models with a `UserLayer` on top, and the name indexes over them."""

    def __init__(
        self, shipped: Mapping[str, Mapping[str, Row]], apple_rows: Mapping[str, Row], layer: UserLayer
    ) -> None:
        self.layer = layer
        self.gpu_rows = layer.over("gpus", shipped["gpus"])
        self.cpu_rows = layer.over("cpus", shipped["cpus"])
        self.model_rows = layer.over("models", shipped["models"])
        self._apple_rows = apple_rows

    @cached_property
    def device_index(self) -> NameIndex:
        """GPUs and Apple chips: everything `--gpu NAME` accepts."""
        rows = [*self.gpu_rows.values(), *self._apple_rows.values()]
        return NameIndex("gpu", [Entry(r["id"], r["name"], split_aliases(r.get("aliases"))) for r in rows])

    @cached_property
    def cpu_index(self) -> NameIndex:
        rows = self.cpu_rows.values()
        return NameIndex("cpu", [Entry(r["id"], r["name"], split_aliases(r.get("aliases"))) for r in rows])

    @cached_property
    def model_index(self) -> NameIndex:
        entries = [
            Entry(r["id"], r["name"], tuple(a for a in (r.get("repo") or "", *split_aliases(r.get("aliases"))) if a))
            for r in self.model_rows.values()
        ]
        return NameIndex("model", entries)
