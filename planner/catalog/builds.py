"""Turn a build description (preset, JSON file, command-line flags) into a priced `Build`.

A description names catalog entries the way users write them. Prices come from
`planner.catalog.pricing.priced`, the one pricing function; combinations that cannot exist
(an Apple chip with a PCIe GPU) are refused by `planner.catalog.combinations`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from planner.catalog.build_validation import validate_build_spec, validate_custom_gpu
from planner.catalog.combinations import check_combination
from planner.catalog.json_file import read_json_object
from planner.catalog.pricing import DEFAULT_PRICE_KIND, check_price_kind, priced
from planner.catalog.store import Catalog, Row
from planner.core.hardware import Accelerator, Build, Cpu, GpuGroup, Part, Split
from planner.errors import InputError

SPLITS = tuple(Split)
BUILD_KEYS = {
    "name", "gpus", "apple_chip", "unified_memory_gb", "cpu", "ram_gb", "ram_mts",
    "ram_channels", "nodes", "interconnect", "split", "parts", "psu_w", "price_usd",
    "power_w", "notes", "id", "aliases", "description", "price_usd_low", "price_usd_high",
    "source_url", "as_of", "schema", "dataflow",
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


def build_from_spec(catalog: Catalog, spec: dict[str, Any], default_price_kind: str = DEFAULT_PRICE_KIND) -> Build:
    """Assemble and price a build description (prices: `planner.catalog.pricing.priced`).

    `default_price_kind` prices GPUs and CPU when the description names no used/new choice."""
    if not isinstance(spec, dict):
        raise InputError("a build must be a JSON object")
    unknown = set(spec) - BUILD_KEYS
    if unknown:
        shown = ", ".join(sorted(str(k)[:40] for k in unknown)[:10])
        raise InputError(f"unknown build field(s): {shown}")
    validate_build_spec(spec)
    parts = [_part(p) for p in spec.get("parts", [])]
    kinds = {p.kind for p in parts}
    groups: list[GpuGroup] = []
    own_prices: dict[str, float] = {}
    ram_gb = _positive(spec, "ram_gb", 32.0)
    cpu: Cpu | None = catalog.cpu(spec["cpu"]) if spec.get("cpu") else None
    if spec.get("apple_chip"):
        chip_id = catalog.resolve_device(spec["apple_chip"])
        if not catalog.is_apple(chip_id):
            raise InputError(f"apple_chip names {catalog.device_row(chip_id)['name']}, which is not an Apple chip")
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
            acc = custom_accelerator(entry["custom"])
        else:
            device_id = catalog.resolve_device(entry["gpu"], entry.get("vram_gb"))
            acc = catalog.accelerator(device_id, entry.get("unified_memory_gb"))
        groups.append(GpuGroup(acc, count))
        if entry.get("price_usd") is not None:
            own_prices[acc.id] = _price(entry["price_usd"], acc.name)
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
    if spec.get("dataflow"):
        build = _with_dataflow(catalog, build, spec["dataflow"])
    if build.nodes < 1:
        raise InputError(f"nodes must be at least 1; got {build.nodes}")
    check_combination(build, spec)
    return priced(catalog, build, spec_price_kind(spec, default_price_kind), own_prices)


def spec_price_kind(spec: dict[str, Any], default: str = DEFAULT_PRICE_KIND) -> str:
    """The build's used/new/launch choice: the first GPU entry that names one, else `default`."""
    for entry in spec.get("gpus", []):
        if isinstance(entry, dict) and entry.get("price_kind"):
            return check_price_kind(str(entry["price_kind"]))
    return check_price_kind(default)


def _price(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"{what}: price_usd must be a number of 0 or more; got {value!r}")
    return float(value)


def _with_dataflow(catalog: Catalog, build: Build, entry: Any) -> Build:
    """A dataflow build: the system's units instead of GPUs, priced and powered from the catalog."""
    from planner.catalog.serving_store import dataflow_system

    if not isinstance(entry, dict) or "system" not in entry:
        raise InputError('"dataflow" needs a "system" name, e.g. {"system": "Cerebras CS-3", "count": 1}')
    if build.gpus:
        raise InputError("a build is either GPUs or a dataflow system (CS-3, Groq, SambaNova), not both")
    count = entry.get("count", 1)
    if not isinstance(count, int) or count < 1:
        raise InputError(f"dataflow system count must be a whole number of at least 1; got {count!r}")
    system = dataflow_system(catalog, str(entry["system"]))
    parts = build.parts
    if not any(p.kind == "system" for p in parts):
        parts += (Part(name=system.name, price_usd=system.price_usd, quantity=count, kind="system",
                       price_kind="new_street", as_of=system.as_of, source_url=system.source_url),)  # fmt: skip
    power = build.power_w_override or ((system.power_w or 0.0) * count or None)
    return replace(build, dataflow=system, dataflow_units=count, parts=parts, power_w_override=power)


CUSTOM_GPU_FIELDS = ("name", "vendor", "memory_gb", "bandwidth_gbs", "fp16_tflops", "power_w")


def custom_accelerator(data: Any) -> Accelerator:
    """A GPU the catalog lacks, described inline (from detection or typed by the user)."""
    validate_custom_gpu(data)
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
