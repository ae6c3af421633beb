"""`planner detect`: what hardware this machine has, and the build it makes."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from planner.commands.common import open_catalog, print_json
from planner.errors import CatalogError, InputError
from planner.hardware.detect import DEFAULT_TIMEOUT_S, Detection, detect
from planner.hardware.match import ThisPc, this_pc
from planner.hardware.probe import GIB


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "detect", help="detect this machine's GPUs, CPU and RAM and match them to the catalog"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"seconds each probe may take (default {DEFAULT_TIMEOUT_S:g})",
    )
    parser.set_defaults(handler=run)


MAX_TIMEOUT_S = 600.0


def run(args: argparse.Namespace) -> int:
    timeout = args.timeout
    if not math.isfinite(timeout) or not 0 < timeout <= MAX_TIMEOUT_S:
        raise InputError(
            f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}; got {timeout:g}"
        )
    detection = detect(timeout_s=timeout)
    pc: ThisPc | None = None
    catalog_problem = ""
    try:
        pc = this_pc(detection, open_catalog())
    except CatalogError as exc:
        catalog_problem = f"no catalog match: {exc}"
    if args.json:
        data = detection.to_dict()
        data["this_pc"] = pc.to_dict() if pc else None
        if catalog_problem:
            data["catalog_error"] = catalog_problem
        print_json(data)
    else:
        sys.stdout.write(render(detection, pc, catalog_problem) + "\n")
    return 0


def _gib(value: int) -> str:
    return f"{value / GIB:.1f} GiB"


def render(detection: Detection, pc: ThisPc | None, catalog_problem: str = "") -> str:
    lines = ["GPUs:"]
    matches = {m.detected_name: m for m in pc.gpu_matches} if pc else {}
    for gpu in detection.gpus:
        bandwidth = f", {gpu.bandwidth_gbs:g} GB/s" if gpu.bandwidth_gbs else ""
        extra = f", CC {gpu.compute_capability}" if gpu.compute_capability else ""
        lines.append(f"  [{gpu.index}] {gpu.name}: {_gib(gpu.memory_bytes)}{bandwidth}{extra}")
        match = matches.get(gpu.name)
        if match is not None:
            where = match.catalog_id if match.in_catalog else "NOT IN CATALOG"
            lines.append(f"      catalog: {where} ({match.note})")
        lines += [f"      note: {note}" for note in gpu.notes]
    if not detection.gpus:
        lines.append("  none")
    if detection.apple:
        apple = detection.apple
        lines.append(f"Apple chip: {apple.catalog_name}, {_gib(apple.memory_bytes)} unified")
    cpu = detection.cpu
    if cpu:
        simd = [name for name, has in (("AVX2", cpu.avx2), ("AVX-512", cpu.avx512), ("NEON", cpu.neon)) if has]
        lines.append(
            f"CPU: {cpu.brand} ({cpu.arch}), {cpu.cores} cores / {cpu.threads} threads"
            f"{', ' + ', '.join(simd) if simd else ''}"
        )
    memory = detection.memory
    if memory:
        speed = f"{memory.speed_mts} MT/s" if memory.speed_mts else "speed unknown"
        channels = f"{memory.channels} channels" if memory.channels else "channels unknown"
        lines.append(
            f"RAM: {_gib(memory.total_bytes)} total, {_gib(memory.available_bytes)} available, {speed}, {channels}"
        )
    for link in detection.pcie:
        lines.append(f"PCIe: {link.gpu}: {link.describe()}")
        lines += [f"  warning: {w}" for w in link.warnings]
    if detection.os:
        os_info = detection.os
        container = " (in a container)" if os_info.in_container else ""
        lines.append(f"OS: {os_info.system} {os_info.release} {os_info.machine}{container}")
    lines.append("Probes:")
    for result in detection.results:
        how = result.method or "-"
        why = f": {result.reason}" if result.reason else ""
        lines.append(f"  {result.probe:8} {result.status:8} {how}{why}")
    if pc is not None:
        lines.append(f"This PC: {_summary(pc)}")
        lines += [f"  note: {note}" for note in pc.notes]
    if catalog_problem:
        lines.append(catalog_problem)
    return "\n".join(lines)


def _summary(pc: ThisPc) -> str:
    build = pc.build
    gpus = ", ".join(f"{g.count} x {g.accelerator.name}" for g in build.gpus) or "no GPU"
    return f"{gpus}; {build.cpu.name}; {build.ram_gb:g} GB RAM"
