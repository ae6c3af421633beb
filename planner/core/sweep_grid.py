"""The inputs of a sweep as numpy arrays on a (model, quant, context) grid.

Every array broadcasts to (M, Q, C): model scalars are (M, 1, 1), weight bytes (M, Q, 1),
KV and depth terms (M, 1, C). The arithmetic repeats planner.core.memory's in the same
order, so each cell is bit-for-bit what `weight_layout` and `kv_cache_bytes` return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.core.memory import compute_buffer_bytes, kv_cache_bytes, kv_read_bytes_per_token, layer_split
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.core.speed import attention_flops
from planner.core.workload import Workload

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Grid:
    """Per-model scalars (M,1,1), weight layout (M,Q,1), context terms (M,1,C)."""

    n_layers: IntArray
    n_attention_layers: IntArray
    active_params: FloatArray
    compute_bytes: FloatArray  # llama.cpp's compute buffer, one per GPU that holds layers
    embedding_bytes: FloatArray
    output_bytes: FloatArray
    layer_bytes: FloatArray
    layer_active_bytes: FloatArray
    total_weight_bytes: FloatArray
    kv_bytes: FloatArray  # the whole cache, allocated for the context
    kv_read_bytes: FloatArray  # what one decoded token reads at the cell's depth
    attention_flops: FloatArray  # prefill attention over the prompt after the cell's depth


def make_grid(
    models: list[ModelArch],
    quants: list[QuantType],
    contexts: list[int],
    depths: list[int],
    workload: Workload,
) -> Grid:
    """Arrays for every model x quant x context; `depths[i]` is the decode depth at `contexts[i]`."""
    n_models = len(models)

    def per_model(values: list[float]) -> FloatArray:
        return np.array(values, dtype=np.float64).reshape(n_models, 1, 1)

    def per_quant(values: list[float]) -> FloatArray:
        return np.array(values, dtype=np.float64).reshape(1, len(quants), 1)

    def per_context(rows: list[list[float]]) -> FloatArray:
        return np.array(rows, dtype=np.float64).reshape(n_models, 1, len(contexts))

    splits = [layer_split(m) for m in models]
    other, experts, active_experts = (per_model([s[i] for s in splits]) for i in range(3))
    n_layers = np.array([m.n_layers for m in models], dtype=np.int64).reshape(n_models, 1, 1)
    tied = np.array([m.tie_embeddings for m in models]).reshape(n_models, 1, 1)
    embd = per_model([float(m.embedding_params()) for m in models])
    output = per_model([float(m.output_params()) for m in models])

    body_bpw = per_quant([q.body_bpw for q in quants])
    output_bpw = per_quant([q.output_bpw for q in quants])
    expert_bpw = per_quant([q.expert_bpw or q.body_bpw for q in quants])
    embd_bpw = np.where(tied, output_bpw, per_quant([q.embd_bpw for q in quants]))
    tied_output = np.where(tied, embd * output_bpw / 8, 0.0)

    embedding_bytes = embd * embd_bpw / 8
    output_bytes = output * output_bpw / 8 + tied_output
    layer_bytes = (other * body_bpw + experts * expert_bpw) / 8
    layer_active_bytes = (other * body_bpw + active_experts * expert_bpw) / 8
    prompt = workload.prompt
    return Grid(
        n_layers=n_layers,
        n_attention_layers=np.array([m.n_attention_layers for m in models], dtype=np.int64).reshape(n_models, 1, 1),
        active_params=per_model([m.active_params for m in models]),
        compute_bytes=per_model([float(compute_buffer_bytes(m, workload)) for m in models]),
        embedding_bytes=embedding_bytes,
        output_bytes=output_bytes,
        layer_bytes=layer_bytes,
        layer_active_bytes=layer_active_bytes,
        total_weight_bytes=embedding_bytes + output_bytes + layer_bytes * n_layers,
        kv_bytes=per_context([[kv_cache_bytes(m, workload, c) for c in contexts] for m in models]),
        kv_read_bytes=per_context([[kv_read_bytes_per_token(m, workload, d) for d in depths] for m in models]),
        attention_flops=per_context([[attention_flops(m, prompt, d) for d in depths] for m in models]),
    )
