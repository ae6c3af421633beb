"""Memory terms: weight bytes from bits per weight and the tensor layout, the KV cache and
the compute buffer.

This is the one place memory terms are defined. Every formula takes numbers or numpy
arrays alike: the sweep (planner.core.grid) feeds it arrays shaped (model, quant, context),
`estimate()` a single cell. A new memory term (experts kept in system RAM, a second KV
cache for serving, ...) is written here once and reaches both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.core.cells import Cells
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.core.workload import Workload

BYTES_F32 = 4
KV_PAD = 256  # llama.cpp rounds the cells of every KV cache up to a multiple of 256
# Activations of one layer's graph at their peak, in f32 values per token of the u-batch per
# (hidden + active FFN width): 4.5 reproduces the 144.00 MiB CUDA0 compute buffer of
# Qwen3-235B at -ub 512 with flash attention (ik_llama.cpp #370, tests/data/load_logs.json).
ACTIVATION_WIDTHS = 4.5

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class WeightLayout:
    """Bytes of each part of the GGUF file, as llama.cpp places them (numbers or arrays)."""

    embedding_bytes: Cells  # token_embd: a lookup table, kept in system RAM by llama.cpp
    output_bytes: Cells  # output.weight (or tied embedding used as output), read every token
    layer_bytes: Cells  # one repeating block, averaged
    layer_active_bytes: Cells  # what one token reads from a block (MoE: routed experts only)
    n_layers: Cells
    expert_layer_bytes: Cells = 0.0  # all routed experts of one MoE block (what --n-cpu-moe moves)
    expert_active_layer_bytes: Cells = 0.0  # the routed experts one token reads in one MoE block

    @property
    def total_bytes(self) -> Cells:
        return self.embedding_bytes + self.output_bytes + self.layer_bytes * self.n_layers


def layer_split(model: ModelArch) -> tuple[float, float, float]:
    """Parameters of an average block: (not experts, all routed experts, active routed experts)."""
    layer_total = model.layer_params_total()
    if model.is_moe:
        scale = model.total_params / max(model.computed_total_params(), 1.0)
        experts = model.n_moe_layers * model.n_experts * model.expert_params() * scale / model.n_layers
        active_experts = model.n_moe_layers * model.n_experts_active * model.expert_params() * scale / model.n_layers
    else:
        experts = active_experts = 0.0
    return max(layer_total - experts, 0.0), experts, active_experts


def weight_layouts(models: Sequence[ModelArch], quants: Sequence[QuantType]) -> WeightLayout:
    """Weight layout of every model x quant, as arrays shaped (models, quants, 1)."""
    n_models, n_quants = len(models), len(quants)

    def per_model(values: list[float]) -> FloatArray:
        return np.array(values, dtype=np.float64).reshape(n_models, 1, 1)

    def per_quant(values: list[float]) -> FloatArray:
        return np.array(values, dtype=np.float64).reshape(1, n_quants, 1)

    splits = [layer_split(m) for m in models]
    other, experts, active_experts = (per_model([s[i] for s in splits]) for i in range(3))
    tied = np.array([m.tie_embeddings for m in models], dtype=np.bool_).reshape(n_models, 1, 1)
    embd = per_model([float(m.embedding_params()) for m in models])
    output = per_model([float(m.output_params()) for m in models])

    body_bpw = per_quant([q.body_bpw for q in quants])
    output_bpw = per_quant([q.output_bpw for q in quants])
    expert_bpw = per_quant([q.expert_bpw or q.body_bpw for q in quants])
    embd_bpw = np.where(tied, output_bpw, per_quant([q.embd_bpw for q in quants]))
    tied_output = np.where(tied, embd * output_bpw / 8, 0.0)
    # Per MoE block: the averaged expert share times layers per MoE layer.
    moe_share = per_model([m.n_layers / m.n_moe_layers if m.is_moe and m.n_moe_layers else 0.0 for m in models])
    return WeightLayout(
        embedding_bytes=embd * embd_bpw / 8,
        output_bytes=output * output_bpw / 8 + tied_output,
        layer_bytes=(other * body_bpw + experts * expert_bpw) / 8,
        layer_active_bytes=(other * body_bpw + active_experts * expert_bpw) / 8,
        n_layers=per_model([float(m.n_layers) for m in models]),
        expert_layer_bytes=experts * moe_share * expert_bpw / 8,
        expert_active_layer_bytes=active_experts * moe_share * expert_bpw / 8,
    )


def layout_at(layout: WeightLayout, model: int, quant: int) -> WeightLayout:
    """One cell of `weight_layouts`, as numbers."""
    return WeightLayout(
        embedding_bytes=float(layout.embedding_bytes[model, quant, 0]),
        output_bytes=float(layout.output_bytes[model, quant, 0]),
        layer_bytes=float(layout.layer_bytes[model, quant, 0]),
        layer_active_bytes=float(layout.layer_active_bytes[model, quant, 0]),
        n_layers=float(layout.n_layers[model, 0, 0]),
        expert_layer_bytes=float(layout.expert_layer_bytes[model, quant, 0]),
        expert_active_layer_bytes=float(layout.expert_active_layer_bytes[model, quant, 0]),
    )


def weight_layout(model: ModelArch, quant: QuantType) -> WeightLayout:
    """One model's layout in one quant."""
    return layout_at(weight_layouts([model], [quant]), 0, 0)


