"""Entry point of the frozen app: the same `planner` command line, GUI when run without arguments."""

import multiprocessing
import sys

from planner.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # no-op unless a library starts worker processes
    sys.exit(main())
