"""Turn a build description (preset, JSON file, command-line flags) into a priced `Build`.

A description names catalog entries the way users write them. GPU and CPU prices come
from the catalog unless the description's own parts already include them: a part of kind
`system` covers everything, `rest` covers the GPUs, `cpu` covers the CPU.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from planner.catalog.json_file import read_json_object
from planner.catalog.store import Catalog, Row
from planner.core.hardware import Accelerator, Build, Cpu, GpuGroup, Part, Split
from planner.errors import InputError

SPLITS = tuple(Split)
PRICE_KINDS = ("used", "new", "launch")
BUILD_KEYS = {
    "name", "gpus", "apple_chip", "unified_memory_gb", "cpu", "ram_gb", "ram_mts",
    "ram_channels", "nodes", "interconnect", "split", "parts", "psu_w", "price_usd",
    "power_w", "notes", "id", "aliases", "description", "price_usd_low", "price_usd_high",
    "source_url", "as_of", "schema",
}  # fmt: skip


def load_build_file(path: Path) -> dict[str, Any]:
    return read_json_object(path, "build file", "describing a build")


def preset_spec(catalog: Catalog, name: str) -> dict[str, Any]:
    row = catalog.preset(name)
    spec: dict[str, Any] = json.loads(row["build_json"])
    spec["name"] = row["name"]
    if row.get("power_w"):
        spec["power_w"] = row["power_w"]
    return spec


def build_from_spec(catalog: Catalog, spec: dict[str, Any]) -> Build:
    unknown = set(spec) - BUILD_KEYS
    if unknown:
        raise InputError(f"unknown build field(s): {', '.join(sorted(unknown))}")
    parts = [_part(p) for p in spec.get("parts", [])]
    kinds = {p.kind for p in parts}
    groups: list[GpuGroup] = []
    ram_gb = _positive(spec, "ram_gb", 32.0)
    cpu: Cpu | None = catalog.cpu(spec["cpu"]) if spec.get("cpu") else None
    if spec.get("apple_chip"):
        chip_id = catalog.resolve_device(spec["apple_chip"])
        memory = _apple_memory(catalog.device_row(chip_id), spec.get("unified_memory_gb"))
        acc = catalog.accelerator(chip_id, unified_memory_gb=memory)
        groups.append(GpuGroup(acc, 1))
        ram_gb = memory
        cpu = _apple_cpu(catalog.device_row(chip_id))
        if "system" not in kinds:
            parts.append(_apple_price(catalog, chip_id, memory))
    for entry in spec.get("gpus", []):
        if not isinstance(entry, dict) or not ("gpu" in entry or "custom" in entry):
            raise InputError('each entry of "gpus" needs a "gpu" name, e.g. {"gpu": "RTX 3090", "count": 2}')
        count = entry.get("count", 1)
        if not isinstance(count, int) or count < 1:
            raise InputError(f"GPU count must be a whole number of at least 1; got {count!r}")
        if "custom" in entry:
            groups.append(GpuGroup(custom_accelerator(entry["custom"]), count))
            if entry.get("price_usd") is not None and not kinds & {"system", "rest"}:
                price = float(entry["price_usd"])
                parts.append(Part(name=entry["custom"].get("name", "Custom GPU"), price_usd=price, quantity=count))
            continue
        device_id = catalog.resolve_device(entry["gpu"], entry.get("vram_gb"))
        acc = catalog.accelerator(device_id, entry.get("unified_memory_gb"))
        groups.append(GpuGroup(acc, count))
        if not kinds & {"system", "rest"}:
            parts.append(_gpu_part(catalog.device_row(device_id), count, entry))
    if cpu is not None and not kinds & {"system", "cpu"} and not spec.get("apple_chip"):
        parts.append(_cpu_part(catalog.cpu_rows[cpu.id]))
    split = spec.get("split", "layer")
    if split not in SPLITS:
        raise InputError(f"split must be one of {', '.join(SPLITS)}; got {split!r}")
    build = Build(
        name=str(spec.get("name") or "Custom build"),
        gpus=tuple(groups),
        ram_gb=ram_gb,
        ram_mts=spec.get("ram_mts"),
        ram_channels=spec.get("ram_channels"),
        nodes=int(spec.get("nodes", 1)),
        interconnect=str(spec.get("interconnect", "")),
        split=Split(split),
        parts=tuple(parts),
        psu_w=spec.get("psu_w"),
        price_usd=spec.get("price_usd"),
        power_w_override=spec.get("power_w"),
        notes=str(spec.get("notes", "")),
    )
    if cpu is not None:
        build = replace(build, cpu=cpu)
    if build.nodes < 1:
        raise InputError(f"nodes must be at least 1; got {build.nodes}")
    return build


CUSTOM_GPU_FIELDS = ("name", "vendor", "memory_gb", "bandwidth_gbs", "fp16_tflops", "power_w")


def custom_accelerator(data: Any) -> Accelerator:
    """A GPU the catalog lacks, described inline (from detection or typed by the user)."""
    if not isinstance(data, dict):
        raise InputError('"custom" must be an object with name, memory_gb and bandwidth_gbs')
    try:
        memory, bandwidth = float(data["memory_gb"]), float(data["bandwidth_gbs"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError("a custom GPU needs numeric memory_gb and bandwidth_gbs") from exc
    if memory <= 0 or bandwidth <= 0:
        raise InputError("a custom GPU needs positive memory_gb and bandwidth_gbs")
    fp16 = float(data["fp16_tflops"]) if data.get("fp16_tflops") else None  # unknown: no prompt-speed estimate
    return Accelerator(
        id="custom-" + str(data.get("name", "gpu")).lower().replace(" ", "-"),
        name=str(data.get("name", "Custom GPU")), vendor=str(data.get("vendor", "NVIDIA")),
        memory_gb=memory, bandwidth_gbs=bandwidth, fp16_tflops=fp16,
        power_w=float(data.get("power_w") or 0.0), unified=bool(data.get("unified", False)),
        segment="custom", memory_type=str(data.get("memory_type", "")),
    )  # fmt: skip


def _positive(spec: dict[str, Any], key: str, default: float) -> float:
    value = spec.get(key, default)
    if not isinstance(value, int | float) or value <= 0 or value > 65536:
        raise InputError(f"{key} must be a number of GB between 0 and 65536; got {value!r}")
    return float(value)


def _part(data: dict[str, Any]) -> Part:
    if not isinstance(data, dict) or "name" not in data:
        raise InputError('each part needs at least a "name" (and usually a "price_usd")')
    price = data.get("price_usd")
    if price is not None and (not isinstance(price, int | float) or price < 0):
        raise InputError(f"part {data['name']!r}: price_usd must be a number of 0 or more")
    return Part(
        name=str(data["name"]),
        price_usd=None if price is None else float(price),
        quantity=int(data.get("quantity", 1)),
        power_w=float(data.get("power_w", 0.0)),
        kind=str(data.get("kind", "other")),
        price_kind=str(data.get("price_kind", "new")),
        as_of=str(data.get("as_of", "")),
        source_url=str(data.get("source_url", "")),
    )


def _gpu_part(row: Row, count: int, entry: dict[str, Any]) -> Part:
    prefer = entry.get("price_kind", "new")
    if prefer not in PRICE_KINDS:
        raise InputError(f"price_kind must be one of {', '.join(PRICE_KINDS)}; got {prefer!r}")
    new = row.get("price_new_usd") or row.get("launch_price_usd")
    used = row.get("price_used_usd")
    order = {"used": ("used", "new", "launch"), "new": ("new", "launch"), "launch": ("launch",)}[prefer]
    price, kind, as_of, source = _pick_price(row, order)
    if entry.get("price_usd") is not None:
        price, kind, as_of, source = float(entry["price_usd"]), prefer, "", "user"
    return Part(
        name=row["name"], price_usd=price, quantity=count, kind="gpu", price_kind=kind,
        as_of=as_of, source_url=source, new_price_usd=new, used_price_usd=used,
    )  # fmt: skip


def _pick_price(row: Row, order: tuple[str, ...]) -> tuple[float | None, str, str, str]:
    for kind in order:
        if kind == "launch" and row.get("launch_price_usd"):
            return (
                row["launch_price_usd"],
                "launch",
                str(row.get("release_year") or ""),
                row["source_url"],
            )
        if kind in ("new", "used") and row.get(f"price_{kind}_usd"):
            label = "new_street" if kind == "new" else "used"
            return (
                row[f"price_{kind}_usd"], label, row.get(f"price_{kind}_as_of") or "",
                row.get("price_source_url") or row["source_url"],
            )  # fmt: skip
    return None, "unknown", "", ""


def _cpu_part(row: Row) -> Part:
    price, kind, as_of, source = _pick_price(row, ("new", "launch"))
    return Part(
        name=row["name"], price_usd=price, kind="cpu", price_kind=kind, as_of=as_of,
        source_url=source, power_w=0.0, new_price_usd=price, used_price_usd=row.get("price_used_usd"),
    )  # fmt: skip


def _apple_memory(row: Row, requested: Any) -> float:
    options = [float(x) for x in str(row["memory_options_gb"]).split(";") if x.strip()]
    if requested is None:
        return max(options)
    if not isinstance(requested, int | float) or requested <= 0:
        raise InputError(f"unified memory must be a positive number of GB; got {requested!r}")
    return float(requested)


def _apple_cpu(row: Row) -> Cpu:
    """Apple's CPU shares the unified memory, so its bandwidth is the chip's."""
    return Cpu(
        id=row["id"] + "-cpu", name=f"{row['name']} CPU", cores=row["cpu_cores"] or 8,
        threads=row["cpu_cores"] or 8, memory_channels=1,
        max_memory_mts=int(row["bandwidth_gbs"] * 1000 / 8), ddr_gen=5, avx512=False,
        tdp_w=0.0, boost_clock_ghz=3.5,
    )  # fmt: skip


def _apple_price(catalog: Catalog, chip_id: str, memory: float) -> Part:
    prices = catalog.prices("apple_chips", f"{chip_id}@{memory:g}")
    row = catalog.device_row(chip_id)
    if not prices:
        return Part(name=f"{row['name']}, {memory:g}GB", price_usd=None, kind="system")
    best = min(prices, key=lambda p: p["price_usd"])
    return Part(
        name=best["label"], price_usd=best["price_usd"], kind="system",
        price_kind=best["price_kind"], as_of=best["as_of"] or "", source_url=best["source_url"],
    )  # fmt: skip
