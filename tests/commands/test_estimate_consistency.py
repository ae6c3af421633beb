"""`planner estimate` refuses impossible builds, and prices and defaults match the app's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.core.workload import DEFAULT_CONTEXT
from planner.ui.settings import DEFAULTS


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["estimate", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_an_apple_chip_with_an_rtx_3090_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mac-3090.json"
    path.write_text(json.dumps({"apple_chip": "M3 Max (40-core GPU)", "gpus": [{"gpu": "RTX 3090"}]}))
    code = main(["estimate", "--build", str(path), "--model", "llama-3.1-8b", "--quant", "Q4_K_M"])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot be combined" in err and "RTX 3090" in err


def test_tensor_parallel_over_different_gpus_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mixed.json"
    spec = {"gpus": [{"gpu": "RTX 3090"}, {"gpu": "RTX 4090"}], "split": "tensor"}
    path.write_text(json.dumps(spec))
    assert main(["estimate", "--build", str(path), "--model", "llama-3.1-8b", "--quant", "Q4_K_M"]) == 2
    assert "identical GPUs" in capsys.readouterr().err


def test_cli_and_app_share_one_default_context(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--gpu", "RTX 3090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M")
    assert data["context"] == DEFAULT_CONTEXT == DEFAULTS["default_context"] == 8192


def test_cli_price_covers_the_whole_machine(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--gpu", "RTX 3060", "--model", "llama-3.1-8b", "--quant", "Q4_K_M")
    assert "GPUs (used)" in data["hardware_includes"] and "board/case" in data["hardware_includes"]
    new = run_json(capsys, "--gpu", "RTX 3060", "--prices", "new", "--model", "llama-3.1-8b", "--quant", "Q4_K_M")
    assert new["hardware_usd"] > data["hardware_usd"]


def test_human_output_labels_both_speeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--gpu", "RTX 3090", "--model", "llama-3.1-8b", "--quant", "Q4_K_M"]) == 0
    out = capsys.readouterr().out
    assert "tok/s with an empty context" in out and "tok/s with the context full (8,192 tokens" in out
    assert "hardware:" in out and "estimated" in out and "W while generating" in out
