"""The `planner` command line. Subcommands live in planner/commands/, one module each."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from planner import __version__
from planner.errors import PlannerError

SUBCOMMANDS = ("catalog", "estimate", "detect")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="LLM Build Planner: what can my PC run, how fast, and what should I buy next?",
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"planner.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _open_app(parser)
    try:
        return int(args.handler(args) or 0)
    except PlannerError as exc:
        print(f"planner: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0


def _open_app(parser: argparse.ArgumentParser) -> int:
    """With no subcommand the desktop app opens; until it exists, print help."""
    try:
        app = importlib.import_module("planner.app")
    except ModuleNotFoundError as exc:
        if exc.name != "planner.app":
            raise
        parser.print_help()
        return 0
    return int(app.run())


if __name__ == "__main__":
    sys.exit(main())
