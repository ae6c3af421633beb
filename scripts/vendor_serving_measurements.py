"""Vendor ../shared/data/benchmarks/serving_measurements.csv into db/data/.

Every row is kept as printed (value, unit, source); the script adds the catalog ids and
the row's number in *normalised* units next to it, following serving_measurements.md:

- `tokens/s/GPU` is per GPU: times n_gpus gives the whole setup;
- `tokens/s/node (8 GPUs)` is per 8-GPU node: times n_gpus / 8;
- `total tok/s (input+output)` counts prompt tokens: times output/(input+output) is output;
- TTFT in ms or s becomes seconds; TPOT/ITL stay in milliseconds;
- MLPerf "Tokens per second" counts generated tokens (output).

The conversions live in planner/core/serving_units.py (tested per source family); this
script only maps names. It is a maintainer's tool, never run by the app or the tests (they read
db/data/); the public file is passed by path:

    .venv/bin/python scripts/vendor_serving_measurements.py PATH/TO/serving_measurements.csv
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.core.serving_units import normalise  # noqa: E402

TARGET = ROOT / "db" / "data" / "serving_measurements.csv"
VENDORED_FROM = "../shared/data/benchmarks/serving_measurements.csv"

DEVICES = (  # first match wins
    (r"GB200", "gb200"),
    (r"B200", "b200"),
    (r"H200", "h200-sxm-141gb"),
    (r"H100", "h100-sxm5-80gb"),
    (r"MI300X", "mi300x"),
    (r"Cerebras|CS-3|WSE-3", "cerebras-cs3"),
    (r"Groq", "groq-lpu"),
    (r"SambaNova|SN40L", "sambanova-sn40l"),
)
MODELS = (
    (r"Llama 3\.1 8B", "llama-3.1-8b"),
    (r"Llama 3\.3 70B", "llama-3.3-70b"),
    (r"Llama 3\.1 70B", "llama-3.1-70b"),
    (r"Llama 3 70B", "llama-3-70b"),
    (r"Llama 3\.1 405B", "llama-3.1-405b"),
    (r"Llama 2 70B", "llama-2-70b"),
    (r"Llama 2 13B", "llama-2-13b"),
    (r"Llama 2 7B", "llama-2-7b"),
    (r"Mixtral 8x7B", "mixtral-8x7b"),
    (r"gpt-oss-120b", "gpt-oss-120b"),
    (r"Qwen3-235B", "qwen3-235b-a22b"),
    (r"Qwen3-32B", "qwen3-32b"),
    (r"DeepSeek-R1|DeepSeek \(671B", "deepseek-r1"),
    (r"DeepSeek-V3", "deepseek-v3"),
)
ENGINES = (
    (r"TensorRT-LLM", "trt-llm"),
    (r"NIM", "trt-llm"),  # NIM for LLMs runs the TensorRT-LLM backend on these GPUs
    (r"vLLM", "vllm"),
    (r"SGLang", "sglang"),
    (r"TGI", "tgi"),
    (r"Cerebras", "cerebras"),
    (r"Groq", "groq"),
    (r"SambaNova", "sambanova"),
)


def _match(text: str, table: tuple[tuple[str, str], ...]) -> str:
    return next((value for pattern, value in table if re.search(pattern, text)), "")


def serving_format(precision: str, model_id: str) -> str:
    """The weight format the row ran, as the planner names it ('' when the source does not say)."""
    p = precision.upper()
    if "LLAMA-3.1-405B-INSTRUCT CHECKPOINT" in p:
        return "BF16"  # meta-llama/Llama-3.1-405B-Instruct ships BF16 weights
    if "MXFP4" in p:
        return "MXFP4"
    if "NVFP4" in p or "FP4" in p:
        return "NVFP4"
    if "FP8" in p or "8-BIT" in p:
        return "FP8"
    if "16-BIT" in p or "FP16" in p or "BF16" in p or "DEFAULT DTYPE" in p:
        return "BF16"
    if model_id == "gpt-oss-120b":
        return "MXFP4"  # the native checkpoint
    return ""


def _int(text: str) -> str:
    m = re.match(r"\s*~?(\d+)", text or "")
    return m.group(1) if m else ""


def convert(row: dict[str, str]) -> dict[str, str]:
    device_id = _match(row["hardware"], DEVICES)
    model_id = _match(row["model"], MODELS)
    n_gpus = _int(row["n_gpus"]) or _int(row["hardware"])
    input_len, output_len = _int(row["input_len"]), _int(row["output_len"])
    metric, value = normalise(
        row["metric"], row["unit"], float(row["value"]), int(n_gpus or 0) or None,
        int(input_len) if input_len else None, int(output_len) if output_len else None,
    )  # fmt: skip
    offline = "offline" in row["scenario"].lower() or "max throughput" in row["scenario"].lower()
    return {
        "row_id": row["row_id"],
        "engine": _match(row["engine"], ENGINES) or row["engine"],
        "device_id": device_id,
        "n_devices": n_gpus,
        "tensor_parallel": _int(row["tensor_parallel"]),
        "pipeline_parallel": _int(row["pipeline_parallel"]),
        "other_parallel": row["other_parallel"],
        "model_id": model_id,
        "format": serving_format(row["precision"], model_id),
        "input_len": input_len,
        "output_len": output_len,
        "concurrency": _int(row["concurrency"]) or _int(row["max_batch"]),
        "offline": "1" if offline else "0",
        "speculative": "1" if re.search(r"MTP|speculative", row["scenario"] + row["notes"]) else "0",
        "metric": metric,
        "value": f"{value:.6g}" if value is not None else "",
        "metric_as_printed": row["metric"],
        "value_as_printed": row["value"],
        "unit_as_printed": row["unit"],
        "hardware_as_printed": row["hardware"],
        "model_as_printed": row["model"],
        "precision_as_printed": row["precision"],
        "scenario": row["scenario"],
        "engine_as_printed": (row["engine"] + " " + row["engine_version"]).strip(),
        "source_url": row["source_url"],
        "source_title": row["source_title"],
        "as_of": row["date"],
        "vendored_from": VENDORED_FROM,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Vendor the public serving measurements into db/data/.")
    parser.add_argument("source", type=Path, help="the public serving_measurements.csv")
    source: Path = parser.parse_args().source
    if not source.is_file():
        parser.error(f"{source} is not a file: pass the public serving_measurements.csv")
    with source.open(encoding="utf-8", newline="") as f:
        rows = [convert(r) for r in csv.DictReader(f)]
    with TARGET.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
