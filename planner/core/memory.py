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

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class WeightLayout:
    """Bytes of each part of the GGUF file, as llama.cpp places them (numbers or arrays)."""

    embedding_bytes: Cells  # token_embd: a lookup table, kept in system RAM by llama.cpp
    output_bytes: Cells  # output.weight (or tied embedding used as output), read every token
    layer_bytes: Cells  # one repeating block, averaged
    layer_active_bytes: Cells  # what one token reads from a block (MoE: routed experts only)
    n_layers: Cells

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
    return WeightLayout(
        embedding_bytes=embd * embd_bpw / 8,
        output_bytes=output * output_bpw / 8 + tied_output,
        layer_bytes=(other * body_bpw + experts * expert_bpw) / 8,
        layer_active_bytes=(other * body_bpw + active_experts * expert_bpw) / 8,
        n_layers=per_model([float(m.n_layers) for m in models]),
    )


def layout_at(layout: WeightLayout, model: int, quant: int) -> WeightLayout:
    """One cell of `weight_layouts`, as numbers."""
    return WeightLayout(
        embedding_bytes=float(layout.embedding_bytes[model, quant, 0]),
        output_bytes=float(layout.output_bytes[model, quant, 0]),
        layer_bytes=float(layout.layer_bytes[model, quant, 0]),
        layer_active_bytes=float(layout.layer_active_bytes[model, quant, 0]),
        n_layers=float(layout.n_layers[model, 0, 0]),
    )


def weight_layout(model: ModelArch, quant: QuantType) -> WeightLayout:
    """One model's layout in one quant."""
    return layout_at(weight_layouts([model], [quant]), 0, 0)


def kv_elements_per_token_full_layer(model: ModelArch) -> int:
    """K and V elements one token adds to one attention layer."""
    if model.uses_mla:
        # llama.cpp caches MLA's compressed latent plus the rope key; V is a view of it.
        return model.kv_lora_rank + model.qk_rope_head_dim
    return 2 * model.n_kv_heads * model.head_dim


def swa_cells(model: ModelArch, context: Cells, n_ubatch: int) -> Cells:
    """Cells a sliding-window layer allocates: the window plus one micro-batch."""
    return np.minimum(context, model.sliding_window + n_ubatch)


def kv_cache_bytes(model: ModelArch, workload: Workload, context: Cells | None = None) -> Cells:
    """The whole KV cache (all layers) for `context` tokens (a number or an array of them)."""
    ctx = workload.context if context is None else context
    per_token = kv_elements_per_token_full_layer(model) * workload.kv_bytes_per_element
    full = model.n_full_attn_layers * per_token * ctx
    swa = model.n_swa_layers * per_token * swa_cells(model, ctx, workload.n_ubatch)
    recurrent = model.linear_state_mib * 1024**2 if model.n_linear_attn_layers else 0.0
    return full + swa + recurrent


def kv_read_bytes_per_token(model: ModelArch, workload: Workload, depth: Cells) -> Cells:
    """KV bytes one decoded token reads at `depth` tokens of history (a number or an array)."""
    per_token = kv_elements_per_token_full_layer(model) * workload.kv_bytes_per_element
    swa_depth = np.minimum(depth, model.sliding_window) if model.sliding_window else depth
    return per_token * (model.n_full_attn_layers * depth + model.n_swa_layers * swa_depth)


def compute_buffer_bytes(model: ModelArch, workload: Workload) -> float:
    """llama.cpp's compute buffer with flash attention: logits plus activations of one ubatch."""
    return workload.n_ubatch * BYTES_F32 * (model.vocab_size + 4 * model.hidden_size)
