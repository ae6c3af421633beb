"""The inputs of the speed model as numpy arrays on a (model, quant, context) grid.

Every array broadcasts to (M, Q, C): model scalars are (M, 1, 1), weight bytes (M, Q, 1),
KV and depth terms (M, 1, C). A sweep is a grid of many cells; `estimate()` is a grid of
one. The formulas themselves live in planner.core.memory (bytes) and here (FLOPs).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from planner.core.cells import Cells
from planner.core.memory import (
    FloatArray,
    WeightLayout,
    compute_buffer_bytes,
    kv_cache_bytes,
    kv_read_bytes_per_token,
    output_compute_buffer_bytes,
    weight_layouts,
)
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.core.workload import Workload

IntArray = npt.NDArray[np.int64]


def attention_flops(model: ModelArch, prompt: int, depth: Cells) -> Cells:
    """QK^T and AV over the causal prompt plus the cached history (`depth`: a number or an array)."""
    if model.uses_mla:
        width = model.n_heads * (model.qk_nope_head_dim + model.qk_rope_head_dim)
    else:
        width = model.n_heads * model.head_dim
    full = model.n_full_attn_layers * prompt * (depth + prompt / 2)
    window = model.sliding_window
    swa = model.n_swa_layers * prompt * np.minimum(depth + prompt / 2, window) if window else 0.0
    return 4.0 * width * (full + swa)


def _expert_active_params(model: ModelArch) -> float:
    if not model.is_moe:
        return 0.0
    scale = model.total_params / max(model.computed_total_params(), 1.0)
    return float(model.n_experts_active * model.expert_params() * scale)


def _moe_gpu_batch(model: ModelArch) -> float:
    """ik_llama.cpp offloads a MoE matmul to the GPU only when the batch is at least 32 tokens
    per expert on average (32 x experts / active experts); smaller batches stay on the CPU."""
    return 32.0 * model.n_experts / max(model.n_experts_active, 1) if model.is_moe else 32.0


@dataclass(frozen=True)
class Grid:
    """Per-model scalars (M,1,1), weight layout (M,Q,1), context terms (M,1,C); or, for
    `one_cell`, numbers (see planner.core.cells)."""

    models: tuple[ModelArch, ...]
    quants: tuple[QuantType, ...]
    contexts: tuple[int, ...]
    depths: tuple[int, ...]
    workload: Workload
    n_layers: Cells
    n_attention_layers: Cells
    active_params: Cells
    compute_bytes: Cells  # llama.cpp's compute buffer, one per GPU that holds layers
    output_compute_bytes: Cells  # the compute buffer of the GPU that holds the output layer
    n_dense_layers: Cells  # leading blocks without experts (DeepSeek's first 3)
    expert_active_params: Cells  # routed-expert parameters one token uses in one MoE block
    moe_gpu_batch: Cells  # ik_llama.cpp copies RAM experts to the GPU from this batch size up
    layout: WeightLayout
    kv_bytes: Cells  # the whole cache, allocated for the context
    kv_read_bytes: Cells  # what one decoded token reads at the cell's depth
    attention_flops: Cells  # prefill attention over the prompt after the cell's depth

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.models), len(self.quants), len(self.contexts)

    def per_quant(self, values: Sequence[float]) -> FloatArray:
        return np.array(values, dtype=np.float64).reshape(1, len(self.quants), 1)


def make_grid(
    models: Sequence[ModelArch],
    quants: Sequence[QuantType],
    contexts: Sequence[int],
    depths: Sequence[int],
    workload: Workload,
) -> Grid:
    """Arrays for every model x quant x context; `depths[i]` is the decode depth at `contexts[i]`.

    Grids depend on the model side only, so the same one serves every build: the planner
    estimates one model on hundreds of builds, the app re-sweeps the same table for each
    build it shows. The arrays are shared: nothing may write to them.
    """
    return _cached_grid(tuple(models), tuple(quants), tuple(contexts), tuple(depths), workload)


def clear_cache() -> None:
    """Forget every cached grid (benchmarks use it to time a sweep from scratch)."""
    _cached_grid.cache_clear()
    one_cell.cache_clear()


@functools.lru_cache(maxsize=512)
def _cached_grid(
    models: tuple[ModelArch, ...],
    quants: tuple[QuantType, ...],
    contexts: tuple[int, ...],
    depths: tuple[int, ...],
    workload: Workload,
) -> Grid:
    n_models, n_contexts = len(models), len(contexts)

    def per_model(values: list[float]) -> FloatArray:
        return np.array(values, dtype=np.float64).reshape(n_models, 1, 1)

    def per_context(rows: list[Cells]) -> FloatArray:
        """One value per model and context (a number stands for every context)."""
        return np.array([np.broadcast_to(r, (n_contexts,)) for r in rows], dtype=np.float64).reshape(
            n_models, 1, n_contexts
        )

    context_array = np.array(contexts, dtype=np.float64)
    depth_array = np.array(depths, dtype=np.float64)
    prompt = workload.prompt
    return Grid(
        models=models,
        quants=quants,
        contexts=contexts,
        depths=depths,
        workload=workload,
        n_layers=np.array([m.n_layers for m in models], dtype=np.int64).reshape(n_models, 1, 1),
        n_attention_layers=np.array([m.n_attention_layers for m in models], dtype=np.int64).reshape(n_models, 1, 1),
        active_params=per_model([m.active_params for m in models]),
        compute_bytes=per_context([compute_buffer_bytes(m, workload, context_array) for m in models]),
        output_compute_bytes=per_context([output_compute_buffer_bytes(m, workload, context_array) for m in models]),
        n_dense_layers=np.array([m.n_dense_layers if m.is_moe else 0 for m in models], dtype=np.int64).reshape(
            n_models, 1, 1
        ),
        expert_active_params=per_model([_expert_active_params(m) for m in models]),
        moe_gpu_batch=per_model([_moe_gpu_batch(m) for m in models]),
        layout=weight_layouts(models, quants),
        kv_bytes=per_context([kv_cache_bytes(m, workload, context_array) for m in models]),
        kv_read_bytes=per_context([kv_read_bytes_per_token(m, workload, depth_array) for m in models]),
        attention_flops=per_context([attention_flops(m, prompt, depth_array) for m in models]),
    )


@functools.lru_cache(maxsize=512)
def one_cell(model: ModelArch, quant: QuantType, context: int, depth: int, workload: Workload) -> Grid:
    """The grid of one model x quant x context, its arrays turned into numbers."""
    grid = make_grid([model], [quant], [context], [depth], workload)
    layout = grid.layout
    return replace(
        grid,
        n_layers=grid.n_layers[0, 0, 0],
        n_attention_layers=grid.n_attention_layers[0, 0, 0],
        active_params=grid.active_params[0, 0, 0],
        compute_bytes=grid.compute_bytes[0, 0, 0],
        output_compute_bytes=grid.output_compute_bytes[0, 0, 0],
        n_dense_layers=grid.n_dense_layers[0, 0, 0],
        expert_active_params=grid.expert_active_params[0, 0, 0],
        moe_gpu_batch=grid.moe_gpu_batch[0, 0, 0],
        layout=WeightLayout(
            embedding_bytes=layout.embedding_bytes[0, 0, 0],
            output_bytes=layout.output_bytes[0, 0, 0],
            layer_bytes=layout.layer_bytes[0, 0, 0],
            layer_active_bytes=layout.layer_active_bytes[0, 0, 0],
            n_layers=layout.n_layers[0, 0, 0],
            expert_layer_bytes=layout.expert_layer_bytes[0, 0, 0],
            expert_active_layer_bytes=layout.expert_active_layer_bytes[0, 0, 0],
        ),
        kv_bytes=grid.kv_bytes[0, 0, 0],
        kv_read_bytes=grid.kv_read_bytes[0, 0, 0],
        attention_flops=grid.attention_flops[0, 0, 0],
    )
