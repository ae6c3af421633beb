"""The Catalog pane's "Find on Hugging Face" box against a local server replaying Hub responses."""

from __future__ import annotations

import pytest

from planner.ui.catalog_pane import CatalogPane
from planner.ui.services import Services
from planner.ui.state import PlannerState
from tests.catalog.test_hf_hub import Hub, hub  # noqa: F401  (the replay server fixture)


@pytest.fixture
def pane(qtbot, state: PlannerState, services: Services) -> CatalogPane:
    widget = CatalogPane(state, services)
    qtbot.addWidget(widget)
    return widget


def test_search_then_import_adds_a_custom_model(qtbot, pane: CatalogPane, hub: Hub) -> None:  # noqa: F811
    box = pane.hf_box
    assert box.results.isHidden()  # no empty list before a search
    box.query.setText("qwen3 8b")
    with qtbot.waitSignal(box.results_shown, timeout=20_000) as shown:
        box.search_button.click()
    assert [r["repo"] for r in shown.args[0]] == ["Qwen/Qwen3-8B", "unsloth/Qwen3-8B-GGUF"]
    assert box.results.count() == 2 and "[GGUF]" in box.results.item(1).text()
    assert not box.results.isHidden()
    box.results.setCurrentRow(0)
    assert box.import_button.isEnabled()
    with qtbot.waitSignal(pane.import_finished, timeout=20_000) as imported:
        box.import_button.click()
    row = imported.args[0]
    assert (row["n_layers"], row["n_kv_heads"]) == (36, 8)
    assert "Imported Qwen/Qwen3-8B from its config.json" in box.status.text()
    assert not box.cancel_button.isEnabled() and box.search_button.isEnabled()


def test_a_repo_id_goes_straight_to_the_gguf_header(qtbot, pane: CatalogPane, hub: Hub) -> None:  # noqa: F811
    box = pane.hf_box
    with qtbot.waitSignal(box.model_found, timeout=20_000) as found:
        box.search("someone/Tiny-Llama-GGUF")
    assert found.args[0].model_source == "gguf header Tiny-Llama-Q4_K_M.gguf"
    assert "Q4_K_M" in box.status.text() and "GiB" in box.status.text()


def test_no_network_says_so(qtbot, pane: CatalogPane, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    box = pane.hf_box
    with qtbot.waitSignal(box.lookup_failed, timeout=30_000) as failed:
        box.search("qwen3")
    assert "no network" in failed.args[0]
    assert "b00020" in box.status.styleSheet() and box.search_button.isEnabled()
