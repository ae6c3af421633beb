"""How long an input change takes to update every visible number and chart, per tab.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/bench_ui_update.py [--rounds 20]

Each round changes the context, the KV-cache type, the model, the quant and the build, and
times each change from the setter call until every synchronous slot has run (the
what-can-run table's sweep runs in a worker and is timed separately by that pane).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PLANNER_USER_DATA", tempfile.mkdtemp(prefix="planner-bench-"))

from PySide6.QtWidgets import QApplication

from planner import app as composition
from planner.catalog.builds import preset_spec
from planner.ui.main_window import MainWindow
from planner.ui.state import PlannerState


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    qt_app = QApplication([])
    services = composition._services(None)
    state = PlannerState(services)
    window = MainWindow(state, services, composition.default_panes())
    window.resize(1280, 800)
    window.show()
    presets = [preset_spec(services.catalog, p) for p in ("rtx3060-5800x-box", "2x-rtx3090", "m3-max-36gb")]
    changes = [
        lambda i: state.set_workload(context=4096 * (1 + i % 4)),
        lambda i: state.set_workload(kv_cache=("f16", "q8_0")[i % 2]),
        lambda i: state.set_model(("llama-3.1-8b", "qwen2.5-14b", "gemma-3-12b")[i % 3]),
        lambda i: state.set_quant(("Q4_K_M", "Q8_0")[i % 2]),
        lambda i: state.set_spec(presets[i % len(presets)]),
    ]
    print(f"{'tab':18} median ms   max ms   (n)")
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qt_app.processEvents()  # benchmark only: let the tab show before timing
        times = []
        for i in range(args.rounds):
            for change in changes:
                start = time.perf_counter()
                change(i)
                times.append((time.perf_counter() - start) * 1000)
        title = window.tabs.tabText(index)
        print(f"{title:18} {statistics.median(times):9.1f} {max(times):8.1f}   ({len(times)})")
    services.workers.wait(30_000)
    window.close()


if __name__ == "__main__":
    main()
