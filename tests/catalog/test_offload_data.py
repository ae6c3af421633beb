"""The vendored offload measurements and their machines are in the catalog, cited."""

from __future__ import annotations

from planner.catalog.store import Catalog


def test_every_offload_row_is_vendored_with_its_source(catalog: Catalog) -> None:
    rows = catalog.table("offload_measurements", "row_id")
    assert len(rows) == 165
    assert all(r["source_url"].startswith("https://") and r["tokens_per_s"] > 0 for r in rows)


def test_offload_setups_name_catalog_parts_and_say_what_was_assumed(catalog: Catalog) -> None:
    setups = catalog.table("offload_setups", "setup_id")
    assert len(setups) >= 10
    measured_ids = {r["setup_id"] for r in catalog.table("offload_measurements", "row_id")}
    for s in setups:
        assert s["setup_id"] in measured_ids
        assert s["cpu_id"] in catalog.cpu_rows
        assert s["gpu_id"] is None or s["gpu_id"] in catalog.gpu_rows
        assert s["ram_basis"] and s["source_url"].startswith("https://")


def test_cpu_catalog_holds_the_cpus_people_offload_to(catalog: Catalog) -> None:
    for name in ("EPYC 9654", "EPYC 9965", "EPYC 9355", "Xeon 6980P", "Platinum 8592+", "Threadripper PRO 7975WX"):
        cpu = catalog.cpu(name)
        assert cpu.memory_channels >= 8
    assert catalog.cpu("Ryzen 9 9950X").memory_channels == 2
