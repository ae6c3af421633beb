"""Fault injection on model imports: absurd config.json shapes and damaged GGUF headers."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest

from planner.catalog.model_import import model_from_config_json, model_from_gguf
from planner.errors import InputError

LLAMA = {
    "model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096, "intermediate_size": 14336,
    "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 8192,
}  # fmt: skip
MOE = {**LLAMA, "num_local_experts": 8, "num_experts_per_tok": 2}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"num_hidden_layers": 10**12}, "n_layers"),
        ({"num_hidden_layers": 2**32 - 1}, "n_layers"),
        ({"num_hidden_layers": -3}, "n_layers"),
        ({"num_key_value_heads": -8}, "n_kv_heads"),
        ({"num_key_value_heads": 64}, "n_kv_heads"),
        ({"head_dim": 0}, "head_dim"),
        ({"hidden_size": 10**15}, "hidden_size"),
        ({"vocab_size": 1e30}, "vocab_size"),
        ({"num_attention_heads": "32"}, "n_heads"),
        ({"num_attention_heads": 32.5}, "n_heads"),
        ({"max_position_embeddings": -1}, "max_context"),
        ({**MOE, "num_experts_per_tok": 9}, "n_experts_active"),
        ({**MOE, "num_local_experts": 10**9}, "n_experts"),
        ({"hidden_size": float("nan")}, "hidden_size"),
        ({"num_hidden_layers": "many"}, "n_layers"),
        ({"num_hidden_layers": [32]}, "n_layers"),
    ],
)
def test_absurd_config_shapes_are_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as refused:
        model_from_config_json({**LLAMA, **changes})
    message = str(refused.value)
    assert field in message or "wrong type" in message


def test_a_real_shape_still_imports() -> None:
    row = model_from_config_json({**MOE, "_name_or_path": "acme/moe"})
    assert row["n_layers"] == 32 and row["n_experts_active"] == 2


def tiny_gguf(path: Path, **overrides: int) -> Path:
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("Tiny")
    writer.add_block_count(overrides.get("block_count", 2))
    writer.add_embedding_length(64)
    writer.add_feed_forward_length(128)
    writer.add_head_count(overrides.get("head_count", 4))
    writer.add_head_count_kv(2)
    writer.add_context_length(2048)
    if "expert_count" in overrides:
        writer.add_expert_count(overrides["expert_count"])
        writer.add_expert_used_count(overrides["expert_used_count"])
    writer.add_token_list([f"t{i}" for i in range(100)])
    writer.add_tensor("token_embd.weight", np.zeros((100, 64), dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight", np.zeros((64, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"block_count": 2**32 - 1}, "n_layers"),
        ({"head_count": 0}, "n_heads"),
        ({"expert_count": 4, "expert_used_count": 8}, "n_experts_active"),
    ],
)
def test_absurd_gguf_shapes_are_refused(tmp_path: Path, overrides: dict[str, int], field: str) -> None:
    with pytest.raises(InputError, match=field):
        model_from_gguf(tiny_gguf(tmp_path / "bad.gguf", **overrides))


def header_length(data: bytes) -> int:
    """Bytes before the tensor data (the part the importer reads): the writer pads it to 32."""
    return min(len(data), data.find(b"blk.0.attn_q.weight") + 64)


def test_every_damaged_gguf_header_is_a_row_or_a_clear_error(tmp_path: Path) -> None:
    """Seeded single- and double-byte flips over the header (the part the importer reads; every
    length, type code and count lives there): each gives a row or an InputError, nothing else."""
    original = tiny_gguf(tmp_path / "ok.gguf").read_bytes()
    end = header_length(original)
    rng = random.Random(17)
    variants = [[(i, 0xFF)] for i in range(24)]  # magic, version and the two counts, every byte
    variants += [[(rng.randrange(end), rng.randrange(1, 256))] for _ in range(200)]
    variants += [[(rng.randrange(end), rng.randrange(1, 256)) for _ in range(2)] for _ in range(200)]
    outcomes = {"row": 0, "refused": 0}
    target = tmp_path / "damaged.gguf"
    for flips in variants:
        data = bytearray(original)
        for offset, mask in flips:
            data[offset] ^= mask
        target.write_bytes(bytes(data))
        try:
            model_from_gguf(target)
        except InputError:
            outcomes["refused"] += 1
        else:
            outcomes["row"] += 1
    assert outcomes["refused"] > 0 and sum(outcomes.values()) == len(variants)


def test_a_config_file_nested_too_deeply_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(InputError, match="nested too deeply"):
        model_from_config_json(path)


def test_a_config_file_with_nan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**LLAMA, "hidden_size": float("inf")}))
    with pytest.raises(InputError, match="hidden_size"):
        model_from_config_json(path)
