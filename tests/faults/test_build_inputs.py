"""Fault injection: hostile build files, batch lines and flags get one clear error, never a traceback.

Each case is an input that once crashed, hung or was silently accepted (issue 17).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest

from planner.catalog.build_names import canonical_spec
from planner.catalog.build_validation import validate_build_spec
from planner.catalog.builds import build_from_spec
from planner.catalog.store import Catalog
from planner.cli import main
from planner.errors import InputError

MODEL = {"model": "llama-3.1-8b", "quant": "Q4_K_M"}
DEEP = {"gpus": [{"gpu": "RTX 3090", "custom": None}]}
for _ in range(40):
    DEEP = {"notes": "", "parts": [DEEP]}

# (build description, words the message must contain)
HOSTILE_BUILDS = [
    ({"nodes": "two", "gpus": [{"gpu": "RTX 3090"}]}, "nodes must be a whole number"),
    ({"gpus": [{"gpu": None}]}, "gpus[0].gpu must be text"),
    ({"gpus": 5}, "gpus must be a list"),
    ({"gpus": [5]}, 'gpus[0] needs a "gpu" name'),
    ({"gpus": [{"gpu": 123}]}, "gpus[0].gpu must be text"),
    ({"apple_chip": "RTX 3090"}, "not an Apple chip"),
    ({"apple_chip": "M3 Max", "unified_memory_gb": math.nan}, "unified_memory_gb must be a finite number"),
    ({"apple_chip": "M3 Max", "unified_memory_gb": math.inf}, "unified_memory_gb must be a finite number"),
    ({"ram_gb": math.nan}, "ram_gb must be a finite number"),
    ({"price_usd": -5000}, "price_usd must be from 0"),
    ({"parts": [{"name": "Case", "price_usd": math.nan}]}, "parts[0].price_usd must be a finite number"),
    ({"parts": [{"name": "Case", "price_usd": -1}]}, "parts[0].price_usd must be from 0"),
    ({"parts": [{"name": "Case", "quantity": "many"}]}, "parts[0].quantity must be a whole number"),
    ({"gpus": [{"gpu": "RTX 3090", "count": 10_000}]}, "gpus[0].count must be a whole number from 1 to 64"),
    ({"gpus": [{"gpu": "RTX 3090", "count": 0}]}, "gpus[0].count must be a whole number from 1 to 64"),
    ({"gpus": [{"gpu": "RTX 3090"}], "nodes": 10_000_000}, "nodes must be a whole number from 1 to 256"),
    ({"gpus": [{"custom": {"name": "X", "memory_gb": math.nan, "bandwidth_gbs": 900}}]}, "memory_gb must be a finite"),
    ({"gpus": [{"custom": "fast"}]}, "custom must be an object"),
    ({"gpus": [{"custom": {"name": "X", "memory_gb": 24}}]}, "bandwidth_gbs is missing"),
    ({"gpus": [{"gpu": "RTX 3090", "price_usd": math.nan}]}, "gpus[0].price_usd must be a finite number"),
    ({"name": "x" * 5000}, "name is 5,000 characters long"),
    ({"split": "diagonal"}, "split must be one of"),
    ({"psu_w": True}, "psu_w must be a number"),
    ({"gpus": [{"gpu": "RTX 3090"}] * 33}, "gpus has 33 entries"),
    ({"gpus": [{"gpu": "RTX 3090", "count": 64}] * 2, "nodes": 256}, "32,768 GPUs in all"),
    (DEEP, "nested more than"),
    ([1, 2], "JSON object"),
]


@pytest.mark.parametrize(("spec", "message"), HOSTILE_BUILDS)
def test_each_hostile_build_is_refused_naming_the_field(catalog: Catalog, spec: object, message: str) -> None:
    with pytest.raises(InputError, match=_literal(message)):
        build_from_spec(catalog, spec)  # type: ignore[arg-type]


@pytest.mark.parametrize(("spec", "message"), HOSTILE_BUILDS)
def test_each_hostile_build_file_exits_2_with_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: object, message: str
) -> None:
    path = tmp_path / "build.json"
    path.write_text(json.dumps(spec))  # NaN and Infinity written as JSON allows them (json.dumps does)
    code = main(["estimate", "--build", str(path), *_flags(MODEL), "--json"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_a_build_naming_its_gpu_resolves_to_that_gpu(catalog: Catalog) -> None:
    """The README's form {"gpu": "RTX 3090", "count": 2} must not become two MI100s in the editor."""
    spec = canonical_spec(catalog, {"name": "Pair", "gpus": [{"gpu": "RTX 3090", "count": 2}], "cpu": "Ryzen 7 5800X"})
    assert spec["gpus"] == [{"gpu": "rtx-3090", "count": 2}]
    assert spec["cpu"] == "ryzen-7-5800x"


def test_an_unknown_gpu_name_is_refused_not_replaced(catalog: Catalog) -> None:
    with pytest.raises(InputError, match="unknown"):
        canonical_spec(catalog, {"gpus": [{"gpu": "RTX 9999 Ti", "count": 2}]})


def test_a_deeply_nested_build_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"gpus": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["estimate", "--build", str(path), *_flags(MODEL)]) == 2
    assert "nested too deeply" in capsys.readouterr().err


