"""GGUF files already on the PC: each tool's layout, and damaged files on a line of their own."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import gguf
import numpy as np
import pytest

from planner.catalog.builds import build_from_spec
from planner.catalog.store import Catalog
from planner.cli import main
from planner.hardware.local_fit import fit_on
from planner.hardware.local_models import scan


def write_gguf(path: Path, name: str, file_type: gguf.LlamaFileType = gguf.LlamaFileType.MOSTLY_F16) -> Path:
    """A small valid GGUF: a 2-layer, 64-wide llama written with gguf's own writer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_block_count(2)
    writer.add_embedding_length(64)
    writer.add_feed_forward_length(128)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_context_length(4096)
    writer.add_file_type(file_type)
    writer.add_token_list([f"t{i}" for i in range(100)])
    writer.add_tensor("token_embd.weight", np.zeros((100, 64), dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight", np.zeros((64, 64), dtype=np.float32))
    writer.add_tensor("output.weight", np.zeros((100, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture
def fake_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    # Ollama: a manifest names the model layer by digest; the blob holds the GGUF
    blob_source = write_gguf(tmp_path / "staging" / "q.gguf", "Qwen3 8B", gguf.LlamaFileType.MOSTLY_Q4_K_M)
    data = blob_source.read_bytes()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs = home / ".ollama" / "models" / "blobs"
    blobs.mkdir(parents=True)
    (blobs / digest.replace(":", "-")).write_bytes(data)
    manifest = home / ".ollama/models/manifests/registry.ollama.ai/library/qwen3/8b"
    manifest.parent.mkdir(parents=True)
    layers = [
        {"mediaType": "application/vnd.ollama.image.model", "digest": digest, "size": len(data)},
        {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:00", "size": 10},
    ]
    manifest.write_text(json.dumps({"schemaVersion": 2, "layers": layers}), encoding="utf-8")
    # LM Studio: publisher / repo / file
    write_gguf(home / ".lmstudio/models/lmstudio-community/Mistral-7B-GGUF/mistral-7b-Q8_0.gguf", "Mistral 7B")
    # Hugging Face cache: snapshots link to blobs
    snap = home / ".cache/huggingface/hub/models--bartowski--Phi-4-GGUF/snapshots/abc123"
    real = write_gguf(home / ".cache/huggingface/hub/models--bartowski--Phi-4-GGUF/blobs/deadbeef", "Phi 4")
    snap.mkdir(parents=True)
    (snap / "phi-4-Q5_K_M.gguf").symlink_to(real)
    # llama.cpp's cache, and a file cut short in it
    cache = tmp_path / "llama-cache"
    good = write_gguf(cache / "ggml-org_gemma-3-1b-it-GGUF_gemma-3-1b-it-Q4_K_M.gguf", "Gemma 3 1B")
    (cache / "partial-download.gguf").write_bytes(good.read_bytes()[:-100])
    # a folder the user adds
    write_gguf(tmp_path / "my-models" / "llama-3.2-1b.gguf", "Llama 3.2 1B")
    return home


def env_for(fake_home: Path) -> dict[str, str]:
    return {"LLAMA_CACHE": str(fake_home.parent / "llama-cache")}


def test_every_layout_is_found_with_its_source_and_name(fake_home: Path) -> None:
    models = scan([fake_home.parent / "my-models"], env=env_for(fake_home), home=fake_home)
    by_source = {m.source: m for m in models if m.readable}
    assert set(by_source) == {"ollama", "lmstudio", "hf-cache", "llama.cpp", "folder"}
    assert by_source["ollama"].tag == "qwen3:8b"
    assert by_source["ollama"].quant == "Q4_K_M"
    assert by_source["hf-cache"].name == "Phi 4"
    assert by_source["lmstudio"].architecture == "llama"
    assert all(m.context == 4096 and m.size_gib > 0 for m in by_source.values())


def test_a_truncated_file_gets_its_own_line_and_the_scan_goes_on(fake_home: Path) -> None:
    models = scan([fake_home.parent / "my-models"], env=env_for(fake_home), home=fake_home)
    damaged = [m for m in models if not m.readable]
    assert [Path(m.path).name for m in damaged] == ["partial-download.gguf"]
    assert "damaged or partial" in damaged[0].error
    assert len(models) == 6


def test_cancel_stops_the_scan(fake_home: Path) -> None:
    assert scan(env=env_for(fake_home), home=fake_home, cancelled=lambda: True) == []


def test_fit_uses_the_catalog_shape_when_the_tag_names_a_known_model(fake_home: Path, catalog: Catalog) -> None:
    ollama = next(m for m in scan(env=env_for(fake_home), home=fake_home) if m.source == "ollama")
    spec = {"name": "3090", "gpus": [{"gpu": "rtx-3090", "count": 1}], "cpu": "ryzen-7-5800x", "ram_gb": 64}
    fit = fit_on(ollama, build_from_spec(catalog, spec), catalog)
    assert fit is not None and fit.model_id == "qwen3-8b"
    assert fit.fit == "gpu" and fit.gen_tok_s and fit.context == 4096


def test_cli_lists_the_files_as_json(
    fake_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(fake_home))
    monkeypatch.setenv("LLAMA_CACHE", str(fake_home.parent / "llama-cache"))
    for var in ("OLLAMA_MODELS", "HF_HOME", "HF_HUB_CACHE"):
        monkeypatch.delenv(var, raising=False)
    assert main(["models", "local", "--path", str(fake_home.parent / "my-models"), "--no-fit", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["source"] for r in rows} == {"ollama", "lmstudio", "hf-cache", "llama.cpp", "folder"}
    assert all({"path", "source", "name", "quant", "size_gib", "fit"} <= set(r) for r in rows)
