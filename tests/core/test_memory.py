"""KV cache and weight sizes: exact where the arithmetic is exact."""

from __future__ import annotations

import pytest

from planner.catalog.store import Catalog
from planner.core.memory import kv_cache_bytes, weight_layout
from planner.core.units import GIB, MIB
from planner.core.workload import Workload


def test_kv_cache_of_llama_3_8b_matches_llama_cpp(catalog: Catalog) -> None:
    # llama.cpp: "KV self size = 512.00 MiB, K (f16): 256.00 MiB, V (f16): 256.00 MiB" at n_ctx 4096
    model = catalog.model("llama-3-8b")
    assert kv_cache_bytes(model, Workload(context=4096)) == 512 * MIB


def test_grouped_query_attention_is_counted(catalog: Catalog) -> None:
    # 70B: 80 layers x 8 KV heads x 128 x 2 (K,V) x 2 bytes = 320 KiB per token -> 2.5 GiB at 8K
    model = catalog.model("llama-3-70b")
    assert kv_cache_bytes(model, Workload(context=8192)) == pytest.approx(2.5 * GIB, rel=0.001)


def test_llama_2_7b_has_no_gqa(catalog: Catalog) -> None:
    # 32 layers x 32 heads x 128 x 2 x 2 bytes = 512 KiB per token -> 2 GiB at 4K
    assert kv_cache_bytes(catalog.model("llama-2-7b"), Workload(context=4096)) == 2 * GIB


@pytest.mark.parametrize(("kv", "ratio"), [("q8_0", 34 / 64), ("q4_0", 18 / 64)])
def test_quantized_kv_cache(catalog: Catalog, kv: str, ratio: float) -> None:
    model = catalog.model("llama-3-8b")
    f16 = kv_cache_bytes(model, Workload(context=8192))
    assert kv_cache_bytes(model, Workload(context=8192, kv_cache=kv)) == pytest.approx(f16 * ratio)


def test_sliding_window_layers_stop_growing(catalog: Catalog) -> None:
    model = catalog.model("gemma-3-4b")
    assert model.n_swa_layers > 0
    short = kv_cache_bytes(model, Workload(context=8192))
    long = kv_cache_bytes(model, Workload(context=16384))
    full_layers_growth = (long - short) / (16384 - 8192)
    per_token_all_layers = 2 * model.n_kv_heads * model.head_dim * 2 * model.n_layers
    assert full_layers_growth < per_token_all_layers / 3


def test_mla_caches_the_compressed_latent(catalog: Catalog) -> None:
    model = catalog.model("deepseek-v3")
    per_token = kv_cache_bytes(model, Workload(context=1024)) / 1024
    assert per_token == pytest.approx(model.n_layers * (512 + 64) * 2)


def test_linear_attention_state_is_fixed(catalog: Catalog) -> None:
    model = catalog.model("qwen3-next-80b-a3b")
    growth = kv_cache_bytes(model, Workload(context=8192)) - kv_cache_bytes(model, Workload(context=4096))
    per_token = 2 * model.n_kv_heads * model.head_dim * 2 * model.n_full_attn_layers
    assert growth == pytest.approx(per_token * 4096)


def test_moe_reads_only_active_experts(catalog: Catalog) -> None:
    layout = weight_layout(catalog.model("qwen3-30b-a3b"), catalog.quant("Q4_K_M"))
    assert layout.layer_active_bytes < layout.layer_bytes / 5


def test_unpriced_hardware_gets_no_cost_per_token_only_electricity() -> None:
    from planner.core.cost import CostSettings, cost_of
    from planner.core.hardware import Build, Part

    settings = CostSettings(electricity_usd_per_kwh=0.2, hours_per_day=8)
    unpriced = cost_of(Build(name="P40 box"), 20.0, settings, cpu_busy=False)
    assert unpriced.usd_per_mtok is None and unpriced.tok_s_per_1000_usd is None
    assert unpriced.electricity_usd_per_mtok == pytest.approx(unpriced.usd_per_day_power / (20.0 * 3600 * 8) * 1e6)
    partly = cost_of(Build(name="b", parts=(Part("GPU", 300.0), Part("PSU", None))), 20.0, settings, False)
    assert partly.usd_per_mtok is None and not partly.complete_prices
    priced = cost_of(Build(name="b", parts=(Part("GPU", 300.0),)), 20.0, settings, cpu_busy=False)
    assert priced.usd_per_mtok is not None and priced.electricity_usd_per_mtok is not None
    assert priced.usd_per_mtok > priced.electricity_usd_per_mtok
