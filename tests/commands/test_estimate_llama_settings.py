"""`planner estimate` with llama.cpp's settings: flags, batch keys, JSON and errors (issue contract)."""

from __future__ import annotations

import io
import json
import shlex

import pytest

from planner.cli import main
from planner.core.llama_command import parse_llama_command

OSS = ["--gpu", "RTX 3060 12GB", "--ram-gb", "64", "--model", "gpt-oss-120b", "--quant", "MXFP4"]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["estimate", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_reports_every_resolved_setting_and_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, *OSS, "-c", "16384", "--n-cpu-moe", "30", "-ctk", "q8_0", "-ctv", "q4_0", "-t", "12")
    settings = result["settings"]
    assert settings["n_cpu_moe"] == 30 and settings["context"] == 16384
    assert (settings["cache_type_k"], settings["cache_type_v"]) == ("q8_0", "q4_0")
    assert settings["threads"] == 12 and settings["flash_attn"] == "on" and isinstance(settings["gpu_layers"], int)
    assert set(result["commands"]) >= {"llama_server", "llama_cli", "ollama"}
    assert all(k in result["memory"]["per_device"][0] for k in ("weights_gib", "kv_cache_gib", "overhead_gib"))


def test_the_printed_server_command_parses_back_into_the_reported_settings(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, *OSS, "--n-cpu-moe", "20", "-ub", "2048", "-np", "2", "-c", "8192", "--no-mmap")
    parsed, model_file = parse_llama_command(result["commands"]["llama_server"])
    assert parsed.to_dict() == result["settings"]
    assert model_file and model_file.endswith(".gguf")
    assert shlex.split(result["commands"]["llama_cli"])[0] == "llama-cli"


def test_ik_llama_cpp_prints_its_flash_attention_switch(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, *OSS, "--engine", "ik_llama.cpp", "--cpu-moe")
    assert result["settings"]["engine"] == "ik_llama.cpp"
    assert " -fa " in result["commands"]["llama_server"] + " " and "-fa on" not in result["commands"]["llama_server"]


def test_file_size_sets_the_weights_of_a_dynamic_mix(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--gpu", "RTX 4090", "--ram-gb", "256", "--model", "deepseek-r1", "--quant", "Q2_K", "--cpu-moe"]
    result = run_json(capsys, *args, "--file-size-gib", "212.0")
    assert result["memory"]["weights_gib"] == pytest.approx(212.0, abs=0.01)


def test_ram_speed_and_channels_set_the_bandwidth(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--gpu", "RTX 3090", "--cpu", "EPYC 9654", "--ram-gb", "384", "--model", "llama-3-70b", "--quant", "Q8_0"]
    slow = run_json(capsys, *base, "--ram-channels", "2", "--ram-mts", "4800")
    fast = run_json(capsys, *base, "--ram-channels", "12", "--ram-mts", "4800")
    assert fast["decode_tok_s"] > slow["decode_tok_s"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "--n-cpu-moe", "4"], "dense"),
        (["--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "--gpu-layers", "99"], "more than"),
        (["--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "-fa", "off", "-ctv", "q8_0"], "flash"),
        (["--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "--ram-channels", "0"], "ram-channels"),
        (["--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "--file-size-gib", "-3"], "file-size"),
        (["--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "-np", "0"], "parallel"),
    ],
)
def test_settings_that_make_no_sense_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(["estimate", *argv]) == 2
    err = capsys.readouterr().err
    assert "planner: error:" in err and message in err


def test_a_cache_type_llama_cpp_lacks_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["estimate", "--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "-ctk", "q3_k"])
    assert exit_info.value.code == 2
    assert "q3_k" in capsys.readouterr().err


def test_batch_keys_are_the_long_names_and_a_bad_line_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {"gpu": "RTX 4090", "model": "qwen3-30b-a3b", "quant": "Q4_K_M", "n_cpu_moe": 10, "cache_type_k": "q8_0"}
    bad = {"gpu": "RTX 4090", "model": "llama-3-8b", "quant": "Q4_K_M", "cpu_moe": True}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(good) + "\n" + json.dumps(bad) + "\n"))
    assert main(["estimate", "--batch", "-"]) == 2
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["settings"]["n_cpu_moe"] == 10 and first["settings"]["cache_type_k"] == "q8_0"
    assert "dense" in second["error"]


def test_kv_cache_stays_a_shorthand_for_both(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, "--gpu", "RTX 4090", "--model", "llama-3-8b", "--quant", "Q4_K_M", "--kv-cache", "q8_0")
    assert (result["settings"]["cache_type_k"], result["settings"]["cache_type_v"]) == ("q8_0", "q8_0")


def test_tensor_split_sets_the_layers_per_gpu(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--gpu", "RTX 3090", "--gpus", "2", "--model", "llama-3-8b", "--quant", "Q4_K_M"]
    even = run_json(capsys, *args)
    skewed = run_json(capsys, *args, "-ts", "3,1")
    assert [d["layers"] for d in even["memory"]["per_device"]] == [16, 16]
    assert [d["layers"] for d in skewed["memory"]["per_device"]] == [24, 8]
    assert "-ts 3,1" in skewed["commands"]["llama_server"]


def test_a_16_gb_card_holds_llama_3_8b_f16_at_4k(capsys: pytest.CaptureFixture[str]) -> None:
    """Binary VRAM: public measurements run it fully on a 16 GB card; the planner agrees."""
    result = run_json(capsys, "--gpu", "RTX 4080", "--model", "llama-3-8b", "--quant", "F16", "-c", "4096")
    assert result["fit"] == "gpu"
    assert result["memory"]["per_device"][0]["capacity_gib"] == 16.0


def test_experts_in_ram_run_gpt_oss_120b_on_a_3060_with_64_gb(capsys: pytest.CaptureFixture[str]) -> None:
    args = [*OSS, "--cpu", "Ryzen 9 9950X", "-c", "16384"]
    whole_layers = run_json(capsys, *args)
    experts = run_json(capsys, *args, "--n-cpu-moe", "30")
    assert experts["gpu_layers"] == experts["total_layers"] == 36
    assert experts["memory"]["expert_layers_in_ram"] == 30
    assert experts["decode_tok_s"] > whole_layers["decode_tok_s"]
    device = experts["memory"]["per_device"][0]
    assert device["used_gib"] <= device["capacity_gib"]


def test_best_reports_its_choice_the_runner_up_and_commands_that_match(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, *OSS, "--cpu", "Ryzen 9 9950X", "-c", "16384", "--best")
    best = result["best"]
    assert best["objective"] == "speed" and best["runner_up"]["decode_tok_s"] <= best["decode_tok_s"]
    assert result["fit"] != "none" and result["gpu_layers"] == result["total_layers"]
    parsed, _ = parse_llama_command(result["commands"]["llama_server"])
    assert parsed.to_dict() == result["settings"]
    assert result["settings"]["context"] == 16384  # a context the user set is kept


def test_best_context_runs_the_longest_context_it_found(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, *OSS, "--cpu", "Ryzen 9 9950X", "--best", "context")
    assert result["settings"]["context"] == result["best"]["max_context"] > 4096
    assert f"-c {result['best']['max_context']}" in result["commands"]["llama_server"]
