"""What the user wants to run: context window, KV depth, prompt length, cache type."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from planner.core.quant import KV_CACHE_BYTES_PER_ELEMENT
from planner.errors import InputError

MAX_CONTEXT = 10_000_000


class Engine(StrEnum):
    """The inference engine the model describes (its physics and calibration are llama.cpp's)."""

    LLAMA_CPP = "llama.cpp"


FLASH_ATTN = ("on", "off", "auto")


@dataclass(frozen=True)
class Workload:
    """`context`: tokens memory is allocated for. `depth`: tokens already in the KV cache
    when decode speed is taken (llama-bench tg128 is depth 0). `prompt`: prefill length.
    `flash_attn`: llama.cpp's `--flash-attn on|off|auto`; `auto` is its default (since
    build b6325, August 2025) and turns flash attention on wherever the backend has the
    kernels, which every backend modelled here does."""

    context: int = 4096
    depth: int = 0
    prompt: int = 512
    kv_cache: str = "f16"
    backend: str | None = None
    n_ubatch: int = 512
    gpu_memory_fraction: float | None = None
    flash_attn: str = "auto"
    engine: Engine = Engine.LLAMA_CPP

    def __post_init__(self) -> None:
        for name in ("context", "prompt"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1 or value > MAX_CONTEXT:
                raise InputError(f"{name} must be a whole number from 1 to {MAX_CONTEXT:,}; got {value!r}")
        if not isinstance(self.depth, int) or self.depth < 0 or self.depth > MAX_CONTEXT:
            raise InputError(f"depth must be a whole number from 0 to {MAX_CONTEXT:,}; got {self.depth!r}")
        if self.kv_cache not in KV_CACHE_BYTES_PER_ELEMENT:
            known = ", ".join(KV_CACHE_BYTES_PER_ELEMENT)
            raise InputError(f"unknown KV-cache type {self.kv_cache!r}; choose one of {known}")
        if self.flash_attn not in FLASH_ATTN:
            raise InputError(f"flash attention must be one of {', '.join(FLASH_ATTN)}; got {self.flash_attn!r}")
        if self.kv_cache != "f16" and not self.flash_attention:
            raise InputError(
                f"a {self.kv_cache} KV cache needs flash attention: llama.cpp quantizes the V cache only "
                "with it; use --flash-attn on (or auto), or an f16 KV cache"
            )
        if self.gpu_memory_fraction is not None and not 0.1 <= self.gpu_memory_fraction <= 1.0:
            raise InputError("the GPU share of unified memory must be between 0.1 and 1.0")

    @property
    def flash_attention(self) -> bool:
        """Whether llama.cpp runs flash attention (`auto` turns it on: see the class notes)."""
        return self.flash_attn != "off"

    @property
    def kv_bytes_per_element(self) -> float:
        return KV_CACHE_BYTES_PER_ELEMENT[self.kv_cache]
