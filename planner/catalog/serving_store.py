"""Catalog access for serving: dataflow systems and the vendored serving measurements."""

from __future__ import annotations

from planner.catalog.names import Entry, NameIndex
from planner.catalog.store import Catalog, Row
from planner.core.dataflow import DataflowSystem, VendorFigure
from planner.core.model import ModelArch


def dataflow_rows(catalog: Catalog) -> dict[str, Row]:
    return {r["id"]: r for r in catalog.table("dataflow_systems", "vendor, name")}


def dataflow_index(catalog: Catalog) -> NameIndex:
    rows = dataflow_rows(catalog).values()
    return NameIndex("dataflow system", [Entry(r["id"], r["name"], tuple(_split(r["aliases"]))) for r in rows])


def dataflow_system(catalog: Catalog, name: str) -> DataflowSystem:
    row = dataflow_rows(catalog)[dataflow_index(catalog).resolve(name)]
    return DataflowSystem(
        id=row["id"],
        vendor=row["vendor"],
        name=row["name"],
        unit=row["unit"],
        on_chip_sram_gb=row["on_chip_sram_gb"],
        package_memory_gb=row["package_memory_gb"] or 0.0,
        external_memory=row["external_memory"] or "",
        external_memory_tb=row["external_memory_tb"] or 0.0,
        power_w=row["power_w"],
        price_usd=row["price_usd"],
        source_url=row["source_url"],
        as_of=row["as_of"],
        notes=row["notes"] or "",
    )


def serving_rows(catalog: Catalog, **where: object) -> list[Row]:
    """Serving measurements matching every `column=value` given (None matches anything)."""
    clauses = [f"{column} = ?" for column, value in where.items() if value is not None]
    params = tuple(value for value in where.values() if value is not None)
    sql = "SELECT * FROM serving_measurements" + (" WHERE " + " AND ".join(clauses) if clauses else "")
    return catalog.rows(sql + " ORDER BY row_id", params)


def same_architecture(catalog: Catalog, model: ModelArch) -> list[str]:
    """Model ids with this model's shape (Llama 3, 3.1 and 3.3 70B share one): speeds carry over."""
    key = _shape(catalog.model_rows[model.id])
    return [mid for mid, row in catalog.model_rows.items() if _shape(row) == key]


def vendor_figures(catalog: Catalog, system_id: str, model: ModelArch) -> list[VendorFigure]:
    twins = same_architecture(catalog, model)
    rows = [r for r in serving_rows(catalog, device_id=system_id) if r["model_id"] in twins]
    return [
        VendorFigure(
            model_id=r["model_id"],
            metric=r["metric"],
            value=r["value"],
            systems=r["n_devices"] if r["n_devices"] and r["n_devices"] > 1 else None,
            source_url=r["source_url"],
            source_title=r["source_title"],
            as_of=r["as_of"],
            exact_model=r["model_id"] == model.id,
        )
        for r in rows
        if r["metric"] in ("per_user_tok_s", "ttft_s") and r["value"]
    ]


def _shape(row: Row) -> tuple[object, ...]:
    keys = ("n_layers", "hidden_size", "n_heads", "n_kv_heads", "vocab_size", "n_experts", "intermediate_size")
    return tuple(row.get(k) for k in keys)


def _split(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split(";") if a.strip()]
