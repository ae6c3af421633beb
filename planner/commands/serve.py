"""`planner serve`: throughput, per-user speed and latency with many users on one build."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from planner.calibration.shipped import load_calibration, load_serving_calibration
from planner.commands.common import open_catalog, print_json
from planner.core.dataflow import DataflowAnswer
from planner.errors import PlannerError
from planner.estimation.front import Estimator
from planner.estimation.serving_front import SERVE_KEYS, ServeResult, ServingEstimator
from planner.planning.serving_compare import compare, verdict
from planner.resources import calibration_path, serving_calibration_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serving many users: throughput, per-user speed, latency and $/Mtok against concurrency",
        description="Serve a model to many users with a batching engine and see what each user gets.",
    )
    source = p.add_argument_group("the build (one of)")
    source.add_argument("--gpu", metavar="NAME", help="a GPU or Apple chip")
    source.add_argument("--preset", metavar="NAME", help="a preset build (see `planner catalog presets`)")
    source.add_argument("--build", metavar="FILE.json", help="a build file")
    source.add_argument("--batch", metavar="FILE.jsonl", help="JSON Lines of requests, or - for stdin")
    p.add_argument("--gpus", type=int, metavar="N", help="N identical GPUs (default 1)")
    p.add_argument("--memory-gb", type=float, metavar="N", help="unified memory of an Apple chip")
    p.add_argument("--model", metavar="NAME")
    p.add_argument("--quant", metavar="Q", help="F16, BF16, FP8, AWQ, GPTQ, NVFP4, MXFP4, or a GGUF type for llama.cpp")
    p.add_argument("--engine", metavar="ENGINE", help="llama.cpp, vllm, sglang, trt-llm or mlx")
    p.add_argument("--tensor-parallel", type=int, metavar="N", help="GPUs per tensor-parallel group (default: best)")
    p.add_argument("--pipeline-parallel", type=int, metavar="N", help="pipeline stages (default: best)")
    p.add_argument("--users", metavar="N|max|LIST", help="concurrent users: N, max, or 1,8,32 (default 1)")
    p.add_argument("--input", type=int, metavar="TOKENS", help="prompt tokens per request (default 1024)")
    p.add_argument("--output", type=int, metavar="TOKENS", help="generated tokens per request (default 256)")
    p.add_argument("--kv-cache", choices=("f16", "bf16", "fp8", "q8_0", "q4_0"), help="KV-cache type (default f16)")
    p.add_argument(
        "--compare", action="store_true", help="the seed article's builds: $/Mtok and per-user speed against load"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_run)


def _serving() -> ServingEstimator:
    estimator = Estimator(open_catalog(), load_calibration(calibration_path()))
    return ServingEstimator(estimator, load_serving_calibration(serving_calibration_path()))


def _run(args: argparse.Namespace) -> int:
    serving = _serving()
    if args.compare:
        return _run_compare(serving, args.json)
    if args.batch:
        return _run_batch(serving, args.batch)
    request = {k: getattr(args, k) for k in sorted(SERVE_KEYS) if getattr(args, k) is not None}
    result = serving.serve(request)
    if args.json:
        print_json(result_json(result, request.get("users")))
    else:
        _print_human(result)
    return 0


def result_json(result: ServeResult | DataflowAnswer, users: Any) -> Any:
    """One object per user count; a list when a list of counts was asked for."""
    if isinstance(result, DataflowAnswer):
        return dataflow_json(result)
    points = result.points()
    return points if len(points) > 1 or "," in str(users or "") else points[0]


def dataflow_json(answer: DataflowAnswer) -> dict[str, Any]:
    """The contract's keys for a dataflow system: vendor figures for one stream, never estimates."""
    speed = answer.per_user_tok_s
    power = (answer.system.power_w or 0.0) * answer.units_needed
    return {
        **answer.to_dict(),
        "output_tok_s": speed,
        "decode_tok_s_aggregate": speed,
        "tpot_ms": None if not speed else round(1000 / speed, 3),
        "max_users": None,
        "usd_per_mtok": answer.to_dict()["usd_per_mtok_one_stream"],
        "joules_per_token": None if not speed or not power else round(power / speed, 2),
    }


def _run_batch(serving: ServingEstimator, source: str) -> int:
    stream: TextIO = sys.stdin if source == "-" else _open(source)
    for line in stream:
        if line.strip():
            sys.stdout.write(json.dumps(_batch_line(serving, line)) + "\n")
            sys.stdout.flush()
    return 0


def _open(source: str) -> TextIO:
    try:
        return Path(source).open(encoding="utf-8")
    except OSError as exc:
        raise PlannerError(f"cannot read batch file {source}: {exc.strerror}") from exc


def _batch_line(serving: ServingEstimator, line: str) -> Any:
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise PlannerError("each line must be a JSON object")
        request = {k.replace("-", "_"): v for k, v in request.items()}
        return result_json(serving.serve(request), request.get("users"))
    except json.JSONDecodeError as exc:
        return {"error": f"not valid JSON: {exc.msg}"}
    except PlannerError as exc:
        return {"error": str(exc)}


def _run_compare(serving: ServingEstimator, as_json: bool) -> int:
    rows = compare(serving)
    if as_json:
        print_json({"rows": [r.to_dict() for r in rows], "verdict": verdict(rows)})
        return 0
    print(f"{'build':34} {'model':14} {'engine':9} {'users':>5} {'per user':>9} {'aggregate':>10} {'$/Mtok':>9}")
    for r in rows:
        cells = [_n(r.users, 0), _n(r.per_user_tok_s), _n(r.output_tok_s), _n(r.usd_per_mtok, 3)]
        head = f"{r.build[:34]:34} {r.model[:14]:14} {r.engine:9}"
        print(f"{head} {cells[0]:>5} {cells[1]:>9} {cells[2]:>10} {cells[3]:>9}  {r.note}")
    print()
    print(verdict(rows))
    return 0


def _n(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _print_human(result: ServeResult | DataflowAnswer) -> None:
    if isinstance(result, DataflowAnswer):
        print(result.summary())
        for f in result.figures:
            systems = f", {f.systems} systems" if f.systems else ""
            print(f"  measured:  {f.metric} {f.value:g} ({f.model_id}{systems})  {f.source_url}")
        return
    points = result.points()
    first = points[0]
    print(
        f"{first['model']} {first['quant']} on {first['build']} with {first['engine']} "
        f"(TP {first['tensor_parallel']} x PP {first['pipeline_parallel']} x {first['replicas']} replica(s)), "
        f"{first['input']:,} in / {first['output']:,} out"
    )
    print(
        f"  KV cache holds {first['max_users']:,} sequences at full context; engine cap {first['engine_max_batch']:,}"
    )
    print(f"  {'users':>6} {'aggregate tok/s':>16} {'per user':>9} {'TTFT s':>8} {'TPOT ms':>8} {'$/Mtok':>9} J/tok")
    for p in points:
        print(
            f"  {p['users']:>6} {_n(p['output_tok_s']):>16} {_n(p['per_user_tok_s']):>9} {_n(p['ttft_s'], 2):>8} "
            f"{_n(p['tpot_ms']):>8} {_n(p['usd_per_mtok'], 3):>9} {_n(p['joules_per_token'], 2):>7}"
        )
    for m in first["measured"][:8]:
        at = f"at {m['concurrency']} ({m['input']}/{m['output']})"
        print(f"  measured:  {m['metric']} {m['value']:,.1f} {at}  {m['source_url']}")
    for w in first["warnings"]:
        print(f"  warning:   {w}")
