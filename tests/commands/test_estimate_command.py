"""`planner estimate`: the contract the acceptance check uses."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from planner.cli import main

REQUIRED = {
    "fit", "memory", "gpu_layers", "total_layers", "max_context_on_gpu", "decode_tok_s",
    "decode_tok_s_range", "prefill_tok_s", "prefill_tok_s_range", "power_w", "hardware_usd",
    "usd_per_mtok", "measured",
}  # fmt: skip


def estimate_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["estimate", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    result = estimate_json(capsys, "--gpu", "RTX 3090", "--model", "Meta-Llama-3-8B", "--quant", "Q4_K_M")
    assert set(result) >= REQUIRED
    assert {"weights_gib", "kv_cache_gib", "overhead_gib", "total_gib", "gpu_capacity_gib"} <= set(result["memory"])
    assert result["fit"] == "gpu"
    assert result["measured"] and all(m["source_url"].startswith("https://") for m in result["measured"])


def test_seventy_b_on_one_3090_offloads_partially(capsys: pytest.CaptureFixture[str]) -> None:
    result = estimate_json(capsys, "--gpu", "RTX 3090", "--model", "llama-3-70b", "--quant", "Q4_K_M", "--ram-gb", "64")
    assert result["fit"] == "partial"
    assert 0 < result["gpu_layers"] < result["total_layers"] == 80


def test_two_gpus_hold_what_one_cannot(capsys: pytest.CaptureFixture[str]) -> None:
    result = estimate_json(capsys, "--gpu", "RTX 3090", "--gpus", "2", "--model", "llama-3-70b", "--quant", "Q4_K_M")
    assert result["fit"] == "gpu"


def test_presets_estimate(capsys: pytest.CaptureFixture[str]) -> None:
    result = estimate_json(capsys, "--preset", "8x H200", "--model", "deepseek-v3", "--quant", "Q4_K_M")
    assert result["fit"] == "gpu" and result["hardware_usd"] == 325000


def test_build_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = tmp_path / "box.json"
    build.write_text(json.dumps({"name": "Box", "gpus": [{"gpu": "RTX 4090", "count": 1}], "cpu": "5800X"}))
    result = estimate_json(capsys, "--build", str(build), "--model", "qwen2.5-7b", "--quant", "Q8_0")
    assert result["build"] == "Box" and result["fit"] == "gpu"


def test_longer_depth_is_slower(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "--context", "16384"]
    shallow = estimate_json(capsys, *args)
    deep = estimate_json(capsys, *args, "--depth", "16000")
    assert deep["decode_tok_s"] < shallow["decode_tok_s"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--gpu", "RTX 9999", "--model", "llama-3-8b", "--quant", "Q4_K_M"],
        ["--gpu", "RTX 3090", "--model", "llama-9-8b", "--quant", "Q4_K_M"],
        ["--gpu", "RTX 3090", "--model", "llama-3-8b", "--quant", "Q9_K"],
        ["--gpu", "RTX 3090", "--model", "llama-3-8b", "--quant", "MXFP4"],
        ["--gpu", "RTX 3090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "--context", "-5"],
        ["--gpu", "RTX 3090", "--gpus", "0", "--model", "llama-3-8b", "--quant", "Q4_K_M"],
        ["--gpu", "NVIDIA GeForce RTX 3060", "--model", "llama-3-8b", "--quant", "Q4_K_M"],
        ["--build", "/nonexistent/build.json", "--model", "llama-3-8b", "--quant", "Q4_K_M"],
        [
            "--gpu",
            "RTX 3090",
            "--model",
            "llama-3-8b",
            "--quant",
            "Q4_K_M",
            "--kv-cache",
            "q8_0",
            "--flash-attn",
            "off",
        ],
    ],
)
def test_bad_input_exits_2_with_a_message(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(["estimate", *argv]) == 2
    assert "planner: error:" in capsys.readouterr().err


def test_batch_answers_every_line_in_order(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        {"gpu": "RTX 4090", "model": "llama-3-8b", "quant": "Q4_K_M"},
        {"gpu": "RTX 9999", "model": "llama-3-8b", "quant": "Q4_K_M"},
        "not json",
        {"preset": "3060 box", "model": "qwen2.5-7b", "quant": "Q4_K_M", "kv-cache": "q8_0"},
    ]
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["estimate", "--batch", "-"]) == 2  # some lines failed: the exit code says so
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert len(out) == 4
    assert out[0]["fit"] == "gpu" and "error" in out[1] and "error" in out[2]
    assert [out[1]["line"], out[2]["line"]] == [2, 3] and "line(s) of - failed: 2, 3" in captured.err
    assert out[3]["kv_cache"] == "q8_0"


def test_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--gpu", "Apple M3 Max (40-core GPU)", "--model", "llama-3-8b", "--quant", "Q4_K_M"]) == 0
    out = capsys.readouterr().out
    assert "fit:" in out and "generation:" in out and "metal" in out


def test_unified_memory_share_is_adjustable(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--gpu", "Apple M3 Max (40-core GPU)", "--memory-gb", "64", "--model", "llama-3-8b", "--quant", "Q4_K_M"]
    default = estimate_json(capsys, *args)
    raised = estimate_json(capsys, *args, "--gpu-memory-fraction", "0.9")
    # Apple's "64 GB" is 64 GiB.
    assert default["memory"]["gpu_capacity_gib"] == pytest.approx(64 * 0.75, rel=0.01)
    assert raised["memory"]["gpu_capacity_gib"] == pytest.approx(64 * 0.9, rel=0.01)


def test_flash_attention_is_a_setting_llama_cpp_defaults_to_auto(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "--context", "32768"]
    default = estimate_json(capsys, *args)
    off = estimate_json(capsys, *args, "--flash-attn", "off")
    on = estimate_json(capsys, *args, "--flash-attn", "on")
    assert default["flash_attn"] == "auto" and off["flash_attn"] == "off"
    assert any("--flash-attn auto" in a for a in default["assumptions"])
    assert any("flash attention off" in a for a in off["assumptions"])
    # without it llama.cpp keeps one layer's f32 attention scores: 32768 x 512 x 32 heads x 4 B = 2 GiB more
    # (less the ~0.1 GiB by which the logits, the output GPU's peak with flash attention, exceed a layer's)
    assert off["memory"]["overhead_gib"] - on["memory"]["overhead_gib"] == pytest.approx(2.0, abs=0.1)
    assert on["memory"] == default["memory"] and on["decode_tok_s"] == default["decode_tok_s"]
