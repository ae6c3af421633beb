"""Field-by-field checks of a build description and of an estimate request.

One validator for every way a build arrives: `--build` files, File ▸ Import, `--batch`
lines, saved builds read back from the user database. It checks shapes only (types,
finite and sane ranges, nesting depth, string length, counts) and raises one
`InputError` naming the first bad field. Whether the parts make sense together (an
Apple chip beside an RTX 3090) is a separate, semantic question; add such rules to
`SEMANTIC_RULES`, which run after the field checks.

Counts stop where the composer stops: 64 of one GPU per row, 256 nodes. A build keeps
N identical GPUs as one `GpuGroup(accelerator, N)`, never as a list of N.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from planner.errors import InputError

MAX_DEPTH = 6  # build -> gpus -> entry -> custom -> value is 4; leave a little room
MAX_NAME_CHARS = 200
MAX_NOTES_CHARS = 10_000
MAX_GPU_ROWS = 32
MAX_GPUS_PER_ROW = 64  # the composer's count spin box
MAX_NODES = 256  # the composer's nodes spin box
MAX_TOTAL_GPUS = MAX_GPUS_PER_ROW * MAX_NODES  # 16,384: the estimator places each one (under a second)
MAX_PARTS = 100
MAX_PART_QUANTITY = 1000
MAX_MEMORY_GB = 65_536.0
MAX_BANDWIDTH_GBS = 100_000.0
MAX_TFLOPS = 100_000.0
MAX_POWER_W = 1_000_000.0
MAX_PRICE_USD = 100_000_000.0
MAX_RAM_MTS = 12_800
MAX_RAM_CHANNELS = 24
MAX_TOKENS = 10_000_000

SPLITS = ("layer", "tensor")
PRICE_KINDS = ("used", "new", "launch")
TEXT_FIELDS = ("apple_chip", "cpu", "interconnect", "id", "aliases", "source_url", "as_of", "description")
CUSTOM_GPU_TEXT = ("name", "vendor", "memory_type")
PART_TEXT = ("name", "kind", "price_kind", "as_of", "source_url")

Spec = dict[str, Any]
SemanticRule = Callable[[Spec], None]
SEMANTIC_RULES: list[SemanticRule] = []  # rules about combinations of fields; each raises InputError


def validate_build_spec(spec: Any) -> Spec:
    """`spec` if every field is well-formed; otherwise `InputError` naming the field."""
    if not isinstance(spec, dict):
        raise InputError("a build must be a JSON object")
    check_depth(spec, "build")
    _text(spec, "name", MAX_NAME_CHARS)
    _text(spec, "notes", MAX_NOTES_CHARS)
    for key in TEXT_FIELDS:
        _text(spec, key, MAX_NAME_CHARS * 5 if key in ("description", "aliases", "source_url") else MAX_NAME_CHARS)
    _number(spec, "ram_gb", 0.0, MAX_MEMORY_GB, low_open=True)
    _number(spec, "unified_memory_gb", 0.0, MAX_MEMORY_GB, low_open=True)
    _whole(spec, "ram_mts", 0, MAX_RAM_MTS)
    _whole(spec, "ram_channels", 0, MAX_RAM_CHANNELS)
    _whole(spec, "nodes", 1, MAX_NODES)
    _number(spec, "psu_w", 0.0, MAX_POWER_W)
    _number(spec, "power_w", 0.0, MAX_POWER_W)
    for key in ("price_usd", "price_usd_low", "price_usd_high"):
        _number(spec, key, 0.0, MAX_PRICE_USD)
    _whole(spec, "schema", 0, 1000)
    if spec.get("split") is not None and spec["split"] not in SPLITS:
        raise InputError(f"split must be one of {', '.join(SPLITS)}; got {_show(spec['split'])}")
    gpus = _list(spec, "gpus", MAX_GPU_ROWS)
    for index, entry in enumerate(gpus):
        _gpu_entry(entry, f"gpus[{index}]")
    total = sum(int(e.get("count", 1)) for e in gpus) * int(spec.get("nodes") or 1)
    if total > MAX_TOTAL_GPUS:
        raise InputError(f"this build has {total:,} GPUs in all (GPUs per node × nodes); at most {MAX_TOTAL_GPUS:,}")
    for index, part in enumerate(_list(spec, "parts", MAX_PARTS)):
        _part(part, f"parts[{index}]")
    for rule in SEMANTIC_RULES:
        rule(spec)
    return spec


def check_depth(value: Any, where: str, limit: int = MAX_DEPTH) -> None:
    """Refuse containers nested deeper than `limit` (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    raise InputError(f"{where} is nested more than {limit} levels deep")
                stack.append((child, depth + 1))


def validate_text(value: Any, field: str, limit: int = MAX_NAME_CHARS) -> str:
    """A non-empty name of at most `limit` characters (a 100 KB name is refused, not matched)."""
    if not isinstance(value, str):
        raise InputError(f"{field} must be text; got {_show(value)}")
    if len(value) > limit:
        raise InputError(f"{field} is {len(value):,} characters long; at most {limit} are allowed")
    return value


def validate_number(value: Any, field: str, low: float, high: float, low_open: bool = False) -> float:
    """A finite number within [low, high] (or (low, high] with `low_open`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{field} must be a number; got {_show(value)}")
    if not math.isfinite(value):
        raise InputError(f"{field} must be a finite number; got {value}")
    if value < low or (low_open and value == low) or value > high:
        if low_open and low == 0:
            raise InputError(f"{field} must be a positive number of at most {high:,.0f}; got {value:g}")
        raise InputError(f"{field} must be from {low:g} to {high:,.0f}; got {value:g}")
    return float(value)


def validate_whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        else:
            raise InputError(f"{field} must be a whole number; got {_show(value)}")
    if not low <= value <= high:
        raise InputError(f"{field} must be a whole number from {low} to {high:,}; got {value:,}")
    return int(value)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(spec: Spec, key: str, limit: int, where: str = "") -> None:
    if spec.get(key) is not None:
        validate_text(spec[key], where + key, limit)


def _number(spec: Spec, key: str, low: float, high: float, where: str = "", low_open: bool = False) -> None:
    if spec.get(key) is not None:
        validate_number(spec[key], where + key, low, high, low_open)


def _whole(spec: Spec, key: str, low: int, high: int, where: str = "") -> None:
    if spec.get(key) is not None:
        validate_whole(spec[key], where + key, low, high)


def _list(spec: Spec, key: str, limit: int) -> list[Any]:
    value = spec.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{key} must be a list; got {_show(value)}")
    if len(value) > limit:
        raise InputError(f"{key} has {len(value):,} entries; at most {limit} are allowed")
    return value


def _gpu_entry(entry: Any, where: str) -> None:
    if not isinstance(entry, dict) or ("gpu" in entry) == ("custom" in entry):
        raise InputError(f'{where} needs a "gpu" name or a "custom" GPU, e.g. {{"gpu": "RTX 3090", "count": 2}}')
    prefix = where + "."
    if "gpu" in entry:
        validate_text(entry["gpu"], prefix + "gpu")
        if not entry["gpu"].strip():
            raise InputError(f"{prefix}gpu is empty; name a GPU")
    else:
        validate_custom_gpu(entry["custom"], prefix + "custom", ".")
    if "count" in entry:
        validate_whole(entry["count"], prefix + "count", 1, MAX_GPUS_PER_ROW)
    _number(entry, "vram_gb", 0.0, MAX_MEMORY_GB, prefix, low_open=True)
    _number(entry, "unified_memory_gb", 0.0, MAX_MEMORY_GB, prefix, low_open=True)
    _number(entry, "price_usd", 0.0, MAX_PRICE_USD, prefix)
    if entry.get("price_kind") is not None and entry["price_kind"] not in PRICE_KINDS:
        raise InputError(
            f"{prefix}price_kind must be one of {', '.join(PRICE_KINDS)}; got {_show(entry['price_kind'])}"
        )


def validate_custom_gpu(custom: Any, where: str = "custom GPU", sep: str = " ") -> None:
    """A GPU described inline or entered by the user: name, memory and bandwidth in range."""
    if not isinstance(custom, dict):
        raise InputError(f"{where} must be an object with name, memory_gb and bandwidth_gbs")
    prefix = where + sep
    for key in CUSTOM_GPU_TEXT:
        _text(custom, key, MAX_NAME_CHARS, prefix)
    for key in ("memory_gb", "bandwidth_gbs"):
        if custom.get(key) is None:
            raise InputError(f"{prefix}{key} is missing; a custom GPU needs memory_gb and bandwidth_gbs")
    _number(custom, "memory_gb", 0.0, MAX_MEMORY_GB, prefix, low_open=True)
    _number(custom, "bandwidth_gbs", 0.0, MAX_BANDWIDTH_GBS, prefix, low_open=True)
    _number(custom, "fp16_tflops", 0.0, MAX_TFLOPS, prefix, low_open=True)
    _number(custom, "power_w", 0.0, MAX_POWER_W, prefix)


def _part(part: Any, where: str) -> None:
    if not isinstance(part, dict) or "name" not in part:
        raise InputError(f'{where} needs at least a "name" (and usually a "price_usd")')
    prefix = where + "."
    validate_text(part["name"], prefix + "name")
    for key in PART_TEXT:
        _text(part, key, MAX_NAME_CHARS * 5 if key == "source_url" else MAX_NAME_CHARS, prefix)
    _number(part, "price_usd", 0.0, MAX_PRICE_USD, prefix)
    _whole(part, "quantity", 1, MAX_PART_QUANTITY, prefix)
    _number(part, "power_w", 0.0, MAX_POWER_W, prefix)
