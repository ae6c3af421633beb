"""`planner measure ...` and `planner estimate --this-pc`: the contract, and errors exiting 2."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from planner.cli import main
from planner.measure.context import open_store

FAKES = Path(__file__).resolve().parents[1] / "fixtures" / "measure"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "Qwen2.5-7B-Instruct-Q4_K_M.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_measure_ram_json_contract_and_it_is_stored(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, "measure", "ram", "--seconds", "0.3")
    assert isinstance(result, dict)
    assert {"gbs", "theoretical_gbs", "share", "threads"} <= set(result)
    assert result["gbs"] > 0 and result["threads"] >= 1
    stored = open_store().latest_ram()
    assert stored is not None and stored.gbs == result["gbs"]


def test_measure_llama_bench_prints_the_stored_rows(capsys: pytest.CaptureFixture[str], gguf: Path) -> None:
    rows = run_json(capsys, "measure", "llama-bench", "--model", str(gguf), "--binary", str(FAKES / "llama-bench"))
    assert isinstance(rows, list)
    assert [(r["test"], r["tokens_per_s"], r["origin"]) for r in rows] == [
        ("pp512", 7100.002, "this PC"),
        ("tg128", 118.882, "this PC"),
    ]
    assert rows[0]["run_id"] and rows[0]["run_id"] == rows[1]["run_id"]
    assert len(open_store().measurements()) == 2


def test_a_timed_out_run_exits_2_and_stores_nothing(capsys: pytest.CaptureFixture[str], gguf: Path) -> None:
    code = main(["measure", "llama-bench", "--model", str(gguf), "--binary", str(FAKES / "llama-bench-hangs"),
                 "--timeout", "1"])  # fmt: skip
    assert code == 2
    assert "timed out" in capsys.readouterr().err
    assert open_store().measurements() == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["measure", "llama-bench", "--model", "missing.gguf"], "no model file"),
        (["measure", "llama-bench", "--model", "{gguf}", "--binary", "/nonexistent/llama-bench"], "not an executable"),
        (["measure", "ollama", "--url", "{closed}", "--model", "llama3"], "Ollama is not answering"),
        (["measure", "server", "--url", "{closed}"], "llama-server is not answering"),
        (["measure", "export"], "nothing measured on this PC yet"),
        (["measure", "import", "{csv}"], "missing column"),
    ],
)
def test_errors_exit_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], gguf: Path, tmp_path: Path, argv: list[str], message: str
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("a,b\n1,2\n")
    argv = [a.format(gguf=gguf, closed=closed, csv=bad_csv) for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_export_then_import_as_community(capsys: pytest.CaptureFixture[str], gguf: Path, tmp_path: Path) -> None:
    run_json(capsys, "measure", "llama-bench", "--model", str(gguf), "--binary", str(FAKES / "llama-bench"))
    out = tmp_path / "mine.csv"
    assert main(["measure", "export", "-o", str(out)]) == 0
    assert "wrote 2 measurements" in capsys.readouterr().out
    assert out.read_text().startswith("device,source_url,hardware,backend,n_gpus,model,")
    imported = run_json(capsys, "measure", "import", str(out))
    assert isinstance(imported, list) and {r["origin"] for r in imported} == {"community"}
    listed = run_json(capsys, "measure", "list", "--community")
    assert isinstance(listed, list) and len(listed) == 2


def test_estimate_this_pc_lists_this_pcs_measurements(capsys: pytest.CaptureFixture[str], gguf: Path) -> None:
    run_json(capsys, "measure", "llama-bench", "--model", str(gguf), "--binary", str(FAKES / "llama-bench"))
    result = run_json(capsys, "estimate", "--this-pc", "--model", "qwen2.5-7b", "--quant", "Q4_K_M")
    assert isinstance(result, dict)
    assert result["build"] == "This PC"
    mine = [m for m in result["measured"] if m["source"] == "this PC"]
    assert {m["test"] for m in mine} == {"pp512", "tg128"}
    assert result["this_pc"]["generation_factor"] != 1.0
    plain = run_json(capsys, "estimate", "--this-pc", "--unadjusted", "--model", "qwen2.5-7b", "--quant", "Q4_K_M")
    assert isinstance(plain, dict) and plain["decode_tok_s"] == result["this_pc"]["unadjusted_decode_tok_s"]


def test_estimate_this_pc_refuses_other_build_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--this-pc", "--gpu", "RTX 3090", "--model", "qwen2.5-7b", "--quant", "Q4_K_M"]) == 2
    assert "drop --gpu" in capsys.readouterr().err


def test_llama_bench_without_a_model_lists_the_ggufs_found(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "Llama-3.1-8B-Instruct-Q4_K_M.gguf").write_bytes(b"GGUF")
    assert main(["measure", "llama-bench", "--binary", str(FAKES / "llama-bench")]) == 2
    err = capsys.readouterr().err
    assert "give the model with --model" in err and "Llama-3.1-8B-Instruct-Q4_K_M.gguf" in err
