"""`planner export`: a build sheet as PDF (parts, fit and speed, cost, charts, sources)."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from planner.calibration.shipped import load_calibration
from planner.commands.common import open_catalog
from planner.errors import UserDataError
from planner.estimation.front import Estimator
from planner.hardware.detect import DEFAULT_TIMEOUT_S, detect
from planner.hardware.match import this_pc
from planner.measure.context import open_store
from planner.reporting.sheet_data import DEFAULT_CONTEXTS, DEFAULT_QUANTS, PAGE_SIZES, DetectedPc, SheetRequest
from planner.resources import calibration_path


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise argparse.ArgumentTypeError("give at least one name, separated by commas")
    return names


def _contexts(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v.strip().replace("_", "")) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"contexts are whole numbers of tokens, e.g. 4096,16384; got {text!r}"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"contexts must be at least 1 token; got {text!r}")
    return values


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export",
        help="write a build sheet (PDF) to print, share or attach to a purchase request",
        description="Write a build sheet as PDF: parts and prices, power, fit and speed, cost, charts, sources.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a preset build (see `planner catalog presets`)")
    source.add_argument("--build", metavar="FILE.json", help="a build file")
    source.add_argument("--this-pc", action="store_true", help="this machine, as detected")
    p.add_argument("--models", type=_names, metavar="NAME,...", help="default: the most popular the build runs")
    p.add_argument("--quants", type=_names, default=DEFAULT_QUANTS, metavar="Q4_K_M,Q8_0",
                   help=f"default {','.join(DEFAULT_QUANTS)}")  # fmt: skip
    p.add_argument("--contexts", type=_contexts, default=DEFAULT_CONTEXTS, metavar="4096,16384",
                   help=f"default {','.join(map(str, DEFAULT_CONTEXTS))}")  # fmt: skip
    p.add_argument("--page-size", choices=PAGE_SIZES, default="A4")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help="seconds each detection probe may take, with --this-pc")  # fmt: skip
    p.add_argument("-o", "--output", required=True, metavar="sheet.pdf", help="the PDF to write")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # The command line never opens a window; Qt still needs a platform for fonts and the PDF engine.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from planner.reporting.export import export_build_sheet  # Qt loads only for this command

    catalog = open_catalog()
    estimator = Estimator(catalog, load_calibration(calibration_path()))
    request = _request(args, estimator)
    result = export_build_sheet(request, _target(args.output, request.build.name), estimator)
    print(f"wrote {result.path} ({result.pages} pages in {result.seconds:.2f} s)")
    return 0


def _target(output: str, build_name: str) -> Path:
    """`-o sheet.pdf` is that file; `-o folder/` (or an existing folder) is a file inside it."""
    path = Path(output)
    if output.endswith(("/", os.sep)) or path.is_dir():
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserDataError(f"cannot create the folder {path} ({exc.strerror}). Choose another folder.") from exc
        stem = re.sub(r"[^\w.-]+", "-", build_name).strip("-.")[:80] or "build-sheet"
        return path / f"{stem}.pdf"
    return path


def _request(args: argparse.Namespace, estimator: Estimator) -> SheetRequest:
    options = {
        "models": args.models or (),
        "quants": args.quants,
        "contexts": args.contexts,
        "page_size": args.page_size,
    }
    if args.preset:
        preset_id = estimator.catalog.preset_index.resolve(args.preset)
        build = estimator.build_for({"preset": preset_id})
        return SheetRequest(build, "catalog preset", preset_id=preset_id, **options)
    if args.build:
        build = estimator.build_for({"build": args.build})
        return SheetRequest(build, f"build file {Path(args.build).name}", **options)
    detection = detect(timeout_s=args.timeout)
    pc = this_pc(detection, estimator.catalog)
    mine = tuple(open_store().measurements())
    return SheetRequest(pc.build, "detected on this PC", detected=DetectedPc(detection, pc, mine), **options)
