"""llama.cpp command lines: printed settings parse back into the same settings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.core.llama_command import (
    canonical,
    llama_cli_command,
    llama_server_command,
    parse_llama_command,
)
from planner.core.llama_settings import CACHE_TYPE_BYTES, UNQUANTIZED_CACHE, LlamaSettings, settings_from_request
from planner.core.ollama_command import ollama_command
from planner.errors import InputError


@st.composite
def settings_strategy(draw: st.DrawFn) -> LlamaSettings:
    flash = draw(st.sampled_from(["on", "off", "auto"]))
    v_types = list(UNQUANTIZED_CACHE) if flash == "off" else list(CACHE_TYPE_BYTES)
    parallel = draw(st.integers(1, 8))
    cpu_moe = draw(st.booleans())
    return LlamaSettings(
        engine=draw(st.sampled_from(["llama.cpp", "ik_llama.cpp"])),
        gpu_layers=draw(st.none() | st.integers(0, 200)),
        n_cpu_moe=0 if cpu_moe else draw(st.integers(0, 94)),
        cpu_moe=cpu_moe,
        tensor_split=tuple(draw(st.lists(st.integers(1, 9).map(float), max_size=4))),
        context=draw(st.integers(parallel, 262_144)),
        ubatch=draw(st.sampled_from([128, 256, 512, 1024, 2048, 4096])),
        batch=draw(st.sampled_from([512, 2048, 4096, 8192])),
        flash_attn=flash,
        cache_type_k=draw(st.sampled_from(list(CACHE_TYPE_BYTES))),
        cache_type_v=draw(st.sampled_from(v_types)),
        parallel=parallel,
        threads=draw(st.none() | st.integers(1, 256)),
        mmap=draw(st.booleans()),
    )


@given(settings_strategy())
def test_server_command_parses_back_into_the_same_settings(settings: LlamaSettings) -> None:
    line = llama_server_command(settings, "model.gguf")
    parsed, model = parse_llama_command(line, engine=settings.engine)
    expected = canonical(settings)
    if expected.gpu_layers is None:  # "all layers" is printed as -ngl 999
        parsed = parsed.with_(gpu_layers=None) if parsed.gpu_layers == 999 else parsed
    assert parsed == expected
    assert model == "model.gguf"


@given(settings_strategy())
def test_cli_command_is_the_server_command_with_one_slot(settings: LlamaSettings) -> None:
    parsed, _ = parse_llama_command(llama_cli_command(settings, "m.gguf"), engine=settings.engine)
    assert parsed.parallel == 1
    assert parsed.context == settings.context


def test_reads_a_real_command_with_long_options_and_unknown_flags() -> None:
    # g0t4's command from llama.cpp PR #15077 (2025-08-07), with an explicit context added.
    line = (
        "llama-server -hf ggml-org/gpt-oss-120b-GGUF --ctx-size 8192 --jinja --flash-attn "
        "--n-gpu-layers 99 --reasoning-format none --n-cpu-moe 3"
    )
    settings, model = parse_llama_command(line)
    assert (settings.context, settings.gpu_layers, settings.n_cpu_moe, settings.flash_attn) == (8192, 99, 3, "on")
    assert model == "ggml-org/gpt-oss-120b-GGUF"


def test_expert_overrides_read_as_cpu_moe_and_n_cpu_moe() -> None:
    assert parse_llama_command("llama-server -m x.gguf -ot exps=CPU")[0].cpu_moe
    line = r"llama-server -m x.gguf -ot 'blk\.(0|1|2|3)\.ffn_.*_exps=CPU'"
    assert parse_llama_command(line)[0].n_cpu_moe == 4


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("llama-server -ctk q3_k", "not a cache type llama.cpp has"),
        ("llama-server -fa off -ctv q8_0", "needs flash attention"),
        ("llama-server -ngl many", "whole number"),
        ("llama-server -c", "needs a value"),
        (r"llama-server -ot 'blk\.1[0-9]\.attn=CPU'", "only experts-to-CPU"),
    ],
)
def test_bad_command_lines_say_what_is_wrong(line: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_llama_command(line)


def test_kv_cache_is_shorthand_for_both_types_and_explicit_types_win() -> None:
    s = settings_from_request({"kv_cache": "q8_0", "cache_type_v": "q4_0"})
    assert (s.cache_type_k, s.cache_type_v) == ("q8_0", "q4_0")


def test_settings_that_make_no_sense_for_the_model_are_errors() -> None:
    with pytest.raises(InputError, match="dense"):
        LlamaSettings(n_cpu_moe=4).check_for_model(32, is_moe=False, n_gpus=1)
    with pytest.raises(InputError, match="more than the model has"):
        LlamaSettings(gpu_layers=50).check_for_model(32, is_moe=False, n_gpus=1)
    LlamaSettings(gpu_layers=33).check_for_model(32, is_moe=False, n_gpus=1)


def test_ollama_gets_one_kv_type_slots_and_whole_layers() -> None:
    s = LlamaSettings(context=16384, parallel=2, cache_type_k="q8_0", cache_type_v="q8_0", n_cpu_moe=10)
    cmd = ollama_command(s, "gpt-oss:120b", whole_gpu_layers=20)
    assert "OLLAMA_KV_CACHE_TYPE=q8_0" in cmd.text and "OLLAMA_NUM_PARALLEL=2" in cmd.text
    assert "num_ctx 8192" in cmd.text and "num_gpu 20" in cmd.text
    assert any("whole layers" in n for n in cmd.notes)
    mixed = ollama_command(LlamaSettings(cache_type_k="q8_0", cache_type_v="q4_1"), "x", None)
    assert "OLLAMA_KV_CACHE_TYPE=q8_0" in mixed.text and mixed.notes
