"""llama.cpp's run settings, by llama.cpp's own names, validated the way llama.cpp does.

`LlamaSettings` is what a user types after `llama-server`: GPU layers, experts kept in
system RAM, tensor split, context, u-batch, flash attention, K and V cache types, parallel
slots, threads and mmap, plus which engine runs it (mainline llama.cpp or ik_llama.cpp).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from planner.errors import InputError

ENGINES = ("llama.cpp", "ik_llama.cpp")
FLASH_ATTN = ("on", "off", "auto")

# ggml block sizes (ggml-common.h): bytes per element of each cache type llama.cpp accepts
# for -ctk/-ctv (common/arg.cpp kv_cache_types).
CACHE_TYPE_BYTES = {
    "f32": 4.0,
    "f16": 2.0,
    "bf16": 2.0,
    "q8_0": 34 / 32,
    "q5_1": 24 / 32,
    "q5_0": 22 / 32,
    "q4_1": 20 / 32,
    "q4_0": 18 / 32,
    "iq4_nl": 18 / 32,
}
UNQUANTIZED_CACHE = ("f32", "f16", "bf16")
MAX_CONTEXT = 10_000_000
MAX_UBATCH = 65_536
MAX_PARALLEL = 256
MAX_THREADS = 1024

# llama.cpp's defaults (common/common.h) where the user sets nothing.
DEFAULT_CONTEXT = 8192  # the app's, `planner estimate`'s and `planner plan`'s default context window
DEFAULT_UBATCH = 512
DEFAULT_BATCH = 2048


@dataclass(frozen=True)
class LlamaSettings:
    """One llama.cpp run. `gpu_layers=None` means "as many as fit" (the planner picks);
    `threads=None` means llama.cpp's default (the physical cores)."""

    engine: str = "llama.cpp"
    gpu_layers: int | None = None
    n_cpu_moe: int = 0
    cpu_moe: bool = False
    tensor_split: tuple[float, ...] = ()
    context: int = DEFAULT_CONTEXT
    ubatch: int = DEFAULT_UBATCH
    batch: int = DEFAULT_BATCH
    flash_attn: str = "auto"
    cache_type_k: str = "f16"
    cache_type_v: str = "f16"
    parallel: int = 1
    threads: int | None = None
    mmap: bool = True

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise InputError(f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}")
        _whole("--gpu-layers", self.gpu_layers, 0, 10_000, optional=True)
        _whole("--n-cpu-moe", self.n_cpu_moe, 0, 10_000)
        _whole("--ctx-size", self.context, 1, MAX_CONTEXT)
        _whole("--ubatch-size", self.ubatch, 1, MAX_UBATCH)
        _whole("--batch-size", self.batch, 1, MAX_UBATCH)
        _whole("--parallel", self.parallel, 1, MAX_PARALLEL)
        _whole("--threads", self.threads, 1, MAX_THREADS, optional=True)
        if not isinstance(self.cpu_moe, bool) or not isinstance(self.mmap, bool):
            raise InputError("--cpu-moe and mmap are on or off")
        if self.flash_attn not in FLASH_ATTN:
            raise InputError(f"--flash-attn must be on, off or auto; got {self.flash_attn!r}")
        for flag, value in (("--cache-type-k", self.cache_type_k), ("--cache-type-v", self.cache_type_v)):
            if value not in CACHE_TYPE_BYTES:
                raise InputError(
                    f"{flag} {value!r} is not a cache type llama.cpp has; choose one of {', '.join(CACHE_TYPE_BYTES)}"
                )
        if self.cache_type_v not in UNQUANTIZED_CACHE and self.flash_attn == "off":
            raise InputError(
                f"llama.cpp needs flash attention for a quantized V cache (-ctv {self.cache_type_v}); "
                "use --flash-attn on or auto, or an f16 V cache"
            )
        if any(not _is_number(s) or s < 0 for s in self.tensor_split) or (
            self.tensor_split and sum(self.tensor_split) <= 0
        ):
            raise InputError("--tensor-split takes non-negative proportions such as 3,1")
        if self.context < self.parallel:
            raise InputError(f"--ctx-size {self.context} is smaller than --parallel {self.parallel}")

    @property
    def ubatch_effective(self) -> int:
        """llama.cpp caps the u-batch at the batch size."""
        return min(self.ubatch, self.batch)

    @property
    def context_per_slot(self) -> int:
        """With several slots one unified KV cache is shared; each request may use ctx / np."""
        return self.context // self.parallel

    @property
    def k_bytes_per_element(self) -> float:
        return CACHE_TYPE_BYTES[self.cache_type_k]

    @property
    def v_bytes_per_element(self) -> float:
        return CACHE_TYPE_BYTES[self.cache_type_v]

    def expert_layers_on_cpu(self, n_layers: int, n_dense_layers: int = 0) -> int:
        """MoE layers whose routed experts live in system RAM. --n-cpu-moe N overrides the
        expert tensors of blocks 0..N-1, so leading dense blocks (DeepSeek's first 3) count
        towards N but hold no experts; --cpu-moe means all of them."""
        n_moe = n_layers - n_dense_layers
        if self.cpu_moe:
            return n_moe
        return max(0, min(self.n_cpu_moe, n_layers) - n_dense_layers)

    def flash_attention_used(self, supported: bool = True) -> bool:
        """`auto` turns flash attention on where the backend supports it (llama.cpp b6000+)."""
        return self.flash_attn == "on" or (self.flash_attn == "auto" and supported)

    def check_for_model(self, n_layers: int, is_moe: bool, n_gpus: int) -> None:
        """Settings that make no sense for this model or build, as clear errors."""
        if (self.n_cpu_moe or self.cpu_moe) and not is_moe:
            raise InputError("--n-cpu-moe and --cpu-moe keep MoE experts in RAM, but this model is dense (no experts)")
        if self.gpu_layers is not None and self.gpu_layers > n_layers + 1:
            raise InputError(
                f"--gpu-layers {self.gpu_layers} is more than the model has ({n_layers} layers + output = "
                f"{n_layers + 1}); use {n_layers + 1} (or leave it out) for all of them"
            )
        if self.tensor_split and len(self.tensor_split) > max(n_gpus, 1):
            raise InputError(f"--tensor-split has {len(self.tensor_split)} parts but the build has {n_gpus} GPU(s)")

    def to_dict(self) -> dict[str, Any]:
        """Every setting, defaults included, by the batch-key names (long option, underscores)."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["tensor_split"] = list(self.tensor_split)
        return out

    def with_(self, **changes: Any) -> LlamaSettings:
        return replace(self, **changes)


def settings_from_request(request: dict[str, Any], base: LlamaSettings | None = None) -> LlamaSettings:
    """Settings from CLI/batch keys (`n_cpu_moe`, `cache_type_k`, `kv_cache`, ...). `kv_cache` is a
    shorthand for both cache types; an explicit `cache_type_k/v` wins over it."""
    settings = base or LlamaSettings()
    changes: dict[str, Any] = {}
    kv = request.get("kv_cache")
    if kv is not None:
        changes["cache_type_k"] = changes["cache_type_v"] = str(kv)
    for key in ("engine", "flash_attn", "cache_type_k", "cache_type_v"):
        if request.get(key) is not None:
            changes[key] = str(request[key])
    keys = {"gpu_layers": "gpu_layers", "n_cpu_moe": "n_cpu_moe", "context": "context", "ubatch": "ubatch"}
    keys |= {"parallel": "parallel", "threads": "threads", "batch": "batch"}
    for key, name in keys.items():
        if request.get(key) is not None:
            changes[name] = _as_int(key, request[key])
    for key in ("cpu_moe", "mmap"):
        if request.get(key) is not None:
            if not isinstance(request[key], bool):
                raise InputError(f"{key} must be true or false; got {request[key]!r}")
            changes[key] = request[key]
    if request.get("tensor_split") is not None:
        changes["tensor_split"] = parse_tensor_split(request["tensor_split"])
    return replace(settings, **changes)


def parse_tensor_split(value: Any) -> tuple[float, ...]:
    """`3,1` or `[3, 1]` -> (3.0, 1.0)."""
    parts = value.replace("/", ",").split(",") if isinstance(value, str) else value
    if not isinstance(parts, (list, tuple)):
        raise InputError(f"--tensor-split takes proportions such as 3,1; got {value!r}")
    try:
        return tuple(float(p) for p in parts if str(p).strip() != "")
    except (TypeError, ValueError) as exc:
        raise InputError(f"--tensor-split takes numbers such as 3,1; got {value!r}") from exc


def _as_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"--{key.replace('_', '-')} must be a whole number; got {value!r}")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _whole(flag: str, value: Any, low: int, high: int, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{flag} must be a whole number from {low} to {high:,}; got {value!r}")
