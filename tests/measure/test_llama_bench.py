"""llama-bench through a fake executable replaying llama.cpp's recorded `-o json` output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from planner.catalog.store import Catalog
from planner.measure.common import MeasurementCancelled, MeasurementError
from planner.measure.llama_bench import (
    BenchSettings,
    bench_command,
    find_gguf_files,
    find_llama_bench,
    measure_llama_bench,
    parse_bench_json,
    to_measurements,
)

FAKES = Path(__file__).resolve().parents[1] / "fixtures" / "measure"
RECORDED = Path(__file__).resolve().parents[1] / "data" / "measure" / "llama_bench_rtx4080.json"


def test_recorded_results_become_measurements_with_settings_and_build(catalog: Catalog) -> None:
    rows = to_measurements(parse_bench_json(RECORDED.read_text()), catalog)
    pp, tg = rows
    assert (pp.test, pp.tokens_per_s, pp.n_prompt) == ("pp512", 7100.002, 512)
    assert (tg.test, tg.tokens_per_s, tg.n_gen) == ("tg128", 118.882, 128)
    assert tg.model_id == "qwen2.5-7b" and tg.quant == "Q4_K_M"
    assert tg.backend == "cuda" and tg.device == "NVIDIA GeForce RTX 4080" and tg.n_gpus == 1
    assert tg.llama_build == "8cf427ff (5163)"
    assert tg.settings["n_gpu_layers"] == 99 and tg.settings["type_k"] == "f16"
    assert tg.settings["flash_attn"] is False
    assert tg.measured_at == "2025-04-24T11:58:51Z"
    assert "-ngl 99" in tg.settings_text()


def test_the_command_carries_the_planners_settings(tmp_path: Path) -> None:
    settings = BenchSettings(prompt=1024, gen=64, depths=(0, 4096), gpu_layers=30, n_cpu_moe=8,
                             flash_attn=True, cache_type_k="q8_0", cache_type_v="q8_0")  # fmt: skip
    cmd = bench_command(Path("llama-bench"), tmp_path / "m.gguf", settings)
    joined = " ".join(cmd)
    for part in ("-o json", "-p 1024", "-n 64", "-d 0,4096", "-ngl 30", "--n-cpu-moe 8", "-fa 1",
                 "-ctk q8_0", "-ctv q8_0"):  # fmt: skip
        assert part in joined
    assert settings.tests == 4


def test_a_run_through_the_fake_binary(catalog: Catalog, gguf: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    args_file = tmp_path / "args.json"
    monkeypatch.setenv("FAKE_BENCH_ARGS", str(args_file))
    progress: list[tuple[int, str]] = []
    binary = FAKES / "llama-bench"
    rows = measure_llama_bench(gguf, catalog, binary=binary, progress=lambda p, t: progress.append((p, t)))
    assert [r.test for r in rows] == ["pp512", "tg128"]
    args = json.loads(args_file.read_text())
    assert args[args.index("-m") + 1] == str(gguf) and "--progress" in args
    assert progress[-1] == (100, "done")


def test_a_hanging_llama_bench_times_out(catalog: Catalog, gguf: Path) -> None:
    with pytest.raises(MeasurementError, match="timed out after 1 s; nothing was stored"):
        measure_llama_bench(gguf, catalog, binary=FAKES / "llama-bench-hangs", timeout_s=1)


def test_cancel_kills_the_run(catalog: Catalog, gguf: Path) -> None:
    calls = iter(range(1000))
    with pytest.raises(MeasurementCancelled):
        measure_llama_bench(gguf, catalog, binary=FAKES / "llama-bench-hangs", cancelled=lambda: next(calls) > 3)


def test_a_failed_run_says_what_llama_bench_said(catalog: Catalog, gguf: Path) -> None:
    with pytest.raises(MeasurementError, match=r"(?s)exit code 1.*failed to load model"):
        measure_llama_bench(gguf, catalog, binary=FAKES / "llama-bench-fails")


def test_no_llama_bench_anywhere_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(MeasurementError, match="no llama-bench found on PATH"):
        find_llama_bench()


def test_llama_bench_is_found_on_path_or_in_the_users_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(FAKES))
    assert find_llama_bench() == FAKES / "llama-bench"
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert find_llama_bench(user_folder=FAKES) == FAKES / "llama-bench"


def test_a_binary_that_is_not_executable_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "llama-bench"
    text.write_text("not a program")
    os.chmod(text, 0o644)
    with pytest.raises(MeasurementError, match="not an executable"):
        find_llama_bench(text)


@pytest.mark.parametrize("output", ["", "[", "[]", '[{"n_prompt": 512}]', "{"])
def test_output_without_results_is_refused(output: str) -> None:
    with pytest.raises(MeasurementError):
        parse_bench_json(output)


def test_ggufs_already_on_the_pc_are_found_largest_first(tmp_path: Path) -> None:
    lmstudio = tmp_path / "lmstudio" / "Qwen" / "Qwen2.5-7B-GGUF"
    lmstudio.mkdir(parents=True)
    (lmstudio / "qwen2.5-7b-q4_k_m.gguf").write_bytes(b"x" * 300)
    (lmstudio / "mmproj-f16.gguf").write_bytes(b"x" * 900)  # a vision projector, not a model
    (lmstudio / "big-00001-of-00002.gguf").write_bytes(b"x" * 600)
    (lmstudio / "big-00002-of-00002.gguf").write_bytes(b"x" * 600)
    found = find_gguf_files([tmp_path / "lmstudio", tmp_path / "missing"])
    assert [p.name for p in found] == ["big-00001-of-00002.gguf", "qwen2.5-7b-q4_k_m.gguf"]
