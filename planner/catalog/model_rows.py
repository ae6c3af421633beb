"""A catalog or user-database model row as the estimator's ModelArch."""

from __future__ import annotations

from typing import Any

from planner.core.model import ModelArch

Row = dict[str, Any]


def model_from_row(row: Row) -> ModelArch:
    def num(key: str) -> int:
        return int(row.get(key) or 0)

    return ModelArch(
        id=row["id"],
        name=row["name"],
        params_total_b=row["params_total_b"],
        params_active_b=row["params_active_b"] or row["params_total_b"],
        n_layers=num("n_layers"),
        hidden_size=num("hidden_size"),
        intermediate_size=num("intermediate_size"),
        n_heads=num("n_heads"),
        n_kv_heads=num("n_kv_heads"),
        head_dim=num("head_dim"),
        vocab_size=num("vocab_size"),
        tie_embeddings=bool(row.get("tie_embeddings")),
        max_context=num("max_context"),
        n_experts=num("n_experts"),
        n_experts_active=num("n_experts_active"),
        n_shared_experts=num("n_shared_experts"),
        moe_intermediate_size=num("moe_intermediate_size"),
        n_dense_layers=num("n_dense_layers"),
        sliding_window=num("sliding_window"),
        n_swa_layers=num("n_swa_layers"),
        n_linear_attn_layers=num("n_linear_attn_layers"),
        linear_state_mib=float(row.get("linear_state_mib") or 0.0),
        linear_mixer_params_m=float(row.get("linear_mixer_params_m") or 0.0),
        n_parallel_ssm_layers=num("n_parallel_ssm_layers"),
        n_mixer_free_layers=num("n_mixer_free_layers"),
        n_ffn_free_layers=num("n_ffn_free_layers"),
        ffn_matrices=num("ffn_matrices") or 3,
        kv_lora_rank=num("kv_lora_rank"),
        q_lora_rank=num("q_lora_rank"),
        qk_rope_head_dim=num("qk_rope_head_dim"),
        qk_nope_head_dim=num("qk_nope_head_dim"),
        v_head_dim=num("v_head_dim"),
        family=row.get("family") or "",
        arch=row.get("arch") or "",
    )
