"""llama.cpp settings from CLI flags and batch keys (the long option names with underscores)."""

from __future__ import annotations

from typing import Any

from planner.core.llama_settings import LlamaSettings, settings_from_request
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
