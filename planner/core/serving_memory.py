"""How many sequences a serving engine's KV cache holds at a given context."""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.hardware import Accelerator
from planner.core.memory import kv_cache_bytes
from planner.core.model import ModelArch
from planner.core.serving_formats import Engine
from planner.core.units import GB, GIB
from planner.core.workload import Workload

# Activations, CUDA graphs and the sampler's buffers that vLLM/SGLang/TRT-LLM profile
# before sizing the KV pool (a few GiB per GPU in their startup logs).
ENGINE_RESERVE_GIB = {"vllm": 2.0, "sglang": 2.0, "trt-llm": 2.0, "mlx": 1.0, "llama.cpp": 0.0}


def kv_bytes_per_sequence(model: ModelArch, context: int, kv_cache: str) -> float:
    """The KV cache one sequence of `context` tokens allocates, all layers (core.memory)."""
    return float(kv_cache_bytes(model, Workload(context=context, kv_cache=kv_cache)))


def kv_shard(model: ModelArch, tp: int) -> int:
    """GPUs one sequence's KV splits over: KV heads split, and are copied beyond n_kv_heads."""
    if model.uses_mla:
        return 1  # the compressed latent is replicated on every tensor-parallel rank
    return max(1, min(tp, model.n_kv_heads))


@dataclass(frozen=True)
class KvCapacity:
    weights_per_gpu_bytes: float
    budget_per_gpu_bytes: float  # what the engine may use on each GPU
    kv_pool_per_gpu_bytes: float
    kv_per_sequence_per_gpu_bytes: float
    max_sequences: int  # per replica, every sequence at its full input + output context
    paged_sequences: int  # per replica, sequences at their mean length (paged KV fills on demand)


def kv_capacity(
    engine: Engine,
    acc: Accelerator,
    model: ModelArch,
    weights_bytes: float,
    tp: int,
    pp: int,
    context: int,
    kv_cache: str,
    memory_fraction: float | None = None,
    mean_context: int | None = None,
) -> KvCapacity:
    """vLLM-style sizing: a share of each GPU, minus weights and activations, is the KV pool."""
    fraction = memory_fraction or engine.memory_fraction
    budget = acc.memory_gb * GB * fraction
    weights = weights_bytes / (tp * pp)
    pool = budget - weights - ENGINE_RESERVE_GIB.get(engine.name, 1.0) * GIB
    per_seq = _per_gpu(model, context, kv_cache, tp, pp, engine.paged_kv)
    sequences = int(pool // per_seq) if pool > 0 and per_seq > 0 else 0
    paged = sequences
    if engine.paged_kv and mean_context:
        per_mean = _per_gpu(model, mean_context, kv_cache, tp, pp, True)
        paged = max(int(pool // per_mean) if pool > 0 else 0, sequences)
    return KvCapacity(weights, budget, max(pool, 0.0), per_seq, sequences, paged)


def _per_gpu(model: ModelArch, context: int, kv_cache: str, tp: int, pp: int, paged: bool) -> float:
    per_seq = kv_bytes_per_sequence(model, context, kv_cache) / (kv_shard(model, tp) * pp)
    return per_seq * (1.0 + 8 / max(context, 16)) if paged else per_seq  # half a 16-token block wasted
