"""The catalog build: deterministic, complete, cited, and clear about broken inputs."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from planner.catalog.build import build_catalog
from planner.catalog.store import Catalog
from planner.errors import CatalogError

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM_MEASUREMENTS = ROOT / "tests" / "data" / "benchmarks" / "measurements.csv"  # see tests/data/README.md
CITED_TABLES = ("gpus", "apple_chips", "apple_configs", "cpus", "models", "quant_types", "presets", "article_floor")


def test_building_twice_gives_identical_bytes(tmp_path: Path, catalog_file: Path) -> None:
    again = build_catalog(ROOT / "db", tmp_path / "again.sqlite")
    assert again.read_bytes() == catalog_file.read_bytes()


def test_coverage_meets_the_minimums(catalog: Catalog) -> None:
    assert len(catalog.gpu_rows) >= 120
    assert len(catalog.cpu_rows) >= 30
    assert len(catalog.model_rows) >= 40
    assert len(catalog.apple_rows) >= 28
    assert {"ryzen-7-5800x", "ryzen-7-5700x"} <= set(catalog.cpu_rows)


def test_every_row_is_cited(catalog: Catalog) -> None:
    for table in CITED_TABLES:
        for row in catalog.table(table, "rowid"):
            assert row["source_url"], f"{table} row {row.get('id') or row.get('name')} has no source"
            assert row["as_of"], f"{table} row {row.get('id') or row.get('name')} has no as_of"


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_db_measurements_are_the_public_set_unchanged_plus_as_of() -> None:
    upstream = _csv_rows(UPSTREAM_MEASUREMENTS)
    ours = _csv_rows(ROOT / "db" / "data" / "measurements.csv")
    assert len(ours) == len(upstream)
    for line, (mine, theirs) in enumerate(zip(ours, upstream, strict=True), start=2):
        assert {k: mine[k] for k in theirs} == theirs, f"db/data/measurements.csv:{line} differs from the public set"
        assert mine["as_of"], f"db/data/measurements.csv:{line} has no as_of"


def test_every_measurement_is_kept_with_its_source(catalog: Catalog) -> None:
    stored = catalog.table("measurements")
    assert len(stored) == len(_csv_rows(ROOT / "db" / "data" / "measurements.csv"))
    assert all(r["source_url"] for r in stored)


def test_non_launch_prices_say_what_they_are(catalog: Catalog) -> None:
    kinds = {r["price_kind"] for r in catalog.table("prices", "rowid")}
    assert kinds <= {"launch", "new_street", "used"}
    dated = [r for r in catalog.table("prices", "rowid") if r["price_kind"] != "launch"]
    assert dated and all(r["as_of"] for r in dated)


def test_presets_from_the_article_are_present(catalog: Catalog) -> None:
    expected = {
        "rtx3060-5800x-box", "rtx3090-build", "m3-max-36gb", "m3-ultra-192gb", "2x-rtx3090",
        "rtx6000-ada-workstation", "8x-h200", "8x-b200", "8x-a100-used", "cerebras-cs3",
    }  # fmt: skip
    assert expected <= set(catalog.preset_rows)


def test_missing_catalog_names_the_file_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    with pytest.raises(CatalogError, match=r"nope.sqlite is missing.*planner catalog build"):
        Catalog(missing)


def test_corrupt_catalog_names_the_file_and_the_fix(tmp_path: Path) -> None:
    broken = tmp_path / "catalog.sqlite"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CatalogError, match=r"catalog.sqlite is corrupt.*planner catalog build"):
        Catalog(broken)


def test_a_bad_number_in_a_source_file_names_file_line_and_column(tmp_path: Path) -> None:
    db = tmp_path / "db"
    shutil.copytree(ROOT / "db", db)
    path = db / "data" / "cpus.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = next(csv.reader([text[1]]))
    cells[header.index("cores")] = "eight"
    out = tmp_path / "row.csv"
    with out.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(cells)
    text[1] = out.read_text().strip()
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"cpus.csv:2 cores: 'eight' is not a number"):
        build_catalog(db, tmp_path / "out.sqlite")


def test_a_missing_source_file_is_named(tmp_path: Path) -> None:
    db = tmp_path / "db"
    shutil.copytree(ROOT / "db", db)
    (db / "data" / "models.csv").unlink()
    with pytest.raises(CatalogError, match=r"models.csv is missing"):
        build_catalog(db, tmp_path / "out.sqlite")


def test_the_article_floor_table_is_compiled_in_the_articles_order(catalog: Catalog) -> None:
    rows = catalog.article_floor()
    assert [r["model_class"].split(" (")[0] for r in rows] == [
        "3B–7B",
        "13B–14B",
        "27B–32B",
        "70B+",
        "400B+",
        "Frontier",
    ]
    assert all("SpecPicks, 2026-05-29" in r["source_url"] for r in rows)


def test_an_article_floor_row_naming_an_unknown_preset_is_rejected(tmp_path: Path) -> None:
    db = tmp_path / "db"
    shutil.copytree(ROOT / "db", db)
    path = db / "data" / "article_floor.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"rtx3090-build"', '"no-such-box"'), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"article_floor.json row 3: '3090 \(24GB\)' names no catalog preset"):
        build_catalog(db, tmp_path / "out.sqlite")
