"""What the user wants to run: context window, KV depth, prompt length, and the llama.cpp
settings that change memory and speed (cache types, flash attention, u-batch, GPU layers,
experts in RAM, slots, threads, engine)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from planner.core.llama_settings import CACHE_TYPE_BYTES, UNQUANTIZED_CACHE, LlamaSettings
from planner.core.llama_settings import DEFAULT_CONTEXT as DEFAULT_CONTEXT  # the app-wide default, re-exported
from planner.errors import InputError

MAX_CONTEXT = 10_000_000


class Engine(StrEnum):
    """The inference engine: mainline llama.cpp, or the ik_llama.cpp fork most MoE offloaders
    use (faster CPU kernels; its own calibration of the CPU terms)."""

    LLAMA_CPP = "llama.cpp"
    IK_LLAMA_CPP = "ik_llama.cpp"


FLASH_ATTN = ("on", "off", "auto")


@dataclass(frozen=True)
class Workload:
    """`context`: tokens memory is allocated for (all slots together). `depth`: tokens already
    in the KV cache when decode speed is taken (llama-bench tg128 is depth 0). `prompt`:
    prefill length. `kv_cache` sets both cache types unless `cache_type_k/v` say otherwise.
    `flash_attn`: llama.cpp's `--flash-attn on|off|auto`; `auto` is its default (since
    build b6325, August 2025) and turns flash attention on wherever the backend has the
    kernels, which every backend modelled here does. `gpu_layers` None: as many whole layers
    as fit. `n_cpu_moe`: the experts of blocks 0..N-1 stay in system RAM (N >= layers: all
    of them, `--cpu-moe`)."""

    context: int = 4096
    depth: int = 0
    prompt: int = 512
    kv_cache: str = "f16"
    backend: str | None = None
    n_ubatch: int = 512
    gpu_memory_fraction: float | None = None
    flash_attn: str = "auto"
    engine: Engine = Engine.LLAMA_CPP
    cache_type_k: str | None = None
    cache_type_v: str | None = None
    gpu_layers: int | None = None
    n_cpu_moe: int = 0
    parallel: int = 1
    kv_unified: bool = True
    threads: int | None = None
    tensor_split: tuple[float, ...] = ()  # -ts: share of the layers per GPU (empty: by free memory)
    # ik_llama.cpp's -rtr or an _R4/_R8 quant: weights in RAM in interleaved-row layouts that
    # only its CPU kernels read (ik_llama.cpp #147), so they are never copied to the GPU.
    repacked: bool = False

    def __post_init__(self) -> None:
        for name in ("context", "prompt"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1 or value > MAX_CONTEXT:
                raise InputError(f"{name} must be a whole number from 1 to {MAX_CONTEXT:,}; got {value!r}")
        if not isinstance(self.depth, int) or self.depth < 0 or self.depth > MAX_CONTEXT:
            raise InputError(f"depth must be a whole number from 0 to {MAX_CONTEXT:,}; got {self.depth!r}")
        for name in ("kv_cache", "cache_type_k", "cache_type_v"):
            value = getattr(self, name)
            if (value is not None or name == "kv_cache") and value not in CACHE_TYPE_BYTES:
                known = ", ".join(CACHE_TYPE_BYTES)
                raise InputError(f"unknown KV-cache type {value!r}; choose one of {known}")
        if self.flash_attn not in FLASH_ATTN:
            raise InputError(f"flash attention must be one of {', '.join(FLASH_ATTN)}; got {self.flash_attn!r}")
        if self.v_type not in UNQUANTIZED_CACHE and not self.flash_attention:
            raise InputError(
                f"a {self.v_type} V cache needs flash attention: llama.cpp quantizes the V cache only "
                "with it; use --flash-attn on (or auto), or an f16 V cache"
            )
        if self.gpu_memory_fraction is not None and not 0.1 <= self.gpu_memory_fraction <= 1.0:
            raise InputError("the GPU share of unified memory must be between 0.1 and 1.0")
        if self.engine not in tuple(Engine):
            raise InputError(f"unknown engine {self.engine!r}; choose one of {', '.join(Engine)}")
        for name, low in (("n_ubatch", 1), ("n_cpu_moe", 0), ("parallel", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise InputError(f"{name} must be a whole number of at least {low}; got {value!r}")

    @property
    def flash_attention(self) -> bool:
        """Whether llama.cpp runs flash attention (`auto` turns it on: see the class notes)."""
        return self.flash_attn != "off"

    @property
    def k_type(self) -> str:
        return self.cache_type_k or self.kv_cache

    @property
    def v_type(self) -> str:
        return self.cache_type_v or self.kv_cache

    @property
    def k_bytes_per_element(self) -> float:
        return CACHE_TYPE_BYTES[self.k_type]

    @property
    def v_bytes_per_element(self) -> float:
        return CACHE_TYPE_BYTES[self.v_type]

    @property
    def kv_bytes_per_element(self) -> float:
        """K and V averaged (the two have the same width outside MLA)."""
        return (self.k_bytes_per_element + self.v_bytes_per_element) / 2

    @classmethod
    def from_settings(cls, settings: LlamaSettings, **planner_fields: object) -> Workload:
        """The workload a llama.cpp command line describes, plus the planner's own fields
        (depth, prompt, backend, gpu_memory_fraction)."""
        return cls(
            context=settings.context,
            kv_cache=settings.cache_type_k if settings.cache_type_k == settings.cache_type_v else "f16",
            cache_type_k=settings.cache_type_k,
            cache_type_v=settings.cache_type_v,
            n_ubatch=settings.ubatch_effective,
            flash_attn=settings.flash_attn,
            gpu_layers=settings.gpu_layers,
            n_cpu_moe=10_000 if settings.cpu_moe else settings.n_cpu_moe,
            parallel=settings.parallel,
            engine=Engine(settings.engine),
            threads=settings.threads,
            tensor_split=settings.tensor_split,
            **planner_fields,  # type: ignore[arg-type]
        )
