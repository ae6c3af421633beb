"""The user's custom GPUs and models, kept in the user database next to saved builds.

`UserDatabase` owns the file and its migrations; this module reads and writes the
`custom_gpus` and `custom_models` tables through short-lived connections of its own,
so it never holds the file open. Rows are shaped like the shipped catalog's rows and
carry `origin` ("custom") so the browser can flag them.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planner.catalog.builds import custom_accelerator
from planner.errors import InputError, UserDataError

Row = dict[str, Any]
TABLES = {"gpu": "custom_gpus", "model": "custom_models"}
USER_SOURCE = "entered by you"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")


def custom_gpu_row(
    name: str,
    vram_gb: float,
    bandwidth_gbs: float,
    vendor: str = "NVIDIA",
    fp16_tflops: float | None = None,
    board_power_w: float | None = None,
) -> Row:
    """A GPU row in the catalog's shape; raises `InputError` for a name or figure that cannot work."""
    name = name.strip()
    if not name:
        raise InputError("a custom GPU needs a name")
    acc = custom_accelerator(
        {"name": name, "vendor": vendor, "memory_gb": vram_gb, "bandwidth_gbs": bandwidth_gbs,
         "fp16_tflops": fp16_tflops, "power_w": board_power_w}
    )  # fmt: skip
    return {
        "id": "custom-" + _slug(name),
        "vendor": vendor,
        "name": name,
        "aliases": "",
        "segment": "custom",
        "memory_kind": "dedicated",
        "vram_gb": acc.memory_gb,
        "bandwidth_gbs": acc.bandwidth_gbs,
        "fp16_tflops": acc.fp16_tflops,
        "board_power_w": board_power_w,
        "source_url": USER_SOURCE,
        "as_of": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


class UserCatalog:
    """Custom GPUs and models in the user database at `path` (already migrated)."""

    def __init__(self, path: Path, read_only_reason: str | None = None) -> None:
        self.path = path
        self.read_only_reason = read_only_reason
        self.damaged: list[str] = []  # "custom gpu 'x': why" for rows that were skipped

    def _connect(self) -> sqlite3.Connection:
        try:
            return sqlite3.connect(self.path)
        except sqlite3.Error as exc:
            raise UserDataError(f"cannot open your data file {self.path} ({exc})") from exc

    def _add(self, kind: str, row: Row) -> Row:
        if not str(row.get("id") or "").strip() or not str(row.get("name") or "").strip():
            raise InputError(f"a custom {kind} needs an id and a name")
        if self.read_only_reason:
            raise UserDataError(f"could not save the custom {kind}: {self.read_only_reason}")
        stored = {**row, "origin": "custom"}
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with closing(self._connect()) as conn, conn:
            conn.execute(
                f"INSERT OR REPLACE INTO {TABLES[kind]} (id, row_json, created_at) VALUES (?, ?, ?)",
                (stored["id"], json.dumps(stored, sort_keys=True), created),
            )
        return stored

    def _rows(self, kind: str) -> list[Row]:
        try:
            with closing(self._connect()) as conn:
                found = conn.execute(f"SELECT id, row_json FROM {TABLES[kind]} ORDER BY created_at, id").fetchall()
        except sqlite3.Error as exc:
            self.damaged.append(f"custom {kind}s could not be read ({exc})")
            return []
        rows = []
        for row_id, raw in found:
            problem = _row_problem(kind, raw)
            if problem:
                self.damaged.append(f"custom {kind} {str(row_id)[:80]!r}: {problem}")
            else:
                rows.append({**json.loads(raw), "origin": "custom"})
        return rows

    def add_gpu(self, row: Row) -> Row:
        return self._add("gpu", row)

    def gpus(self) -> list[Row]:
        return self._rows("gpu")

    def add_model(self, row: Row) -> Row:
        return self._add("model", row)

    def models(self) -> list[Row]:
        return self._rows("model")

    def remove(self, kind: str, item_id: str) -> None:
        if self.read_only_reason:
            raise UserDataError(f"could not remove the custom {kind}: {self.read_only_reason}")
        with closing(self._connect()) as conn, conn:
            conn.execute(f"DELETE FROM {TABLES[kind]} WHERE id = ?", (item_id,))


def _row_problem(kind: str, raw: Any) -> str | None:
    """Why a stored custom row cannot be used, or None (checked before the catalog sees it)."""
    try:
        row = json.loads(raw)
    except (ValueError, TypeError, RecursionError):
        return "it is not valid JSON"
    if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not isinstance(row.get("name"), str):
        return "it is not an object with an id and a name"
    if kind == "gpu":
        try:
            custom_gpu_row(row["name"], row.get("vram_gb"), row.get("bandwidth_gbs"))  # type: ignore[arg-type]
        except (InputError, TypeError, ValueError) as exc:
            return str(exc)
    return None
