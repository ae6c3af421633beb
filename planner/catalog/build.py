"""Compile db/ (schema.sql + data/*.csv|json) into the shipped SQLite catalog.

The build is deterministic: the same inputs give byte-identical output, because rows
are inserted in a fixed order into a fresh database that is then VACUUMed into place.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from planner.catalog.names import normalize
from planner.errors import CatalogError

CSV_TABLES = (
    "gpus", "apple_chips", "apple_configs", "cpus", "models", "quant_types", "dataflow_systems", "serving_measurements",
    "llama_batched_measurements", "offload_measurements", "offload_setups",
)  # fmt: skip
BUILD_AS_OF = "2026-11-26"


def source_files(db_dir: Path) -> list[Path]:
    files = [db_dir / "schema.sql"]
    files += sorted((db_dir / "data").glob("*.csv"))
    files += sorted((db_dir / "data").glob("*.json"))
    return files


def catalog_version(db_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in source_files(db_dir):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise CatalogError(f"catalog source file {path} is missing; restore it from git.")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _column_types(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {row[1]: row[2].upper() for row in conn.execute(f"PRAGMA table_info({table})")}


def _coerce(value: str | None, sql_type: str, where: str) -> Any:
    if value is None:
        return None
    text = value.strip()
    if text == "":
        return None
    try:
        if sql_type == "INTEGER":
            return int(float(text))
        if sql_type == "REAL":
            return float(text)
    except ValueError as exc:
        raise CatalogError(f"{where}: {text!r} is not a number") from exc
    return text


def _typed_rows(
    conn: sqlite3.Connection, table: str, rows: Iterable[dict[str, str]], origin: str
) -> list[dict[str, Any]]:
    types = _column_types(conn, table)
    out = []
    for line, row in enumerate(rows, start=2):
        unknown = set(row) - set(types)
        if unknown:
            raise CatalogError(f"{origin}: unknown column(s) {sorted(unknown)}")
        out.append(
            {
                col: _coerce(row.get(col), sql_type, f"{origin}:{line} {col}")
                for col, sql_type in types.items()
                if col in row
            }
        )
    return out


def _price_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    prices: list[dict[str, Any]] = []
    for table in ("gpus", "cpus"):
        for row in db[table].rows_where(order_by="id"):
            if row.get("launch_price_usd"):
                prices.append(
                    {
                        "item_table": table,
                        "item_id": row["id"],
                        "price_kind": "launch",
                        "price_usd": row["launch_price_usd"],
                        "as_of": str(row.get("release_year") or ""),
                        "source_url": row["source_url"],
                        "label": "launch list price",
                    }
                )
            for kind, label in (("new", "new_street"), ("used", "used")):
                if row.get(f"price_{kind}_usd"):
                    prices.append(
                        {
                            "item_table": table,
                            "item_id": row["id"],
                            "price_kind": label,
                            "price_usd": row[f"price_{kind}_usd"],
                            "as_of": row.get(f"price_{kind}_as_of"),
                            "source_url": row.get("price_source_url") or row["source_url"],
                            "label": f"{kind} price",
                        }
                    )
    for row in db["apple_configs"].rows_where(order_by="chip_id, memory_gb, price_usd"):
        prices.append(
            {
                "item_table": "apple_chips",
                "item_id": f"{row['chip_id']}@{row['memory_gb']:g}",
                "price_kind": row["price_kind"],
                "price_usd": row["price_usd"],
                "as_of": row["as_of"],
                "source_url": row["source_url"],
                "label": row["product"],
            }
        )
    return prices


def _measurement_rows(
    conn: sqlite3.Connection,
    db_dir: Path,
    model_lookup: dict[str, str],
    device_lookup: dict[str, str],
) -> list[dict[str, Any]]:
    raw = _read_csv(db_dir / "data" / "measurements.csv")
    for index, row in enumerate(raw, start=1):
        row["id"] = str(index)
        row["quality"] = row.get("notes", "").split(";")[0].replace("quality=", "").strip()
        row["model_id"] = model_lookup.get(normalize(row["model"]), "")
        row["device_id"] = device_lookup.get(normalize(row["device"]), "")
        row.setdefault("as_of", BUILD_AS_OF)
    return _typed_rows(conn, "measurements", raw, "db/data/measurements.csv")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"catalog source file {path} is missing") from exc
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{path} is not valid JSON: {exc}") from exc


def _preset_rows(db_dir: Path) -> list[dict[str, Any]]:
    presets = _read_json(db_dir / "data" / "presets.json")
    rows = []
    for preset in presets:
        build = {k: v for k, v in preset.items() if k not in _PRESET_COLUMNS}
        rows.append(
            {
                **{k: preset.get(k) for k in _PRESET_COLUMNS},
                "aliases": ";".join(preset.get("aliases", [])),
                "build_json": json.dumps(build, sort_keys=True),
            }
        )
    return rows


_FLOOR_REFERENCES = {"preset": "presets", "gpu": "gpus", "apple_chip": "apple_chips"}


def _article_floor_rows(db_dir: Path, db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The article's table, with every model and build it names checked against the catalog."""
    origin = "db/data/article_floor.json"
    known = {table: {r["id"] for r in db[table].rows} for table in ("models", *_FLOOR_REFERENCES.values())}
    rows = []
    for position, entry in enumerate(_read_json(db_dir / "data" / "article_floor.json"), start=1):
        where = f"{origin} row {position}"
        for model_id in entry["model_ids"]:
            if model_id not in known["models"]:
                raise CatalogError(f"{where}: unknown model id {model_id!r}")
        for claim in entry["claimed"]:
            key = next((k for k in _FLOOR_REFERENCES if k in claim["build"]), None)
            if key is None or claim["build"][key] not in known[_FLOOR_REFERENCES[key]]:
                raise CatalogError(f"{where}: {claim['label']!r} names no catalog preset, GPU or Apple chip")
        if not entry.get("source_url") or not entry.get("as_of"):
            raise CatalogError(f"{where}: every row needs source_url and as_of")
        rows.append(
            {
                "position": position, "model_class": entry["model_class"], "floor_text": entry["floor_text"],
                "notes_text": entry["notes_text"], "model_ids": ";".join(entry["model_ids"]),
                "claims_json": json.dumps(entry["claimed"], sort_keys=True, ensure_ascii=False),
                "remark": entry.get("remark", ""), "source_url": entry["source_url"], "as_of": entry["as_of"],
            }
        )  # fmt: skip
    return rows


