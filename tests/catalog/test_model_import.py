"""Model rows from config.json and GGUF metadata; bad files are clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest

from planner.catalog.model_import import model_from_config_json, model_from_gguf
from planner.catalog.store import Catalog
from planner.catalog.user_catalog import UserCatalog, custom_gpu_row
from planner.catalog.userdb import UserDatabase
from planner.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
LLAMA_31_8B = {
    "_name_or_path": "meta-llama/Llama-3.1-8B-Instruct",
    "model_type": "llama",
    "num_hidden_layers": 32,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "max_position_embeddings": 131072,
    "tie_word_embeddings": False,
}
MIXTRAL = {
    "model_type": "mixtral",
    "num_hidden_layers": 32,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 32000,
    "max_position_embeddings": 32768,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
}


def write_tiny_gguf(path: Path, name: str = "Tiny Llama", tied: bool = False) -> Path:
    """A valid GGUF of a 2-layer, 64-wide llama: metadata plus a few small tensors."""
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_block_count(2)
    writer.add_embedding_length(64)
    writer.add_feed_forward_length(128)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_context_length(2048)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_token_list([f"t{i}" for i in range(100)])
    writer.add_tensor("token_embd.weight", np.zeros((100, 64), dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight", np.zeros((64, 64), dtype=np.float32))
    if not tied:
        writer.add_tensor("output.weight", np.zeros((100, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_llama_config_matches_the_catalog_row(catalog: Catalog) -> None:
    row = model_from_config_json(LLAMA_31_8B)
    shipped = catalog.model_rows["llama-3.1-8b"]
    for key in ("n_layers", "hidden_size", "intermediate_size", "n_heads", "n_kv_heads", "head_dim", "vocab_size"):
        assert row[key] == shipped[key], key
    assert row["params_total_b"] == pytest.approx(shipped["params_total_b"], rel=0.01)
    assert row["name"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert row["id"].startswith("custom-")


def test_moe_config_counts_active_experts_only() -> None:
    row = model_from_config_json(MIXTRAL, name="Mixtral")
    assert row["n_experts"] == 8 and row["n_experts_active"] == 2
    assert row["params_total_b"] == pytest.approx(46.7, rel=0.02)
    assert row["params_active_b"] == pytest.approx(12.9, rel=0.03)


def test_config_file_and_sliding_window_layer_types(tmp_path: Path) -> None:
    config: dict[str, Any] = {**LLAMA_31_8B, "sliding_window": 4096, "layer_types": ["sliding_attention", "full"] * 16}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    row = model_from_config_json(path)
    assert (row["sliding_window"], row["n_swa_layers"]) == (4096, 16)
    assert row["source_url"] == str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "not valid JSON"), ("[1, 2]", "one JSON object"), ('{"model_type": "x"}', "num_hidden_layers")],
)
def test_bad_config_is_a_clear_input_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        model_from_config_json(path)


def test_gguf_metadata_and_tensor_shapes_make_a_row(tmp_path: Path) -> None:
    steps: list[int] = []
    row = model_from_gguf(write_tiny_gguf(tmp_path / "tiny.gguf"), lambda pct, _text: steps.append(pct))
    assert (row["name"], row["arch"], row["n_layers"], row["hidden_size"]) == ("Tiny Llama", "llama", 2, 64)
    assert (row["n_heads"], row["n_kv_heads"], row["head_dim"], row["vocab_size"]) == (4, 2, 16, 100)
    assert row["intermediate_size"] == 128 and row["max_context"] == 2048
    assert row["params_total_b"] * 1e9 == pytest.approx(100 * 64 * 2 + 64 * 64, abs=1)
    assert row["file_type"] == "F16" and not row["tie_embeddings"]
    assert steps[-1] == 100 and steps == sorted(steps)


def test_gguf_without_output_tensor_is_tied(tmp_path: Path) -> None:
    assert model_from_gguf(write_tiny_gguf(tmp_path / "tied.gguf", tied=True))["tie_embeddings"] == 1


def test_truncated_gguf_is_a_clear_input_error(tmp_path: Path) -> None:
    good = write_tiny_gguf(tmp_path / "tiny.gguf").read_bytes()
    bad = tmp_path / "cut.gguf"
    bad.write_bytes(good[:200])
    with pytest.raises(InputError, match=r"cut\.gguf is not a readable GGUF file"):
        model_from_gguf(bad)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not a gguf at all"])
def test_not_a_gguf_is_a_clear_input_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(InputError, match="not a readable GGUF file"):
        model_from_gguf(path)


def test_gguf_missing_shape_keys_is_a_clear_input_error(tmp_path: Path) -> None:
    writer = gguf.GGUFWriter(tmp_path / "bare.gguf", "llama")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(InputError, match=r"lacks 'llama.block_count'"):
        model_from_gguf(tmp_path / "bare.gguf")


def test_missing_gguf_file_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        model_from_gguf(tmp_path / "nope.gguf")


def test_custom_rows_survive_reopening_the_user_database(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    userdb = UserDatabase(path, ROOT / "db" / "migrations")
    UserCatalog(path).add_gpu(custom_gpu_row("Future GPU 9000", 48, 1800))
    UserCatalog(path).add_model(model_from_config_json(LLAMA_31_8B, name="My Llama"))
    userdb.close()
    reopened = UserDatabase(path, ROOT / "db" / "migrations")
    assert [g["name"] for g in UserCatalog(path).gpus()] == ["Future GPU 9000"]
    assert [(m["name"], m["origin"]) for m in UserCatalog(path).models()] == [("My Llama", "custom")]
    reopened.close()


def test_custom_gpu_needs_positive_figures() -> None:
    with pytest.raises(InputError, match="positive"):
        custom_gpu_row("Broken", 0, 100)
    with pytest.raises(InputError, match="name"):
        custom_gpu_row("  ", 8, 100)
