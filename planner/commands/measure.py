"""`planner measure`: measure this PC (RAM bandwidth, llama-bench, Ollama, llama-server) and
share the results (CSV export and import)."""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path
from typing import Any

from planner.commands.common import open_catalog, print_json
from planner.errors import InputError
from planner.hardware.memory import MemoryProbe
from planner.hardware.probe import subprocess_runner
from planner.measure.common import MeasurementError
from planner.measure.context import open_store
from planner.measure.llama_bench import (
    DEFAULT_TIMEOUT_S,
    BenchSettings,
    find_gguf_files,
    measure_llama_bench,
    model_folders,
)
from planner.measure.ram import measure_ram_bandwidth, theoretical_gbs
from planner.measure.records import COMMUNITY, PcMeasurement
from planner.measure.servers import OLLAMA_URL, measure_ollama, measure_server
from planner.measure.share import from_csv, read_csv_file, to_csv
from planner.reporting.atomic import write_atomically


def _ints(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas; got {text!r}") from exc
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("depths cannot be negative")
    return values


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("measure", help="measure this PC: RAM bandwidth, llama-bench, Ollama, llama-server")
    sub = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    ram = sub.add_parser("ram", help="RAM bandwidth (multi-threaded streaming copy)")
    ram.add_argument("--seconds", type=float, default=3.0, metavar="S", help="how long to stream (default 3)")
    ram.add_argument("--threads", type=int, metavar="N", help="threads (default: physical cores)")
    ram.set_defaults(handler=_ram)
    bench = sub.add_parser("llama-bench", help="run llama.cpp's llama-bench on a GGUF file")
    bench.add_argument("--model", type=Path, metavar="FILE.gguf", help="the model (without it: list the ones found)")
    bench.add_argument("--binary", type=Path, metavar="PATH", help="the llama-bench to run (default: search)")
    bench.add_argument("--prompt", "-p", type=int, default=512, metavar="N", help="prompt tokens (default 512)")
    bench.add_argument("--gen", "-n", type=int, default=128, metavar="N", help="generated tokens (default 128)")
    bench.add_argument("--depths", "-d", type=_ints, default=(0,), metavar="D,D", help="KV depths (default 0)")
    bench.add_argument("--ngl", type=int, default=99, metavar="N", help="layers on the GPU (default 99)")
    bench.add_argument("--n-cpu-moe", type=int, metavar="N", help="MoE layers whose experts stay in RAM")
    bench.add_argument("--flash-attn", choices=("on", "off"), help="flash attention (default: llama-bench's)")
    bench.add_argument("--cache-type-k", "-ctk", default="f16", metavar="T", help="K cache type (default f16)")
    bench.add_argument("--cache-type-v", "-ctv", default="f16", metavar="T", help="V cache type (default f16)")
    bench.add_argument("--repetitions", "-r", type=int, default=3, metavar="N", help="runs per test (default 3)")
    bench.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S", help="give up after S s")
    bench.set_defaults(handler=_llama_bench)
    ollama = sub.add_parser("ollama", help="a short fixed generation through a running Ollama")
    ollama.add_argument("--url", default=OLLAMA_URL, help=f"Ollama's address (default {OLLAMA_URL})")
    ollama.add_argument("--model", required=True, metavar="NAME", help="an Ollama model, e.g. llama3.1:8b")
    ollama.set_defaults(handler=_ollama)
    server = sub.add_parser("server", help="a short fixed generation through a running llama-server")
    server.add_argument("--url", required=True, help="llama-server's address, e.g. http://127.0.0.1:8080")
    server.set_defaults(handler=_server)
    listing = sub.add_parser("list", help="the stored measurements")
    listing.add_argument("--community", action="store_true", help="the imported ones instead of this PC's")
    listing.set_defaults(handler=_list)
    export = sub.add_parser("export", help="this PC's measurements as CSV (db/data/measurements.csv's columns)")
    export.add_argument("-o", "--output", type=Path, metavar="FILE.csv", help="write here (default: stdout)")
    export.set_defaults(handler=_export)
    imported = sub.add_parser("import", help="import someone's measurements CSV as community measurements")
    imported.add_argument("file", type=Path, metavar="FILE.csv")
    imported.set_defaults(handler=_import)
    for each in (ram, bench, ollama, server, listing, imported):
        each.add_argument("--json", action="store_true", help="print JSON")


def _progress_printer(enabled: bool) -> Any:
    def show(percent: int, text: str) -> None:
        if enabled:
            sys.stderr.write(f"\r{percent:3d}%  {text:<60}")
            sys.stderr.flush()

    return show


def _detected_memory() -> tuple[int | None, int | None]:
    info = MemoryProbe(platform.system(), subprocess_runner(3.0)).run().data
    return (info.channels, info.speed_mts) if info is not None else (None, None)


def _ram(args: argparse.Namespace) -> int:
    channels, mts = _detected_memory()
    result = measure_ram_bandwidth(
        args.seconds, args.threads, theoretical=theoretical_gbs(channels, mts),
        progress=_progress_printer(not args.json and sys.stderr.isatty()),
    )  # fmt: skip
    open_store().add_ram(result)
    data = result.to_dict()
    if args.json:
        print_json(data)
        return 0
    share = f", {data['share']:.0%} of {result.theoretical_gbs:g} GB/s theoretical" if result.share else ""
    unknown = "" if result.theoretical_gbs else " (theoretical unknown: RAM speed or channels not readable)"
    print(f"\nRAM bandwidth: {result.gbs:.1f} GB/s with {result.threads} threads{share}{unknown}")
    print(f"  {result.buffer_mib} MiB streamed for {result.seconds:.1f} s; stored in your data file")
    return 0


def _print_rows(rows: list[PcMeasurement], as_json: bool) -> None:
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        model = r.model_id or f"{r.model_label} (not in catalog)"
        print(f"{r.test:>14}  {r.tokens_per_s:10.2f} tok/s  {model} {r.quant}  [{r.tool}, {r.measured_at[:10]}]")
        if r.settings_text():
            print(f"{'':16}{r.settings_text()}  {r.llama_build}")


def _store_and_print(rows: list[PcMeasurement], as_json: bool) -> int:
    stored = open_store().add_run(rows)
    _print_rows(stored, as_json)
    return 0


def _llama_bench(args: argparse.Namespace) -> int:
    if args.model is None:
        found = find_gguf_files()
        if not found:
            where = ", ".join(str(f) for f in model_folders()[:3])
            raise InputError(f"give the model with --model FILE.gguf (no GGUF files found in {where}, ...)")
        listing = "\n  ".join(str(p) for p in found[:20])
        raise InputError(f"give the model with --model FILE.gguf; found on this PC:\n  {listing}")
    settings = BenchSettings(
        prompt=args.prompt, gen=args.gen, depths=args.depths, gpu_layers=args.ngl, n_cpu_moe=args.n_cpu_moe,
        flash_attn=None if args.flash_attn is None else args.flash_attn == "on",
        cache_type_k=args.cache_type_k, cache_type_v=args.cache_type_v, repetitions=args.repetitions,
    )  # fmt: skip
    if args.timeout <= 0:
        raise InputError("--timeout must be positive")
    rows = measure_llama_bench(
        args.model, open_catalog(), settings, args.binary, timeout_s=args.timeout,
        progress=_progress_printer(not args.json and sys.stderr.isatty()),
    )  # fmt: skip
    return _store_and_print(rows, args.json)


def _ollama(args: argparse.Namespace) -> int:
    return _store_and_print(measure_ollama(args.model, open_catalog(), args.url), args.json)


def _server(args: argparse.Namespace) -> int:
    return _store_and_print(measure_server(args.url, open_catalog()), args.json)


def _list(args: argparse.Namespace) -> int:
    _print_rows(open_store().measurements(COMMUNITY if args.community else "this PC"), args.json)
    return 0


def _export(args: argparse.Namespace) -> int:
    rows = open_store().measurements()
    if not rows:
        raise MeasurementError("nothing measured on this PC yet: run `planner measure llama-bench` or `ollama` first")
    text = to_csv(rows)
    if args.output:
        write_atomically(args.output, text.encode("utf-8"))
        print(f"wrote {len(rows)} measurements to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _import(args: argparse.Namespace) -> int:
    rows = from_csv(read_csv_file(args.file), open_catalog())
    stored = open_store().add_run(rows)
    if args.json:
        print_json([r.to_dict() for r in stored])
    else:
        print(f"imported {len(stored)} community measurements from {args.file}")
    return 0
