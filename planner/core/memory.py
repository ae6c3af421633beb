"""Memory: weight bytes from bits per weight and the tensor layout, and the KV cache."""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.core.workload import Workload

BYTES_F32 = 4


@dataclass(frozen=True)
class WeightLayout:
    """Bytes of each part of the GGUF file, as llama.cpp places them."""

    embedding_bytes: float  # token_embd: a lookup table, kept in system RAM by llama.cpp
    output_bytes: float  # output.weight (or tied embedding used as output), read every token
    layer_bytes: float  # one repeating block, averaged
    layer_active_bytes: float  # what one token reads from a block (MoE: routed experts only)
    n_layers: int

    @property
    def total_bytes(self) -> float:
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


def weight_layout(model: ModelArch, quant: QuantType) -> WeightLayout:
    embd = model.embedding_params()
    output = model.output_params()
    embd_bpw = quant.output_bpw if model.tie_embeddings else quant.embd_bpw
    tied_output = embd * quant.output_bpw / 8 if model.tie_embeddings else 0.0
    expert_bpw = quant.expert_bpw or quant.body_bpw

    other, experts, active_experts = layer_split(model)
    layer_bytes = (other * quant.body_bpw + experts * expert_bpw) / 8
    layer_active = (other * quant.body_bpw + active_experts * expert_bpw) / 8
    return WeightLayout(
        embedding_bytes=embd * embd_bpw / 8,
        output_bytes=output * quant.output_bpw / 8 + tied_output,
        layer_bytes=layer_bytes,
        layer_active_bytes=layer_active,
        n_layers=model.n_layers,
    )


def kv_elements_per_token_full_layer(model: ModelArch) -> int:
    """K and V elements one token adds to one attention layer."""
    if model.uses_mla:
        # llama.cpp caches MLA's compressed latent plus the rope key; V is a view of it.
        return model.kv_lora_rank + model.qk_rope_head_dim
    return 2 * model.n_kv_heads * model.head_dim


def swa_cells(model: ModelArch, context: int, n_ubatch: int) -> int:
    """Cells a sliding-window layer allocates: the window plus one micro-batch, padded to 256
    (llama-kv-cache-iswa.cpp: GGML_PAD(min(n_ctx, n_swa + n_ubatch), 256))."""
    cells = min(context, model.sliding_window + n_ubatch)
    return -(-cells // 256) * 256


def kv_cache_bytes(model: ModelArch, workload: Workload, context: int | None = None) -> float:
    """The whole KV cache (all layers) for `context` tokens."""
    ctx = workload.context if context is None else context
    per_token = kv_elements_per_token_full_layer(model) * workload.kv_bytes_per_element
    full = model.n_full_attn_layers * per_token * ctx
    swa = model.n_swa_layers * per_token * swa_cells(model, ctx, workload.n_ubatch)
    recurrent = model.linear_state_mib * 1024**2
    return full + swa + recurrent


def kv_read_bytes_per_token(model: ModelArch, workload: Workload, depth: int) -> float:
    """KV bytes one decoded token reads at `depth` tokens of history."""
    per_token = kv_elements_per_token_full_layer(model) * workload.kv_bytes_per_element
    swa_depth = min(depth, model.sliding_window) if model.sliding_window else depth
    return per_token * (model.n_full_attn_layers * depth + model.n_swa_layers * swa_depth)


def compute_buffer_bytes(model: ModelArch, workload: Workload) -> float:
    """llama.cpp's compute buffer with flash attention: logits plus activations of one ubatch."""
    return workload.n_ubatch * BYTES_F32 * (model.vocab_size + 4 * model.hidden_size)