_PRESET_COLUMNS = (
    "id",
    "name",
    "aliases",
    "description",
    "price_usd_low",
    "price_usd_high",
    "power_w",
    "source_url",
    "as_of",
    "notes",
)


def _alias_lookup(db: sqlite_utils.Database, *tables: str) -> dict[str, str]:
    """Normalized name or alias -> id, first table wins (measurements name rows this way)."""
    lookup: dict[str, str] = {}
    for table in tables:
        for row in db[table].rows_where(order_by="id"):
            names = [row["id"], row["name"], row.get("repo") or "", *row["aliases"].split(";")]
            for alias in names:
                if alias.strip():
                    lookup.setdefault(normalize(alias), row["id"])
    return lookup


def build_catalog(db_dir: Path, out_path: Path) -> Path:
    """Build the catalog from `db_dir` into `out_path` (atomically replaced)."""
    if not (db_dir / "schema.sql").is_file():
        raise CatalogError(
            f"no catalog sources in {db_dir} (db/schema.sql is missing): `planner catalog build` compiles "
            "the db/ folder of a source checkout; pass --db DIR to point at one."
        )
    schema = (db_dir / "schema.sql").read_text(encoding="utf-8")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work.sqlite"
        db = sqlite_utils.Database(work)
        db.executescript(schema)
        conn = db.conn
        for table in CSV_TABLES:
            origin = f"db/data/{table}.csv"
            rows = _typed_rows(conn, table, _read_csv(db_dir / "data" / f"{table}.csv"), origin)
            db.table(table).insert_all(rows)
        db.table("presets").insert_all(_preset_rows(db_dir))
        models = _alias_lookup(db, "models")
        devices = _alias_lookup(db, "gpus", "apple_chips")
        db.table("measurements").insert_all(_measurement_rows(conn, db_dir, models, devices))
        db.table("prices").insert_all(_price_rows(db))
        db.table("article_floor").insert_all(_article_floor_rows(db_dir, db))
        db.table("catalog_meta").insert_all(
            [
                {"key": "catalog_version", "value": catalog_version(db_dir)},
                {"key": "schema_version", "value": "1"},
                {"key": "built_from", "value": "db/"},
            ]
        )
        conn.commit()
        staged = out_path.with_name(out_path.name + ".tmp")
        staged.unlink(missing_ok=True)
        conn.execute("VACUUM INTO ?", (str(staged),))
        db.close()
        os.replace(staged, out_path)
    return out_path
