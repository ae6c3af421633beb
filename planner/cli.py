"""The `planner` command line. Subcommands live in planner/commands/, one module each."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from planner import __version__
from planner.errors import PlannerError

SUBCOMMANDS = ("catalog", "estimate", "serve", "detect", "plan", "export", "measure", "models")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="LLM Build Planner: what can my PC run, how fast, and what should I buy next?",
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the app (offscreen without a display), exercise it, print a JSON summary, exit",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"planner.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _open_app(self_test=args.self_test)
    try:
        return int(args.handler(args) or 0)
    except PlannerError as exc:
        print(f"planner: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0


def _open_app(self_test: bool) -> int:
    """With no subcommand the desktop app opens."""
    app = importlib.import_module("planner.app")
    return int(app.run(self_test=self_test))


if __name__ == "__main__":
    sys.exit(main())
