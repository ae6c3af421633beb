"""`planner catalog ...` as users run it."""

from __future__ import annotations

import json
import re

import pytest

from planner.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_gpus_json_lists_at_least_120_with_sources(capsys: pytest.CaptureFixture[str]) -> None:
    gpus = run_json(capsys, "catalog", "gpus", "--json")
    assert isinstance(gpus, list) and len(gpus) >= 120
    assert all(g["source_url"] and g["as_of"] for g in gpus)
    names = {g["name"] for g in gpus}
    assert {"NVIDIA GeForce RTX 3060 12GB", "Apple M3 Max (40-core GPU)", "NVIDIA H200 SXM 141GB"} <= names


@pytest.mark.parametrize("kind", ["models", "cpus", "presets", "quants", "chips"])
def test_every_kind_lists(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    assert run_json(capsys, "catalog", kind, "--json")


def test_models_json_meets_the_contract_every_entry_has_repo_release_month_and_licence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 13: >= 200 entries, each with hf_repo, released (YYYY-MM) and license."""
    rows = run_json(capsys, "catalog", "models", "--json")
    assert len(rows) >= 200
    incomplete = {
        r["id"]: (r["hf_repo"], r["released"], r["license"])
        for r in rows
        if not (
            isinstance(r["hf_repo"], str)
            and "/" in r["hf_repo"]
            and isinstance(r["released"], str)
            and re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", r["released"])
            and r["license"]
        )
    }
    assert not incomplete


def test_search_filters(capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, "catalog", "models", "--search", "qwen3", "--json")
    assert rows and all("qwen3" in (r["name"] + r["aliases"]).lower() for r in rows)


def test_show_prints_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "RTX 3090"]) == 0
    out = capsys.readouterr().out
    assert "NVIDIA GeForce RTX 3090" in out and "Sources:" in out and "https://" in out


def test_show_unknown_name_exits_2_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "RTX 3090 Tii"]) == 2
    err = capsys.readouterr().err
    assert "Closest matches" in err and "RTX 3090" in err


def test_table_output_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "presets"]) == 0
    out = capsys.readouterr().out
    assert "Used RTX 3060 12GB + Ryzen 7 5800X box" in out and "10 presets" in out
