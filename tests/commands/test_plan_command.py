"""`planner plan`: buying advice and the hardware-floor table from the command line."""

from __future__ import annotations

import json

import pytest

from planner.catalog.userdb import UserDatabase, default_user_db_path
from planner.cli import main
from planner.resources import migrations_dir

RESULT_KEYS = {
    "name", "kind", "fit", "decode_tok_s", "decode_tok_s_range", "prefill_tok_s", "hardware_usd", "power_w",
    "usd_per_mtok", "tok_s_per_1000_usd", "why", "spec",
}  # fmt: skip


def plan_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["plan", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_lists_the_cheapest_builds_first(capsys: pytest.CaptureFixture[str]) -> None:
    plan = plan_json(capsys, "--model", "qwen2.5-32b", "--quant", "Q4_K_M", "--context", "16384", "--min-tok-s", "20")
    assert plan["model"] == "Qwen2.5 32B" and plan["context"] == 16384 and not plan["impossible"]
    results = plan["results"]
    assert 0 < len(results) <= 10 and all(set(r) >= RESULT_KEYS for r in results)
    assert [r["hardware_usd"] for r in results] == sorted(r["hardware_usd"] for r in results)
    assert all(r["decode_tok_s"] >= 20 for r in results)
    assert plan["searched"] > 300 and plan["unpriced"]


def test_every_filter_flag_is_applied(capsys: pytest.CaptureFixture[str]) -> None:
    plan = plan_json(
        capsys, "--model", "llama-3-8b", "--budget", "2500", "--used", "--limit", "5", "--kv-cache", "q8_0",
        "--min-prompt-tok-s", "1000", "--vendor", "NVIDIA", "--vendor", "amd", "--gpu-only", "--max-power-w", "600",
        "--rank", "perf-per-dollar",
    )  # fmt: skip
    assert plan["kv_cache"] == "q8_0" and plan["filters"]["prices"] == "used" and plan["rank"] == "perf-per-dollar"
    assert 0 < len(plan["results"]) <= 5
    for r in plan["results"]:
        assert r["hardware_usd"] <= 2500 and r["power_w"] <= 600 and r["fit"] == "gpu"
        assert r["prefill_tok_s"] >= 1000 and set(r["vendors"]) & {"NVIDIA", "AMD"}
    per_dollar = [r["tok_s_per_1000_usd"] for r in plan["results"]]
    assert per_dollar == sorted(per_dollar, reverse=True)


def test_human_output_shows_fit_speed_price_power_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--model", "llama-3-8b", "--min-tok-s", "40", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "meet every filter" in out and "tok/s" in out and " W" in out and "fit gpu" in out
    assert "meets the 40 tok/s" in out and "no price" in out


def test_an_impossible_target_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--model", "deepseek-v3", "--quant", "Q4_K_M", "--budget", "500"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No build in the catalog runs DeepSeek V3")
    assert "Nearest options:" in out and "cheapest build that runs it at all" in out


def test_saved_builds_are_searched(capsys: pytest.CaptureFixture[str]) -> None:
    database = UserDatabase(default_user_db_path(), migrations_dir())
    database.save_build("My 4090 box", {"gpus": [{"gpu": "RTX 4090", "count": 1}], "cpu": "ryzen-7-5800x"})
    database.close()
    plan = plan_json(capsys, "--model", "llama-3-8b", "--limit", "1000")
    assert any(r["kind"] == "saved" and r["name"] == "My 4090 box" for r in plan["results"])


def test_floor_table(capsys: pytest.CaptureFixture[str]) -> None:
    rows = plan_json(capsys, "--floor")
    assert len(rows) >= 6 and all("verdict" in r and "article_floor" in r for r in rows)
    assert rows[-1]["model"] is None
    assert main(["plan", "--floor"]) == 0
    out = capsys.readouterr().out
    assert "Local hardware floor" in out and "RTX 3060 12GB, Ryzen 5800X" in out and "verdict" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--quant", "Q4_K_M"],
        ["--model", "no-such-model"],
        ["--model", "llama-3-8b", "--budget", "-5"],
        ["--model", "llama-3-8b", "--vendor", "Acme"],
        ["--model", "llama-3-8b", "--context", "0"],
        ["--model", "llama-3-8b", "--quant", "Q9_Z"],
    ],
)
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(["plan", *argv]) == 2
    assert "planner: error:" in capsys.readouterr().err


def test_defaults_match_the_app_reading_speed_and_used_prices(capsys: pytest.CaptureFixture[str]) -> None:
    plan = plan_json(capsys, "--model", "llama-3.3-70b", "--limit", "50")
    assert plan["filters"]["prices"] == "used"
    assert plan["results"] and all(r["decode_tok_s"] >= 10 for r in plan["results"])
    new = plan_json(capsys, "--model", "llama-3.3-70b", "--new", "--min-tok-s", "0", "--limit", "50")
    assert new["filters"]["prices"] == "new" and any(r["decode_tok_s"] < 10 for r in new["results"])
