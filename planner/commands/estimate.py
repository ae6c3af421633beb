"""`planner estimate`: fit, speed and cost of one model on one build (or a batch of them)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from planner.calibration.shipped import load_calibration
from planner.commands.common import open_catalog, print_json
from planner.commands.llama_flags import CACHE_TYPES, LLAMA_FLAG_KEYS, add_llama_arguments, print_run_details
from planner.core.estimate import Estimate
from planner.core.hardware import BACKENDS, Split
from planner.errors import PlannerError
from planner.estimation.front import Estimator
from planner.planning.best_runner import best_for_request
from planner.resources import calibration_path

FLAG_KEYS = (
    "gpu", "gpus", "split", "backend", "cpu", "ram_gb", "memory_gb", "model", "quant",
    "context", "depth", "prompt", "kv_cache", "preset", "build", "gpu_memory_fraction",
    *LLAMA_FLAG_KEYS,
)  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "estimate",
        help="fit, tokens/s and cost of a model on a build",
        description="Estimate fit, generation and prompt speed, and cost.",
    )
    source = p.add_argument_group("the build (one of)")
    source.add_argument("--gpu", metavar="NAME", help="a GPU or Apple chip, as drivers or users write it")
    source.add_argument("--preset", metavar="NAME", help="a preset build (see `planner catalog presets`)")
    source.add_argument("--build", metavar="FILE.json", help="a build file")
    source.add_argument("--batch", metavar="FILE.jsonl", help="JSON Lines of requests, or - for stdin")
    p.add_argument("--gpus", type=int, metavar="N", help="N identical GPUs (default 1)")
    p.add_argument("--split", choices=tuple(Split), help="multi-GPU split (default layer)")
    p.add_argument("--backend", choices=BACKENDS, help="runtime backend (default: the device's own)")
    p.add_argument("--cpu", metavar="NAME", help="the CPU (bounds offloaded layers)")
    p.add_argument("--ram-gb", type=float, metavar="N", help="system RAM in GB (default 32)")
    p.add_argument("--memory-gb", type=float, metavar="N", help="unified memory of an Apple chip")
    p.add_argument(
        "--gpu-memory-fraction",
        type=float,
        metavar="F",
        help="share of unified memory the GPU may use (default: macOS's, 2/3 up to 32 GB, 3/4 above)",
    )
    p.add_argument("--model", metavar="NAME")
    p.add_argument("--quant", metavar="QUANT", help="e.g. Q4_K_M, Q8_0, F16, MXFP4")
    p.add_argument("--context", "-c", type=int, metavar="TOKENS", help="context window, -c (default 4096)")
    p.add_argument("--depth", type=int, metavar="TOKENS", help="tokens already in the KV cache (default 0)")
    p.add_argument("--prompt", type=int, metavar="TOKENS", help="prompt length for prefill (default 512)")
    p.add_argument("--kv-cache", choices=CACHE_TYPES, help="KV-cache type for K and V (default f16)")
    add_llama_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    estimator = Estimator(open_catalog(), load_calibration(calibration_path()))
    if args.batch:
        return _run_batch(estimator, args.batch)
    request = {k: getattr(args, k) for k in FLAG_KEYS if getattr(args, k) is not None}
    answer = best_for_request(estimator, request) if request.get("best") else estimator.run(request)
    if args.json:
        print_json(answer.to_dict())
    else:
        _print_human(answer.estimate)
        print_run_details(answer)
    return 0


def _run_batch(estimator: Estimator, source: str) -> int:
    stream: TextIO = sys.stdin if source == "-" else _open(source)
    failed = 0
    for line in stream:
        if not line.strip():
            continue
        answer = _batch_line(estimator, line)
        failed += "error" in answer
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    if failed:
        print(f'planner: {failed} batch line(s) failed; see their "error"', file=sys.stderr)
        return 2
    return 0


def _open(source: str) -> TextIO:
    try:
        return Path(source).open(encoding="utf-8")
    except OSError as exc:
        raise PlannerError(f"cannot read batch file {source}: {exc.strerror}") from exc


def _batch_line(estimator: Estimator, line: str) -> dict[str, Any]:
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise PlannerError("each line must be a JSON object")
        request = {k.replace("-", "_"): v for k, v in request.items()}
        answer = best_for_request(estimator, request) if request.get("best") else estimator.run(request)
        return answer.to_dict()
    except json.JSONDecodeError as exc:
        return {"error": f"not valid JSON: {exc.msg}"}
    except PlannerError as exc:
        return {"error": str(exc)}


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:,.1f}{unit}"


def _print_human(result: Estimate) -> None:
    d = result.to_dict()
    mem = d["memory"]
    print(f"{d['model']} {d['quant']} on {d['build']}  ({d['backend']}, context {d['context']:,})")
    experts_note = f", experts of {mem['expert_layers_in_ram']} in RAM" if mem["expert_layers_in_ram"] else ""
    print(f"  fit:        {d['fit']}  ({d['gpu_layers']}/{d['total_layers']} layers on GPU{experts_note})")
    print(
        f"  memory:     weights {mem['weights_gib']} GiB + KV {mem['kv_cache_gib']} GiB + "
        f"overhead {mem['overhead_gib']} GiB = {mem['total_gib']} GiB "
        f"(GPU capacity {mem['gpu_capacity_gib']} GiB)"
    )
    for dev in mem["per_device"]:
        print(
            f"    {dev['device']}: {dev['layers']} layers, model {dev['weights_gib']} + KV {dev['kv_cache_gib']} + "
            f"compute {dev['compute_gib']} + reserve {dev['reserve_gib']} = {dev['used_gib']} of "
            f"{dev['capacity_gib']} GiB"
        )
    experts = f", experts of {mem['expert_layers_in_ram']} layers" if mem["expert_layers_in_ram"] else ""
    print(f"    system RAM: {mem['ram_gib']} GiB of {mem['ram_capacity_gib']} GiB usable{experts}")
    print(f"  max context fully on GPU: {d['max_context_on_gpu']:,}")
    rng = d["decode_tok_s_range"] or [None, None]
    print(f"  generation: {_fmt(d['decode_tok_s'])} tok/s  (range {_fmt(rng[0])}-{_fmt(rng[1])})")
    rng = d["prefill_tok_s_range"] or [None, None]
    print(f"  prompt:     {_fmt(d['prefill_tok_s'])} tok/s  (range {_fmt(rng[0])}-{_fmt(rng[1])})")
    price = "unknown" if d["hardware_usd"] is None else f"${d['hardware_usd']:,.0f}"
    per_mtok = f"${_fmt(d['usd_per_mtok'])}/Mtok".replace("$-", "-")
    if d["usd_per_mtok"] is None and d["electricity_usd_per_mtok"] is not None:
        per_mtok += f" (no full hardware price; electricity alone ${d['electricity_usd_per_mtok']:,.3f}/Mtok)"
    print(f"  cost:       {price} hardware, {d['power_w']:.0f} W, {per_mtok}")
    for m in d["measured"]:
        print(f"  measured:   {m['test']} {m['tokens_per_s']} tok/s ({m['backend']})  {m['source_url']}")
    for w in d["warnings"]:
        print(f"  warning:    {w}")
