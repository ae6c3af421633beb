"""KV cache and recurrent state per architecture family against llama.cpp's own load lines.

Each case quotes the line it checks. Sources: public issue threads and llama-server logs; where a
log was read from a stored copy with no public address, the model file named in the log is given.
"""

from __future__ import annotations

import pytest

from planner.catalog.store import Catalog
from planner.core.memory import kv_cache_bytes
from planner.core.workload import Workload

MIB = 1024**2


def attention_mib(catalog: Catalog, model_id: str, context: int, kv_cache: str) -> float:
    model = catalog.model(model_id)
    return (kv_cache_bytes(model, Workload(context=context, kv_cache=kv_cache)) / MIB) - model.linear_state_mib


# (model, context, KV type, MiB in the log, the log line, where it was published)
ATTENTION_CASES = [
    # MLA: the compressed latent (512) plus the rope key (64) per layer; V is a view of it.
    ("deepseek-r1", 32768, "q8_0", 1166.62,
     "KV self size = 1166.62 MiB, c^KV (q8_0): 1166.62 MiB, kv^T: not used  (n_ctx_slot=32768, 61 layers)",
     "https://github.com/ikawrakow/ik_llama.cpp/pull/259"),
    # Gated DeltaNet hybrid: only every fourth layer keeps a KV cache.
    ("qwen3.6-27b", 131072, "q8_0", 4352.00,
     "llama_kv_cache: size = 4352.00 MiB (131072 cells, 16 layers, 4/1 seqs), K (q8_0): 2176.00 MiB",
     "llama-server log of unsloth/Qwen3.6-27B-MTP-GGUF Qwen3.6-27B-UD-Q4_K_XL.gguf"),
    ("qwen3.6-35b-a3b", 132352, "q8_0", 1373.28,
     "llama_kv_cache: size = 1373.28 MiB (132352 cells, 10 layers, 1/1 seqs), K (q8_0): 686.64 MiB",
     "llama-server log of Qwen3.6-35B-A3B-UD-IQ3_S.gguf"),
    ("qwen3.5-27b", 65536, "q4_0", 1152.00, "KV @ 64K, Q4_0: 1152 MiB (RTX 3090, Qwen3.5-27B)",
     "https://github.com/Luce-Org/lucebox/pull/21"),
]  # fmt: skip


@pytest.mark.parametrize(("model_id", "context", "kv_cache", "logged_mib", "line", "source"), ATTENTION_CASES)
def test_attention_cache_matches_the_load_log(
    catalog: Catalog, model_id: str, context: int, kv_cache: str, logged_mib: float, line: str, source: str
) -> None:
    assert attention_mib(catalog, model_id, context, kv_cache) == pytest.approx(logged_mib, abs=0.01), (line, source)


# (model, MiB per sequence in the log, the log line, where)
STATE_CASES = [
    ("qwen3.5-27b", 149.62,
     "llama_memory_recurrent: size = 149.62 MiB (1 cells, 64 layers, 1 seqs), R (f32): 5.62 MiB, S (f32): 144.00 MiB",
     "llama-server log (Vulkan, posted 2026-03-23) of a 64-layer Qwen3.5-27B-architecture model"),
    ("qwen3.6-27b", 598.50 / 4,
     "llama_memory_recurrent: size = 598.50 MiB (4 cells, 65 layers, 4 seqs), R (f32): 22.50 MiB, S (f32): 576.00 MiB",
     "llama-server log of unsloth/Qwen3.6-27B-MTP-GGUF Qwen3.6-27B-UD-Q4_K_XL.gguf"),
    ("qwen3.6-35b-a3b", 62.81,
     "llama_memory_recurrent: size = 62.81 MiB (1 cells, 40 layers, 1 seqs), R (f32): 2.81 MiB, S (f32): 60.00 MiB",
     "llama-server log of Qwen3.6-35B-A3B-UD-IQ3_S.gguf"),
    # Mamba-2 hybrid (Nemotron-H): 27 Mamba-2 layers keep conv (3 x (10240 + 2 x 8 x 128)) and
    # SSM (128 x 10240) state; the 25 MLP-only and 4 attention layers keep none.
    ("nemotron-nano-9b-v2", 138.8,
     "Memory efficiency: 64MB KV cache + 138.8MB RS buffer + 16.56GB model weights",
     "llama-server run of nvidia/NVIDIA-Nemotron-Nano-9B-v2 (-c 2048), reported in the 'Complete "
     "Implementation Guide: Nemotron-H Support in llama.cpp' of the fork github.com/jwjohns/llama.cpp "
     "(branch feature/nemotron-h-support-working); only the RS figure is used, the KV figure came "
     "from that fork's own layer filter"),
]  # fmt: skip


@pytest.mark.parametrize(("model_id", "logged_mib", "line", "source"), STATE_CASES)
def test_recurrent_state_matches_the_load_log(
    catalog: Catalog, model_id: str, logged_mib: float, line: str, source: str
) -> None:
    model = catalog.model(model_id)
    assert model.linear_state_mib == pytest.approx(logged_mib, abs=0.01), (line, source)
    short = kv_cache_bytes(model, Workload(context=4096))
    long = kv_cache_bytes(model, Workload(context=8192))
    per_token_attention = (long - short) / 4096
    assert short == pytest.approx(per_token_attention * 4096 + model.linear_state_mib * MIB)  # the state stays fixed


GPT_OSS_SOURCE = "llama-server log of gpt-oss-20b, CUDA, n_ctx 131072, n_ubatch 512 (freq_base 150000, scale 0.03125)"


def test_gpt_oss_full_attention_layers_match_the_load_log(catalog: Catalog) -> None:
    # "llama_kv_cache: size = 3072.00 MiB (131072 cells, 12 layers, 1/1 seqs), K (f16): 1536.00 MiB"
    model = catalog.model("gpt-oss-20b")
    per_token = 2 * model.n_kv_heads * model.head_dim * 2  # f16 K and V
    assert model.n_full_attn_layers * per_token * 131072 / MIB == pytest.approx(3072.0), GPT_OSS_SOURCE


def test_gpt_oss_sliding_window_layers_match_the_load_log(catalog: Catalog) -> None:
    # "llama_kv_cache_iswa: creating     SWA KV cache, size = 768 cells"
    # "llama_kv_cache: size =   18.00 MiB (   768 cells,  12 layers,  1/1 seqs), K (f16):    9.00 MiB"
    model = catalog.model("gpt-oss-20b")
    total = kv_cache_bytes(model, Workload(context=131072)) / MIB
    assert total == pytest.approx(3072.0 + 18.0), GPT_OSS_SOURCE
