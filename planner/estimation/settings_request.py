"""llama.cpp settings from CLI flags and batch keys (the long option names with underscores)."""

from __future__ import annotations

from typing import Any

from planner.core.llama_settings import CACHE_TYPE_BYTES, LlamaSettings, settings_from_request
from planner.core.quant import KV_CACHE_BYTES_PER_ELEMENT
from planner.errors import InputError

SETTINGS_KEYS = {
    "engine", "file_size_gib", "gpu_layers", "n_cpu_moe", "cpu_moe", "tensor_split", "ubatch",
    "flash_attn", "cache_type_k", "cache_type_v", "parallel", "threads", "ram_mts", "ram_channels",
    "best", "no_mmap", "mmap",
}  # fmt: skip
BEST_OBJECTIVES = ("speed", "context", "prompt")


def settings_for(request: dict[str, Any]) -> LlamaSettings:
    """Every setting, with llama.cpp's defaults where the request names none."""
    keys = dict(request)
    if keys.get("no_mmap") is not None:
        if not isinstance(keys["no_mmap"], bool):
            raise InputError(f"no_mmap must be true or false; got {keys['no_mmap']!r}")
        keys["mmap"] = not keys.pop("no_mmap")
    best = keys.get("best")
    if best is not None and best not in BEST_OBJECTIVES:
        raise InputError(f"--best takes speed, context or prompt; got {best!r}")
    return settings_from_request(keys)


def workload_kv_cache(settings: LlamaSettings) -> str:
    """The one KV type today's Workload carries: the exact type where K and V agree and it is
    known, otherwise the known type closest in bytes to the K/V average."""
    if settings.cache_type_k == settings.cache_type_v and settings.cache_type_k in KV_CACHE_BYTES_PER_ELEMENT:
        return settings.cache_type_k
    mean = (CACHE_TYPE_BYTES[settings.cache_type_k] + CACHE_TYPE_BYTES[settings.cache_type_v]) / 2
    return min(KV_CACHE_BYTES_PER_ELEMENT, key=lambda t: abs(KV_CACHE_BYTES_PER_ELEMENT[t] - mean))
