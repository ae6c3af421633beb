"""GPU memory in the catalog is what the driver reports (binary units), not 10^9-byte GB."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from planner.catalog.store import Catalog
from planner.core.units import GIB, MIB

DRIVER_REPORTS = Path(__file__).parents[1] / "data" / "driver_vram.csv"


def _reports() -> list[dict[str, str]]:
    with DRIVER_REPORTS.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("report", _reports(), ids=lambda r: f"{r['gpu_id']}-{r['reported_by']}")
def test_catalog_capacity_matches_the_driver_report(catalog: Catalog, report: dict[str, str]) -> None:
    acc = catalog.accelerator(report["gpu_id"])
    assert acc.memory_bytes / MIB == pytest.approx(float(report["driver_total_mib"]), rel=0.001)


def test_every_capacity_is_binary_and_cited(catalog: Catalog) -> None:
    for gpu_id, row in catalog.gpu_rows.items():
        assert row["vram_mib_basis"], gpu_id
        acc = catalog.accelerator(gpu_id)
        nominal_gib = float(row["vram_gb"])
        # Every card holds at least 15/16 of its marketed GiB (ECC) and never more than them,
        # except on-die SRAM (decimal GB).
        if "SRAM" not in (row.get("memory_type") or ""):
            assert 0.93 * nominal_gib * GIB <= acc.memory_bytes <= nominal_gib * GIB, gpu_id


def test_ecc_rule_predicts_the_cards_with_ecc_on(catalog: Catalog) -> None:
    """Datacenter GDDR boards run with ECC on and keep 15/16: the rule used for uncited rows."""
    for report in _reports():
        row = catalog.gpu_rows[report["gpu_id"]]
        if "ECC on" in report["note"]:
            predicted = float(row["vram_gb"]) * 1024 * 15 / 16
            assert predicted == pytest.approx(float(report["driver_total_mib"]), rel=0.002)


def test_a_16_gb_card_is_16_gib_not_16e9_bytes(catalog: Catalog) -> None:
    acc = catalog.accelerator(catalog.resolve_device("RTX 4080"))
    assert acc.memory_bytes == 16 * GIB
    assert acc.memory_bytes > 17e9
