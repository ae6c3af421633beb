"""Measurements in the user database, and CSV export/import in measurements.csv's schema."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from planner.catalog.store import Catalog
from planner.errors import InputError, UserDataError
from planner.measure.llama_bench import parse_bench_json, to_measurements
from planner.measure.ram import RamBandwidth
from planner.measure.records import COMMUNITY, THIS_PC
from planner.measure.share import COLUMNS, from_csv, to_csv
from planner.measure.store import MeasurementStore

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "data" / "measure" / "llama_bench_rtx4080.json"


def bench_rows(catalog: Catalog):  # type: ignore[no-untyped-def]
    return to_measurements(parse_bench_json(RECORDED.read_text()), catalog)


def test_a_run_is_stored_and_read_back_whole(store: MeasurementStore, catalog: Catalog) -> None:
    stored = store.add_run(bench_rows(catalog))
    assert len({m.run_id for m in stored}) == 1
    back = store.measurements()
    assert {m.test for m in back} == {"pp512", "tg128"}
    tg = next(m for m in back if m.test == "tg128")
    assert tg == next(m for m in stored if m.test == "tg128")
    assert store.for_model("qwen2.5-7b", "Q4_K_M") and not store.for_model("qwen2.5-7b", "Q8_0")


def test_a_run_that_fails_part_way_stores_nothing(store: MeasurementStore, catalog: Catalog) -> None:
    good, _ = bench_rows(catalog)
    broken = replace(good, tokens_per_s=None)  # type: ignore[arg-type]  # NOT NULL fails on the 2nd row
    with pytest.raises(UserDataError, match="nothing was stored"):
        store.add_run([good, broken])
    assert store.measurements() == []


def test_ram_runs_keep_their_date(store: MeasurementStore) -> None:
    assert store.latest_ram() is None
    store.add_ram(RamBandwidth(40.1, 51.2, 8, 512, 3.0, "2026-11-01T10:00:00Z"))
    store.add_ram(RamBandwidth(45.0, 51.2, 8, 512, 3.0, "2026-11-29T10:00:00Z"))
    latest = store.latest_ram()
    assert latest is not None and latest.gbs == 45.0 and latest.share == pytest.approx(0.879, abs=1e-3)


def test_export_uses_the_catalog_schema_and_imports_back_as_community(
    store: MeasurementStore, catalog: Catalog
) -> None:
    text = to_csv(bench_rows(catalog))
    header = next(csv.reader(io.StringIO(text)))
    shipped = (ROOT / "db" / "data" / "measurements.csv").read_text(encoding="utf-8")
    catalog_header = next(csv.reader(io.StringIO(shipped)))
    assert tuple(header) == COLUMNS == tuple(catalog_header)
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["test"] == "tg128")
    assert row["model"] == "qwen2.5-7b" and row["quant"] == "Q4_K_M" and row["tokens_per_s"] == "118.882"
    assert "-ngl 99" in row["notes"] and "build 8cf427ff (5163)" in row["notes"] and row["as_of"] == "2025-04-24"
    imported = store.add_run(from_csv(text, catalog))
    assert {m.origin for m in imported} == {COMMUNITY}
    assert store.measurements(THIS_PC) == []
    tg = next(m for m in store.measurements(COMMUNITY) if m.test == "tg128")
    assert (tg.model_id, tg.quant, tg.n_gen, tg.tokens_per_s) == ("qwen2.5-7b", "Q4_K_M", 128, 118.882)


def test_the_shipped_measurements_csv_imports(catalog: Catalog) -> None:
    text = (ROOT / "db" / "data" / "measurements.csv").read_text(encoding="utf-8")
    rows = from_csv(text, catalog)
    assert len(rows) > 1000
    assert sum(1 for r in rows if r.model_id) > 0.9 * len(rows)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2\n", "missing column"),
        (",".join(COLUMNS) + "\n", "no measurements"),
        (",".join(COLUMNS) + "\nRTX 3090,,,cuda,1,llama-3-8b,,Q4_K_M,,tg128,fast,,\n", "line 2: tokens_per_s"),
    ],
)
def test_a_bad_csv_is_refused_with_its_line(catalog: Catalog, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        from_csv(text, catalog)
