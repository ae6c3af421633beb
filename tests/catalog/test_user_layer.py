"""The user's custom entries and prices are a layer over the read-only shipped catalog."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.catalog.store import Catalog
from planner.catalog.user_catalog import custom_gpu_row
from planner.catalog.user_layer import UserLayer
from planner.errors import UnknownNameError


@pytest.fixture
def fresh(catalog_file: Path) -> Iterator[Catalog]:
    opened = Catalog(catalog_file)
    yield opened
    opened.close()


def used_price(item_id: str, usd: float) -> dict[str, object]:
    return {"item_table": "gpus", "item_id": item_id, "price_kind": "used", "price_usd": usd, "as_of": "2026-11-30"}


def test_a_custom_gpu_resolves_and_is_flagged(fresh: Catalog) -> None:
    row = custom_gpu_row("Lab Card 48", vram_gb=48, bandwidth_gbs=900)
    fresh.set_user_layer(UserLayer(gpus=(row,)))
    assert fresh.resolve_device("Lab Card 48") == row["id"]
    assert fresh.gpu_rows[row["id"]]["origin"] == "custom"
    assert fresh.accelerator(row["id"]).memory_gb == 48


def test_a_new_layer_replaces_the_previous_one(fresh: Catalog) -> None:
    row = custom_gpu_row("Lab Card 48", vram_gb=48, bandwidth_gbs=900)
    fresh.set_user_layer(UserLayer(gpus=(row,)))
    fresh.set_user_layer(UserLayer())
    assert row["id"] not in fresh.gpu_rows
    with pytest.raises(UnknownNameError):
        fresh.resolve_device("Lab Card 48")


def test_a_price_override_leaves_the_shipped_rows_untouched(fresh: Catalog) -> None:
    shipped = copy.deepcopy(fresh.gpu_rows["rtx-3090"])
    fresh.set_user_layer(UserLayer(prices=(used_price("rtx-3090", 555.0),)))
    overridden = fresh.gpu_rows["rtx-3090"]
    assert (overridden["price_used_usd"], overridden["price_source_url"]) == (555.0, "your own price")
    fresh.set_user_layer(UserLayer())
    assert fresh.gpu_rows["rtx-3090"] == shipped


def test_a_custom_entry_never_shadows_a_shipped_one(fresh: Catalog) -> None:
    impostor = {**fresh.gpu_rows["rtx-3090"], "vram_gb": 1.0, "name": "My 3090"}
    fresh.set_user_layer(UserLayer(gpus=(impostor,)))
    assert fresh.gpu_rows["rtx-3090"]["vram_gb"] == 24.0
    assert "origin" not in fresh.gpu_rows["rtx-3090"]


def test_launch_prices_and_unknown_items_are_not_overridden(fresh: Catalog) -> None:
    launch = {**used_price("rtx-3090", 1.0), "price_kind": "launch"}
    fresh.set_user_layer(UserLayer(prices=(launch, used_price("no-such-gpu", 1.0))))
    assert fresh.gpu_rows["rtx-3090"].get("price_source_url") != "your own price"
    assert "no-such-gpu" not in fresh.gpu_rows
