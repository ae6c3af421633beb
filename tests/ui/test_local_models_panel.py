"""The model files on this PC, listed in the This PC pane by a background scan."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt

from planner.catalog.builds import build_from_spec
from planner.catalog.store import Catalog
from planner.hardware.local_models import scan
from planner.ui.local_models_panel import LocalModelsPanel
from planner.ui.services import Services
from tests.hardware.test_local_models import write_gguf

SPEC = {"name": "3090", "gpus": [{"gpu": "rtx-3090", "count": 1}], "cpu": "ryzen-7-5800x", "ram_gb": 64}


def panel_for(qtbot, services: Services, catalog: Catalog, home: Path) -> LocalModelsPanel:
    env = {"LLAMA_CACHE": str(home / "llama-cache")}
    panel = LocalModelsPanel(services, lambda: build_from_spec(catalog, SPEC), partial(scan, env=env, home=home))
    qtbot.addWidget(panel)
    return panel


def test_scan_lists_files_with_fit_and_a_damaged_row(
    qtbot, services: Services, catalog: Catalog, tmp_path: Path
) -> None:
    good = write_gguf(tmp_path / "llama-cache" / "Qwen_Qwen3-8B-GGUF_Qwen3-8B-Q4_K_M.gguf", "Qwen3 8B")
    (tmp_path / "llama-cache" / "cut.gguf").write_bytes(good.read_bytes()[:-64])
    panel = panel_for(qtbot, services, catalog, tmp_path)
    with qtbot.waitSignal(panel.scan_finished, timeout=20_000):
        qtbot.mouseClick(panel.scan_button, Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 2
    texts = {panel.table.item(r, 0).text(): panel.table.item(r, 5).text() for r in range(2)}
    assert texts["Qwen3 8B"].startswith("gpu")
    assert "damaged or partial" in texts["cut"]
    assert "1 damaged" in panel.status.text()


def test_added_folder_is_scanned(qtbot, services: Services, catalog: Catalog, tmp_path: Path) -> None:
    write_gguf(tmp_path / "mine" / "tiny.gguf", "Tiny Llama")
    panel = panel_for(qtbot, services, catalog, tmp_path)
    with qtbot.waitSignal(panel.scan_finished, timeout=20_000):
        panel.add_folder(tmp_path / "mine")
    assert [m.source for m, _fit in panel.rows] == ["folder"]
    assert not panel.cancel_button.isEnabled() and panel.scan_button.isEnabled()
