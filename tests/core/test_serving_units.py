"""Unit consistency: each source family's numbers converted the way serving_measurements.md says."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from planner.core.serving_units import batched_bench_decode_tok_s, normalise
from planner.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_trt_llm_developer_guide_is_per_gpu() -> None:
    # row 100: 4x B200, DeepSeek-R1, 6463 tokens/s/GPU -> the whole 4-GPU setup
    assert normalise("output tok/s per GPU", "tokens/s/GPU", 6463, 4, 1000, 1000) == ("output_tok_s", 6463 * 4)


def test_trt_llm_perf_overview_is_the_whole_tp_group() -> None:
    # row 155: 2x H200, Llama 3.1 70B, 4572.03 tokens/s for the TP group: unchanged
    assert normalise("output tok/s aggregate", "tokens/s", 4572.03, 2, 1000, 1000) == ("output_tok_s", 4572.03)


def test_sglang_large_scale_blog_is_per_8_gpu_node() -> None:
    # row 201: 72 H100 (9 nodes), 22282 tokens/s per node -> 9 nodes
    metric, value = normalise("output tok/s per node", "tokens/s/node (8 GPUs)", 22282, 72, 2000, None)
    assert metric == "output_tok_s" and value == pytest.approx(22282 * 9)


def test_dstack_offline_total_tokens_keep_only_the_output_share() -> None:
    # row 410: 2048 in / 2048 out, 224.4 total tok/s (input+output) -> half of it is output
    metric, value = normalise("total tok/s (input+output) aggregate", "tokens/s", 224.3991082, 8, 2048, 2048)
    assert metric == "output_tok_s" and value == pytest.approx(112.1995541)


def test_total_tokens_without_lengths_stay_total() -> None:
    assert normalise("total tok/s (input+output) aggregate", "tokens/s", 100.0, 8, None, None) == ("total_tok_s", 100.0)


def test_mlperf_tokens_per_second_count_generated_tokens() -> None:
    assert normalise("tokens/s (Offline)", "tokens/s", 23514.8, 8, None, None) == ("output_tok_s", 23514.8)


def test_latencies_become_seconds_and_milliseconds() -> None:
    assert normalise("TTFT (avg)", "ms", 406.77, 2, 5000, 500) == ("ttft_s", pytest.approx(0.40677))
    assert normalise("TTFT", "s (unit not labelled in table; seconds implied)", 0.05, 2, 512, 512) == ("ttft_s", 0.05)
    assert normalise("ITL (avg)", "ms", 18.58, 2, 5000, 500) == ("tpot_ms", 18.58)


def test_hosted_per_user_speeds_stay_per_user() -> None:
    assert normalise("per-user output tok/s", "tokens/s/user", 2314, None, None, None) == ("per_user_tok_s", 2314)
    assert (
        normalise("per-request output tok/s (median)", "tokens/s/request", 185, None, 550, 150)[0] == "per_user_tok_s"
    )


def test_per_gpu_without_a_gpu_count_is_kept_per_gpu() -> None:
    assert normalise("tok/s per GPU (as stated)", "tokens/s/GPU", 2200, None, None, None) == (
        "output_tok_s_per_gpu",
        2200,
    )


def test_llama_batched_bench_s_tg_is_decode_only() -> None:
    # llama.cpp PR #3545: B=32, TG=128, T_TG=8.801 s -> S_TG 465.40 tok/s
    assert batched_bench_decode_tok_s(32, 128, 8.801) == pytest.approx(465.40, rel=1e-3)
    with pytest.raises(InputError):
        batched_bench_decode_tok_s(1, 128, 0.0)


def test_vendored_rows_carry_the_conversion_of_their_printed_number() -> None:
    with (ROOT / "db" / "data" / "serving_measurements.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 497
    for row in rows:
        n = int(row["n_devices"]) if row["n_devices"] else None
        lengths = [int(row[k]) if row[k] else None for k in ("input_len", "output_len")]
        metric, value = normalise(
            row["metric_as_printed"], row["unit_as_printed"], float(row["value_as_printed"]), n, *lengths
        )
        assert (metric, float(row["value"])) == (row["metric"], pytest.approx(value, rel=1e-5)), row["row_id"]
        assert row["source_url"].startswith("http")