def kv_elements_per_token_full_layer(model: ModelArch) -> int:
    """K and V elements one token adds to one attention layer."""
    k, v = kv_widths(model)
    return k + v


def kv_widths(model: ModelArch) -> tuple[int, int]:
    """(K, V) elements per token per attention layer. MLA caches the compressed latent plus
    the rope key as K; V is a view of it, so llama.cpp allocates no V."""
    if model.uses_mla:
        return model.kv_lora_rank + model.qk_rope_head_dim, 0
    width = model.n_kv_heads * model.head_dim
    return width, width


def kv_bytes_per_token_layer(model: ModelArch, workload: Workload) -> float:
    """Bytes one token adds to one attention layer, K and V each in their own type."""
    k, v = kv_widths(model)
    return k * workload.k_bytes_per_element + v * workload.v_bytes_per_element


def padded(cells: Cells) -> Cells:
    return np.ceil(np.asarray(cells, dtype=np.float64) / KV_PAD) * KV_PAD


def kv_cells(model: ModelArch, workload: Workload, context: Cells) -> tuple[Cells, Cells]:
    """(cells of a full-attention layer, cells of a sliding-window layer), all slots together.

    One unified cache (`kv_unified`, llama-server's default with several slots) holds the
    context rounded up to 256 cells; separate caches hold context/slots each. A sliding-
    window layer keeps the window (per slot) plus one u-batch, rounded up the same way
    (llama_kv_cache_iswa); ik_llama.cpp sizes it like a full layer.
    """
    slots = workload.parallel
    if workload.kv_unified or slots == 1:
        full = padded(context)
        swa = np.minimum(full, padded(model.sliding_window * slots + workload.n_ubatch))
    else:
        per_slot = padded(np.floor(np.asarray(context, dtype=np.float64) / slots))
        full = per_slot * slots
        swa = np.minimum(per_slot, padded(model.sliding_window + workload.n_ubatch)) * slots
    if workload.engine == "ik_llama.cpp":
        swa = full
    return full, swa


def swa_cells(model: ModelArch, context: Cells, n_ubatch: int) -> Cells:
    """Cells a sliding-window layer allocates: the window plus one micro-batch, padded to 256
    (llama-kv-cache-iswa.cpp: GGML_PAD(min(n_ctx, n_swa + n_ubatch), 256))."""
    cells = np.minimum(context, model.sliding_window + n_ubatch)
    return -(-cells // 256) * 256


def kv_cache_bytes(model: ModelArch, workload: Workload, context: Cells | None = None) -> Cells:
    """The whole KV cache (all layers) for `context` tokens (a number or an array of them)."""
    ctx = workload.context if context is None else context
    per_token = kv_bytes_per_token_layer(model, workload)
    full_cells, swa_cells_ = kv_cells(model, workload, ctx)
    full = model.n_full_attn_layers * per_token * full_cells
    swa = model.n_swa_layers * per_token * swa_cells_
    recurrent = model.linear_state_mib * 1024**2
    return full + swa + recurrent


def kv_read_bytes_per_token(model: ModelArch, workload: Workload, depth: Cells) -> Cells:
    """KV bytes one decoded token reads at `depth` tokens of history (a number or an array)."""
    per_token = kv_bytes_per_token_layer(model, workload)
    swa_depth = np.minimum(depth, model.sliding_window) if model.sliding_window else depth
    return per_token * (model.n_full_attn_layers * depth + model.n_swa_layers * swa_depth)


def compute_buffer_bytes(model: ModelArch, workload: Workload, context: Cells | None = None) -> Cells:
    """llama.cpp's compute buffer on a GPU that holds layers but not the output: the peak
    activations of one layer for one u-batch, plus, without flash attention, the K*Q matrix
    (u-batch x cells x heads x f32; ik_llama.cpp #237 explains it, #822 shows 16 GiB of it)."""
    ctx = workload.context if context is None else context
    tokens = np.minimum(workload.n_ubatch, padded(ctx))
    ffn = model.n_experts_active * model.moe_intermediate_size if model.is_moe else model.intermediate_size
    activations = tokens * BYTES_F32 * ACTIVATION_WIDTHS * (model.hidden_size + ffn)
    if workload.flash_attention or not model.n_attention_layers:
        return activations
    full_cells, swa_cells_ = kv_cells(model, workload, ctx)
    cells = full_cells if model.n_full_attn_layers else swa_cells_
    return activations + tokens * cells * model.n_heads * BYTES_F32


def output_compute_buffer_bytes(model: ModelArch, workload: Workload, context: Cells | None = None) -> Cells:
    """The compute buffer of the GPU that holds the output layer: the larger of a layer's peak
    and the logits of one u-batch (u-batch x (vocab + hidden) x f32: 258.50 MiB for Llama 3 8B
    at -ub 512; 312.75 MiB against 304.75 for Qwen3-235B in ik_llama.cpp #370)."""
    ctx = workload.context if context is None else context
    tokens = np.minimum(workload.n_ubatch, padded(ctx))
    logits = tokens * BYTES_F32 * (model.vocab_size + model.hidden_size)
    return np.maximum(compute_buffer_bytes(model, workload, ctx), logits)