def test_a_valid_preset_still_passes(catalog: Catalog) -> None:
    for preset in catalog.preset_rows.values():
        validate_build_spec(json.loads(preset["build_json"]))


# ---- flags --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--gpu", "RTX 3090", "--gpus", "10000000"], "--gpus must be a whole number from 1 to 64"),
        (["--gpu", "RTX 3090", "--gpus", "1000000000"], "--gpus must be a whole number from 1 to 64"),
        (["--gpu", "a" * 100_000], "at most 200 are allowed"),
        (["--gpu", "RTX 3090", "--ram-gb", "nan"], "--ram-gb must be a finite number"),
        (["--gpu", "M3 Max", "--memory-gb", "inf"], "--memory-gb must be a finite number"),
        (["--gpu", "RTX 3090", "--gpu-memory-fraction", "nan"], "--gpu-memory-fraction must be a finite number"),
    ],
)
def test_hostile_flags_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(["estimate", *argv, *_flags(MODEL)]) == 2
    assert message in capsys.readouterr().err


def test_json_output_is_strict_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--gpu", "RTX 3090", *_flags(MODEL), "--json"]) == 0
    json.loads(capsys.readouterr().out, parse_constant=_refuse_constant)


# ---- batch ----------------------------------------------------------------------
GOOD = json.dumps({"gpu": "RTX 3090", **MODEL})
BATCH_LINES = [
    json.dumps({"gpu": 123, **MODEL}),
    json.dumps({"gpu": ["RTX 3090"], **MODEL}),
    json.dumps({"gpu": {"a": 1}, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "gpus": "2", **MODEL}),
    json.dumps({"gpu": "RTX 3090", "gpus": 1.5, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "gpus": -1, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "gpus": 10**9, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "gpus": True, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "ram_gb": "lots", **MODEL}),
    json.dumps({"gpu": "RTX 3090", "context": "4k", **MODEL}),
    json.dumps({"gpu": "RTX 3090", "context": 1e400, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "context": -5, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "depth": [], **MODEL}),
    json.dumps({"gpu": "RTX 3090", "prompt": {}, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "kv_cache": 8, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "backend": ["cuda"], **MODEL}),
    json.dumps({"gpu": "RTX 3090", "split": 2, **MODEL}),
    json.dumps({"gpu": "RTX 3090", "gpu_memory_fraction": "all", **MODEL}),
    json.dumps({"gpu": "RTX 3090", "model": 7, "quant": "Q4_K_M"}),
    json.dumps({"gpu": "RTX 3090", "model": "llama-3.1-8b", "quant": None}),
    json.dumps({"preset": 3, **MODEL}),
    json.dumps({"build": 3, **MODEL}),
    json.dumps({"build": [1], **MODEL}),
    json.dumps({"build": {"gpus": "two"}, **MODEL}),
    json.dumps({"build": {"nodes": 10**7, "gpus": [{"gpu": "RTX 3090"}]}, **MODEL}),
    json.dumps({"build": {"apple_chip": "RTX 3090"}, **MODEL}),
    json.dumps({"build": "/nonexistent/build.json", **MODEL}),
    json.dumps({"gpu": "x" * 100_000, **MODEL}),
    json.dumps({"nonsense": 1, **MODEL}),
    json.dumps({"gpu": "RTX 3090"}),
    json.dumps([1, 2, 3]),
    json.dumps("a string"),
    "null",
    "{not json",
    "[" * 100_000 + "]" * 100_000,
    '{"build": ' + "[" * 5000 + "]" * 5000 + ', "model": "m", "quant": "q"}',
    '{"gpu": "RTX 3090", "ram_gb": NaN, "model": "llama-3.1-8b", "quant": "Q4_K_M"}',
]


def test_batch_answers_every_line_and_names_the_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "requests.jsonl"
    lines = [GOOD, *BATCH_LINES]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b'{"gpu": "RTX \xff3090"}\n' + GOOD.encode() + b"\n")
    code = main(["estimate", "--batch", str(path)])
    out, err = capsys.readouterr()
    answers = [json.loads(line, parse_constant=_refuse_constant) for line in out.splitlines()]
    assert code == 2
    assert len(answers) == len(lines) + 2
    assert "error" not in answers[0] and "error" not in answers[-1]
    failed = [a for a in answers[1:-1]]
    assert all("error" in a for a in failed)
    assert [a["line"] for a in failed] == list(range(2, len(lines) + 2))
    assert "not UTF-8" in failed[-1]["error"]
    assert "Traceback" not in err and "internal error" not in out
    assert f"{len(failed)} line(s)" in err and "line 2:" in err


def test_batch_from_stdin_with_a_bad_byte(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(GOOD.encode() + b"\n\xfe\xff\n"), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["estimate", "--batch", "-"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert "error" not in json.loads(out[0]) and json.loads(out[1])["line"] == 2


def test_a_clean_batch_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(GOOD + "\n\n" + GOOD + "\n")
    assert main(["estimate", "--batch", str(path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def _flags(request: dict[str, str]) -> list[str]:
    return [item for key, value in request.items() for item in (f"--{key}", value)]


def _literal(message: str) -> str:
    import re

    return re.escape(message)


def _refuse_constant(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")
