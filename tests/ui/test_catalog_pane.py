"""The catalog browser: search, sources, custom entries, imports and price overrides."""

from __future__ import annotations

import json
from pathlib import Path

import gguf
import numpy as np
import pytest
from PySide6.QtCore import Qt

from planner.catalog.user_catalog import UserCatalog, custom_gpu_row
from planner.catalog.userdb import UserDatabase
from planner.ui.catalog_dialogs import CustomGpuDialog, CustomModelDialog, PriceDialog
from planner.ui.catalog_model import COL_NAME, COL_ORIGIN, KIND_LABELS, CatalogTableModel
from planner.ui.catalog_pane import CatalogPane
from planner.ui.services import Services
from planner.ui.state import PlannerState

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pane(qtbot, state: PlannerState, services: Services) -> CatalogPane:
    widget = CatalogPane(state, services)
    qtbot.addWidget(widget)
    return widget


def names(pane: CatalogPane) -> list[str]:
    return [pane.proxy.index(r, COL_NAME).data() for r in range(pane.proxy.rowCount())]


def tiny_gguf(path: Path) -> Path:
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("Tiny GGUF Llama")
    for add, value in (
        (writer.add_block_count, 2),
        (writer.add_embedding_length, 64),
        (writer.add_feed_forward_length, 128),
        (writer.add_head_count, 4),
        (writer.add_context_length, 2048),
    ):
        add(value)
    writer.add_token_list([f"t{i}" for i in range(50)])
    writer.add_tensor("token_embd.weight", np.zeros((50, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize("kind", list(KIND_LABELS))
def test_every_kind_passes_qmodeltester(qtmodeltester, pane: CatalogPane, kind: str) -> None:
    pane.set_kind(kind)
    assert pane.model.rowCount() > 0
    qtmodeltester.check(pane.model)
    qtmodeltester.check(pane.proxy)


def test_empty_model_passes_qmodeltester(qtmodeltester) -> None:
    qtmodeltester.check(CatalogTableModel())


def test_searching_filters_rows(pane: CatalogPane) -> None:
    everything = pane.proxy.rowCount()
    pane.search_edit.setText("3090")
    shown = names(pane)
    assert 0 < len(shown) < everything
    assert all("3090" in name for name in shown)
    assert pane.count_label.text() == f"{len(shown)} of {everything}"
    pane.search_edit.clear()
    assert pane.proxy.rowCount() == everything


def test_search_matches_aliases(pane: CatalogPane) -> None:
    pane.set_kind("models")
    pane.search_edit.setText("llama3.1:8b")
    assert names(pane) == ["Llama 3.1 8B"]


def test_sorting_by_a_number_column_sorts_numerically(pane: CatalogPane) -> None:
    headers = [pane.model.headerData(c, Qt.Orientation.Horizontal) for c in range(pane.model.columnCount())]
    column = headers.index("Memory GB")
    pane.view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    top = pane.model.row_at(pane.proxy.mapToSource(pane.proxy.index(0, 0)).row())
    assert top["vram_gb"] == max(float(r.get("vram_gb") or 0) for r in pane.rows_for("gpus"))


def test_selecting_a_gpu_shows_its_fields_and_numbered_sources(pane: CatalogPane) -> None:
    assert pane.select("rtx-3090")
    text = pane.details.toHtml()
    assert "RTX 3090" in pane.details.toPlainText()
    assert "<ol" in text and "specs" in pane.details.toPlainText()
    row = pane.selected_row()
    assert row is not None and row["source_url"] in text
    assert pane.details.openExternalLinks()


def test_measurements_show_their_source(pane: CatalogPane) -> None:
    pane.set_kind("measurements")
    pane.view.selectRow(0)
    row = pane.selected_row()
    assert row is not None and row["source_url"] in pane.details.toPlainText()


def test_custom_gpu_appears_flagged_and_survives_reopening(qtbot, pane: CatalogPane, state, services: Services) -> None:
    dialog = CustomGpuDialog()
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Future GPU 9000")
    dialog.vram_spin.setValue(48)
    dialog.bandwidth_spin.setValue(1800)
    with qtbot.waitSignal(pane.entries_changed):
        pane.add_custom_gpu(dialog.row())
    pane.search_edit.setText("future")
    assert names(pane) == ["Future GPU 9000"]
    assert pane.proxy.index(0, COL_ORIGIN).data() == "custom"
    assert "[custom]" in pane.details.toPlainText()

    reopened = UserDatabase(services.userdb.path, ROOT / "db" / "migrations")
    assert [g["name"] for g in UserCatalog(reopened.path).gpus()] == ["Future GPU 9000"]
    reopened.close()
    fresh = CatalogPane(state, services)
    qtbot.addWidget(fresh)
    fresh.search_edit.setText("future")
    assert names(fresh) == ["Future GPU 9000"]


def test_custom_gpu_dialog_refuses_zero_bandwidth(qtbot) -> None:
    dialog = CustomGpuDialog()
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Broken")
    dialog.bandwidth_spin.setValue(0)
    dialog._on_buttons_accepted()
    assert "positive" in dialog.error_label.text()
    assert dialog.result() != dialog.DialogCode.Accepted


def test_custom_model_from_the_dialog(qtbot, pane: CatalogPane) -> None:
    dialog = CustomModelDialog()
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("My 8B")
    with qtbot.waitSignal(pane.entries_changed):
        pane.add_custom_model(dialog.row())
    assert pane.model.kind == "models"
    assert pane.selected_row()["name"] == "My 8B"
    assert pane.selected_row()["params_total_b"] == pytest.approx(8.03, rel=0.01)


def test_importing_a_config_json_adds_a_model(qtbot, pane: CatalogPane, tmp_path: Path) -> None:
    config = {"_name_or_path": "acme/Acme-7B", "model_type": "llama", "num_hidden_layers": 28, "hidden_size": 3584}
    config |= {"intermediate_size": 18944, "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    with qtbot.waitSignal(pane.import_finished) as blocker:
        assert pane.import_config_json(path)
    assert blocker.args[0]["name"] == "acme/Acme-7B"
    pane.search_edit.setText("acme")
    assert names(pane) == ["acme/Acme-7B"]
    pane.state.set_model(blocker.args[0]["id"])
    pane.state.set_quant("Q4_K_M")
    assert pane.state.estimate is not None and pane.state.estimate.model.name == "acme/Acme-7B"
    assert pane.state.estimate.fit == "gpu"


def test_importing_a_tiny_gguf_runs_on_a_worker_and_adds_a_model(qtbot, pane: CatalogPane, tmp_path: Path) -> None:
    progress: list[int] = []
    with qtbot.waitSignal(pane.import_finished, timeout=10_000) as blocker:
        worker = pane.import_gguf(tiny_gguf(tmp_path / "tiny.gguf"))
        worker.signals.progressed.connect(lambda pct, _text: progress.append(pct))
        assert not pane.import_gguf_button.isEnabled()
    assert blocker.args[0]["n_layers"] == 2
    assert pane.import_gguf_button.isEnabled() and pane.progress_bar.isHidden()
    assert progress and progress[-1] == 100
    assert pane.model.kind == "models" and pane.selected_row()["name"] == "Tiny GGUF Llama"
    assert [m["name"] for m in pane.user_catalog.models()] == ["Tiny GGUF Llama"]


def test_a_corrupt_gguf_shows_a_clear_error_and_adds_nothing(qtbot, pane: CatalogPane, tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(tiny_gguf(tmp_path / "good.gguf").read_bytes()[:120])
    with qtbot.waitSignal(pane.import_failed, timeout=10_000) as blocker:
        pane.import_gguf(bad)
    assert "broken.gguf is not a readable GGUF file" in blocker.args[0]
    assert "Import failed: broken.gguf" in pane.status_label.text()
    assert pane.user_catalog.models() == []
    assert pane.import_gguf_button.isEnabled()


def test_price_override_persists_and_shows(qtbot, pane: CatalogPane, services: Services) -> None:
    pane.select("rtx-3090")
    assert pane.price_button.isEnabled()
    dialog = PriceDialog("RTX 3090", 700.0)
    qtbot.addWidget(dialog)
    dialog.price_spin.setValue(650)
    with qtbot.waitSignal(pane.entries_changed):
        pane.set_price_override(pane.selected_row(), *dialog.values())
    price_column = pane.model.columnCount() - 1
    assert pane.model.headerData(price_column, Qt.Orientation.Horizontal) == "Price USD"
    assert pane.proxy.index(pane.view.currentIndex().row(), price_column).data() == "650 (yours)"
    assert "Your prices" in pane.details.toPlainText()
    reopened = UserDatabase(services.userdb.path, ROOT / "db" / "migrations")
    assert [(p["item_id"], p["price_kind"], p["price_usd"]) for p in reopened.prices()] == [("rtx-3090", "new", 650.0)]
    reopened.close()


def test_price_button_is_off_for_models(pane: CatalogPane) -> None:
    pane.set_kind("models")
    pane.view.selectRow(0)
    assert not pane.price_button.isEnabled()


def test_custom_rows_are_listed_before_the_catalog(qtbot, pane: CatalogPane, services: Services) -> None:
    with qtbot.waitSignal(pane.entries_changed):
        pane.add_custom_gpu(custom_gpu_row("Zeta", 8, 300))
    pane.search_edit.clear()
    assert names(pane)[0] == "Zeta"


def test_a_custom_gpu_can_be_used_in_a_build_and_estimated(qtbot, pane: CatalogPane, services: Services) -> None:
    with qtbot.waitSignal(pane.entries_changed):
        pane.add_custom_gpu(custom_gpu_row("Prototype 48", 48, 1200, fp16_tflops=200))
    state = pane.state
    assert state.set_spec({"name": "Proto box", "gpus": [{"gpu": "Prototype 48"}], "ram_gb": 64})
    assert state.estimate is not None and state.estimate.placement.devices[0].accelerator.name == "Prototype 48"


def test_your_price_is_used_for_the_build(qtbot, pane: CatalogPane, services: Services) -> None:
    row = services.catalog.gpu_rows["rtx-3090"]
    pane.set_kind("gpus")
    with qtbot.waitSignal(pane.entries_changed):
        pane.set_price_override(row, "used", 555.0)
    state = pane.state
    assert state.set_spec({"name": "b", "gpus": [{"gpu": "rtx-3090", "price_kind": "used"}], "ram_gb": 32})
    gpu_part = next(p for p in state.build.parts if p.kind == "gpu")
    assert gpu_part.price_usd == 555.0


def test_details_have_labels_and_units(pane: CatalogPane) -> None:
    assert pane.select("rtx-3090")
    text = pane.details.toPlainText()
    assert "Bandwidth" in text and "GB/s" in text and "Board power" in text
    assert "bandwidth_gbs" not in text and "board_power_w" not in text


def test_measured_tests_sort_by_their_number(pane: CatalogPane) -> None:
    pane.set_kind("measurements")
    headers = [pane.model.headerData(c, Qt.Orientation.Horizontal) for c in range(pane.model.columnCount())]
    pane.search_edit.setText("pp")
    pane.view.sortByColumn(headers.index("Test"), Qt.SortOrder.AscendingOrder)
    column = headers.index("Test")
    tests = [pane.proxy.index(r, column).data() for r in range(pane.proxy.rowCount())]
    numbers = [int(t[2:]) for t in tests if t.startswith("pp") and t[2:].isdigit()]
    assert numbers and numbers == sorted(numbers)


def test_self_test_counts_gpus_as_the_catalog_shows_them(pane: CatalogPane) -> None:
    from planner.ui.self_test import catalog_summary

    pane.set_kind("gpus")
    pane.search_edit.setText("")
    shown = pane.model.rowCount()
    assert f": {shown} GPUs and Apple chips" in catalog_summary(pane.services.catalog)
    assert pane.kind_combo.currentText().startswith("GPUs and Apple chips")


def test_quants_show_small_kl_divergences_in_full(pane: CatalogPane) -> None:
    pane.set_kind("quants")
    headers = [pane.model.headerData(c, Qt.Orientation.Horizontal) for c in range(pane.model.columnCount())]
    kld = headers.index("KLD vs 16-bit")
    model = pane.model
    shown = {model.index(r, COL_NAME).data(): model.index(r, kld).data() for r in range(model.rowCount())}
    assert shown["Q8_0"] == "0.0014" and shown["Q4_K_M"] == "0.032" and shown["Q2_K"] == "0.46"
    assert shown["NVFP4"] == ""  # no published figure
