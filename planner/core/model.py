"""Model architecture, as published in its `config.json`, and the tensor counts derived from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelArch:
    """A transformer's shape. Counts are elements (parameters), not bytes."""

    id: str
    name: str
    params_total_b: float
    params_active_b: float
    n_layers: int
    hidden_size: int
    intermediate_size: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    vocab_size: int
    tie_embeddings: bool = False
    max_context: int = 4096
    n_experts: int = 0
    n_experts_active: int = 0
    n_shared_experts: int = 0
    moe_intermediate_size: int = 0
    n_dense_layers: int = 0
    sliding_window: int = 0
    n_swa_layers: int = 0
    n_linear_attn_layers: int = 0
    linear_state_mib: float = 0.0
    kv_lora_rank: int = 0
    q_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    qk_nope_head_dim: int = 0
    v_head_dim: int = 0
    # Hybrid stacks: parameters of one linear-attention / SSM mixer (millions), layers that run an
    # SSM beside their attention (Falcon-H1: both caches in every layer), blocks with no
    # mixer at all (Nemotron-H's MLP-only blocks), blocks with no FFN (its Mamba and attention
    # blocks), and 2 for plain up/down MLPs (squared-ReLU, GELU) instead of gated 3-matrix ones.
    linear_mixer_params_m: float = 0.0
    n_parallel_ssm_layers: int = 0
    n_mixer_free_layers: int = 0
    n_ffn_free_layers: int = 0
    ffn_matrices: int = 3
    family: str = ""
    arch: str = ""

    # ---- shape helpers -------------------------------------------------
    @property
    def is_moe(self) -> bool:
        return self.n_experts > 0

    @property
    def uses_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def n_attention_layers(self) -> int:
        """Layers that keep a growing KV cache (full or sliding-window attention)."""
        return self.n_layers - self.n_linear_attn_layers - self.n_mixer_free_layers

    @property
    def n_full_attn_layers(self) -> int:
        return self.n_attention_layers - self.n_swa_layers

    @property
    def n_moe_layers(self) -> int:
        return self.n_layers - self.n_ffn_free_layers - self.n_dense_layers if self.is_moe else 0

    # ---- parameter counts ----------------------------------------------
    def attention_params_per_layer(self) -> int:
        h = self.hidden_size
        if self.uses_mla:
            qk_head = self.qk_nope_head_dim + self.qk_rope_head_dim
            q = (
                h * self.q_lora_rank + self.q_lora_rank * self.n_heads * qk_head
                if self.q_lora_rank
                else h * self.n_heads * qk_head
            )
            kv_a = h * (self.kv_lora_rank + self.qk_rope_head_dim)
            kv_b = self.kv_lora_rank * self.n_heads * (self.qk_nope_head_dim + self.v_head_dim)
            return q + kv_a + kv_b + self.n_heads * self.v_head_dim * h
        q_and_o = 2 * h * self.n_heads * self.head_dim
        k_and_v = 2 * h * self.n_kv_heads * self.head_dim
        return q_and_o + k_and_v

    def dense_ffn_params(self) -> int:
        return self.ffn_matrices * self.hidden_size * self.intermediate_size

    def expert_params(self) -> int:
        """One routed expert (gate, up and down projections; up and down only for plain MLPs)."""
        return self.ffn_matrices * self.hidden_size * self.moe_intermediate_size

    def moe_layer_params(self, active_only: bool) -> int:
        experts = self.n_experts_active if active_only else self.n_experts
        shared = self.n_shared_experts * self.expert_params()
        router = self.hidden_size * self.n_experts
        return experts * self.expert_params() + shared + router

    def embedding_params(self) -> int:
        return self.vocab_size * self.hidden_size

    def output_params(self) -> int:
        return 0 if self.tie_embeddings else self.vocab_size * self.hidden_size

    def computed_total_params(self) -> float:
        """Total parameters recomputed from the shape (used to check catalog rows)."""
        return self._params(active_only=False)

    def computed_active_params(self) -> float:
        return self._params(active_only=True)

    def mixer_params(self) -> float:
        """Attention plus linear-attention/SSM mixers over the whole stack."""
        linear = (
            self.linear_mixer_params_m * 1e6 if self.linear_mixer_params_m else float(self.attention_params_per_layer())
        )
        n_linear = self.n_linear_attn_layers + self.n_parallel_ssm_layers
        return self.attention_params_per_layer() * self.n_attention_layers + linear * n_linear

    def _params(self, active_only: bool) -> float:
        attention = self.mixer_params()
        if self.is_moe:
            ffn = self.n_dense_layers * self.dense_ffn_params() + self.n_moe_layers * (
                self.moe_layer_params(active_only)
            )
        else:
            ffn = (self.n_layers - self.n_ffn_free_layers) * self.dense_ffn_params()
        return float(attention + ffn + self.embedding_params() + self.output_params())

    # ---- the catalog's published figures, split into the parts the runtime reads ----
    @property
    def total_params(self) -> float:
        return self.params_total_b * 1e9

    @property
    def active_params(self) -> float:
        return (self.params_active_b or self.params_total_b) * 1e9

    def layer_params_total(self) -> float:
        """Parameters of one repeating block, averaged (published total less embeddings)."""
        body = self.total_params - self.embedding_params() - self.output_params()
        return max(body, 0.0) / self.n_layers

    def layer_params_active(self) -> float:
        """Parameters one token reads in an average block (MoE: routed experts only)."""
        if not self.is_moe:
            return self.layer_params_total()
        scale = self.total_params / max(self.computed_total_params(), 1.0)
        active_body = self.computed_active_params() - self.embedding_params() - self.output_params()
        return max(active_body * scale, 0.0) / self.n_layers
