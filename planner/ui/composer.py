"""The build composer: start from a preset, a saved build or This PC, then edit the parts."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.core.cost import power_draw
from planner.core.hardware import Build
from planner.ui.composer_gpus import GpuListEditor, searchable_combo
from planner.ui.composer_parts import PartsEditor
from planner.ui.format import Money
from planner.ui.services import Services
from planner.ui.state import PlannerState

PSU_HEADROOM = 1.25  # transient spikes and efficiency sweet spot
PRICE_KINDS = (("Used prices where known", "used"), ("New prices", "new"), ("Launch prices", "launch"))


def spin(low: float, high: float, suffix: str, decimals: int = 0, parent: QWidget | None = None) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    if low == 0:
        box.setSpecialValueText("default")
    return box


MERGED_KEYS = {"ram_gb", "ram_mts", "ram_channels", "psu_w", "nodes", "name", "interconnect"}


class EditBuildCommand(QUndoCommand):
    """One composer edit; typing digits into one spin box is one step, not one per digit."""

    def __init__(self, state: PlannerState, before: dict[str, Any], saved: str | None, after: dict[str, Any]):
        super().__init__("Edit build")
        self.state, self.before, self.saved, self.after = state, before, saved, after
        self.keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        self._applied = True  # the composer already applied it when it was pushed

    def id(self) -> int:
        return 1 if self.keys and self.keys <= MERGED_KEYS and len(self.keys) == 1 else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditBuildCommand) or other.keys != self.keys:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.state.set_spec(copy.deepcopy(self.after), saved_name=self.saved)

    def undo(self) -> None:
        self.state.set_spec(copy.deepcopy(self.before), saved_name=self.saved)


class BuildComposer(QWidget):
    """Edits `state.spec`. Every change assembles a new spec and hands it to the state; with an
    undo stack, each change is one Edit ▸ Undo step."""

    def __init__(
        self, state: PlannerState, services: Services, parent: QWidget | None = None, undo: QUndoStack | None = None
    ) -> None:
        super().__init__(parent)
        self.state, self.services = state, services
        self.undo = undo
        catalog = services.catalog
        self._loading = False
        self.name = QLineEdit(self)
        self.gpus = GpuListEditor(catalog, self)
        self.price_kind = QComboBox(self)
        for label, data in PRICE_KINDS:
            self.price_kind.addItem(label, data)
        chips = [("No Apple chip", "")] + [(r["name"], r["id"]) for r in catalog.apple_rows.values()]
        self.apple = searchable_combo(chips, self)
        self.apple_memory = QComboBox(self)
        self.nodes = QSpinBox(self)
        self.nodes.setRange(1, 256)
        self.split = QComboBox(self)
        self.split.addItem("Layer split (llama.cpp default)", "layer")
        self.split.addItem("Tensor parallel (NVLink)", "tensor")
        self.interconnect = QLineEdit(self)
        self.interconnect.setPlaceholderText("e.g. NVLink 4, PCIe 4.0")
        cpus = [("Generic desktop CPU", "")] + [(r["name"], r["id"]) for r in catalog.cpu_rows.values()]
        self.cpu = searchable_combo(cpus, self)
        self.ram_gb = spin(1, 65536, " GB", parent=self)
        self.ram_mts = spin(0, 12800, " MT/s", parent=self)
        self.ram_channels = QSpinBox(self)
        self.ram_channels.setRange(0, 24)
        self.ram_channels.setSpecialValueText("default")
        self.parts = PartsEditor(self, Money(services.settings))
        self.psu = spin(0, 100000, " W", parent=self)
        self.power_label = QLabel(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d9534f;")
        self._layout_form()
        self._connect()
        state.build_changed.connect(self._on_state_build_changed)
        state.build_failed.connect(self._on_state_build_failed)
        state.catalog_changed.connect(self._on_state_catalog_changed)
        state.preferences_changed.connect(self.parts.currency_changed)
        self.load_spec(state.spec)
        self._update_power(state.build)

    def _layout_form(self) -> None:
        gpu_box = QGroupBox("GPUs", self)
        gpu_layout = QVBoxLayout(gpu_box)
        gpu_layout.addWidget(self.gpus)
        gpu_layout.addWidget(self.price_kind)
        apple_box = QGroupBox("Apple silicon", self)
        apple_form = QFormLayout(apple_box)
        apple_form.addRow("Chip", self.apple)
        apple_form.addRow("Unified memory", self.apple_memory)
        cluster_box = QGroupBox("Cluster", self)
        cluster_form = QFormLayout(cluster_box)
        cluster_form.addRow("Nodes", self.nodes)
        cluster_form.addRow("Multi-GPU", self.split)
        cluster_form.addRow("Interconnect", self.interconnect)
        system_box = self.system_box = QGroupBox("CPU and memory", self)
        system_form = QFormLayout(system_box)
        system_form.addRow("CPU", self.cpu)
        system_form.addRow("RAM", self.ram_gb)
        system_form.addRow("RAM speed", self.ram_mts)
        system_form.addRow("Channels", self.ram_channels)
        self.mac_note = QLabel(self)
        self.mac_note.setWordWrap(True)
        parts_box = QGroupBox("Other parts and power", self)
        parts_layout = QVBoxLayout(parts_box)
        parts_layout.addWidget(self.parts)
        psu_form = QFormLayout()
        psu_form.addRow("PSU rating", self.psu)
        psu_form.addRow("Power budget", self.power_label)
        parts_layout.addLayout(psu_form)
        layout = QVBoxLayout(self)
        name_form = QFormLayout()
        name_form.addRow("Build name", self.name)
        layout.addLayout(name_form)
        for box in (gpu_box, apple_box, cluster_box, self.mac_note, system_box, parts_box):
            layout.addWidget(box)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def _connect(self) -> None:
        for signal in (
            self.gpus.changed, self.price_kind.activated, self.apple_memory.activated,
            self.nodes.valueChanged, self.split.activated, self.interconnect.editingFinished, self.cpu.activated,
            self.ram_gb.valueChanged, self.ram_mts.valueChanged, self.ram_channels.valueChanged, self.parts.changed,
            self.psu.valueChanged, self.name.editingFinished,
        ):  # fmt: skip
            signal.connect(self._on_form_changed)
        self.apple.activated.connect(self._on_apple_activated)
        self.apple_memory.activated.connect(self._show_mac_mode)

    # ---- spec <-> form -------------------------------------------------------
    def load_spec(self, spec: dict[str, Any]) -> None:
        self._loading = True
        self.name.setText(str(spec.get("name", "")))
        self.gpus.set_entries(list(spec.get("gpus", [])))
        kinds = [g.get("price_kind") for g in spec.get("gpus", []) if g.get("price_kind")]
        self.price_kind.setCurrentIndex(max(self.price_kind.findData(kinds[0] if kinds else "used"), 0))
        chip = self.services.catalog.resolve_device(spec["apple_chip"]) if spec.get("apple_chip") else ""
        self.apple.setCurrentIndex(max(self.apple.findData(chip), 0))
        self._fill_apple_memory(chip, spec.get("unified_memory_gb"))
        self.nodes.setValue(int(spec.get("nodes", 1)))
        self.split.setCurrentIndex(max(self.split.findData(spec.get("split", "layer")), 0))
        self.interconnect.setText(str(spec.get("interconnect", "")))
        cpu = self.services.catalog.cpu_index.resolve(spec["cpu"]) if spec.get("cpu") else ""
        self.cpu.setCurrentIndex(max(self.cpu.findData(cpu), 0))
        self.ram_gb.setValue(float(spec.get("ram_gb", 32)))
        self.ram_mts.setValue(float(spec.get("ram_mts") or 0))
        self.ram_channels.setValue(int(spec.get("ram_channels") or 0))
        self.parts.set_parts(list(spec.get("parts", [])))
        self.psu.setValue(float(spec.get("psu_w") or 0))
        self._extra: dict[str, Any] = {k: spec[k] for k in ("power_w", "price_usd", "notes") if k in spec}
        self._show_mac_mode()
        self._loading = False

    def spec(self) -> dict[str, Any]:
        price_kind = self.price_kind.currentData()
        gpus = [{**g, "price_kind": price_kind} if "gpu" in g else g for g in self.gpus.entries()]
        spec: dict[str, Any] = {"name": self.name.text().strip() or "Untitled build", "gpus": gpus, **self._extra}
        if self.apple.currentData():
            spec["apple_chip"] = self.apple.currentData()
            spec["unified_memory_gb"] = self.apple_memory.currentData()
        if self.nodes.value() > 1:
            spec["nodes"] = self.nodes.value()
        spec["split"] = self.split.currentData()
        if self.interconnect.text().strip():
            spec["interconnect"] = self.interconnect.text().strip()
        spec["parts"] = self.parts.parts()
        if self.apple.currentData():
            return spec  # a Mac: CPU, memory and power supply are the chip's
        if self.cpu.currentData():
            spec["cpu"] = self.cpu.currentData()
        spec["ram_gb"] = self.ram_gb.value()
        if self.ram_mts.value():
            spec["ram_mts"] = int(self.ram_mts.value())
        if self.ram_channels.value():
            spec["ram_channels"] = self.ram_channels.value()
        if self.psu.value():
            spec["psu_w"] = self.psu.value()
        return spec

    def _show_mac_mode(self) -> None:
        """A Mac has no separate CPU, RAM or PSU to choose: say so instead of showing desktop parts."""
        chip = self.apple.currentData()
        self.system_box.setVisible(not chip)
        self.psu.setEnabled(not chip)
        self.mac_note.setVisible(bool(chip))
        if chip:
            memory = self.apple_memory.currentData() or 0
            self.mac_note.setText(
                f"{self.apple.currentText()}: its CPU, {memory:g} GB of unified memory and the power supply are "
                "built in. Apple silicon Macs run no other GPU."
            )

    def _fill_apple_memory(self, chip_id: str, memory: Any) -> None:
        self.apple_memory.clear()
        self.apple_memory.setEnabled(bool(chip_id))
        if not chip_id:
            return
        options = [float(x) for x in str(self.services.catalog.apple_rows[chip_id]["memory_options_gb"]).split(";")]
        if memory and float(memory) not in options:
            options.append(float(memory))
        for gb in sorted(options):
            self.apple_memory.addItem(f"{gb:g} GB", gb)
        chosen = float(memory) if memory else max(options)
        self.apple_memory.setCurrentIndex(self.apple_memory.findData(chosen))

    # ---- slots ---------------------------------------------------------------
    def _on_apple_activated(self, _index: int) -> None:
        chip = self.apple.currentData() or ""
        self._fill_apple_memory(chip, None)
        if chip:  # choosing a Mac replaces the PC: its GPUs and CPU go (Edit > Undo brings them back)
            self._loading = True
            self.gpus.set_entries([])
            self.cpu.setCurrentIndex(0)
            self._loading = False
        self._show_mac_mode()
        self._on_form_changed()

    def _on_form_changed(self, *_args: object) -> None:
        if self._loading:
            return
        try:
            spec = self.spec()
        except ValueError as exc:
            self._on_state_build_failed(f"a part's price, quantity or watts is not a number ({exc})")
            return
        before, saved = copy.deepcopy(self.state.spec), self.state.saved_name
        if self.state.set_spec(spec, saved_name=saved) and self.undo is not None and before != self.state.spec:
            self.undo.push(EditBuildCommand(self.state, before, saved, copy.deepcopy(self.state.spec)))

    def _on_state_build_changed(self, build: Build) -> None:
        self.error.clear()
        if not self._loading and self.spec() != self.state.spec:
            self.load_spec(self.state.spec)
        self._update_power(build)

    def _on_state_catalog_changed(self) -> None:
        self.gpus.set_catalog(self.services.catalog)
        self.load_spec(self.state.spec)

    def _on_state_build_failed(self, message: str) -> None:
        self.error.setText(f"This build cannot be assembled: {message}")

    def _update_power(self, build: Build) -> None:
        load_w, _idle = power_draw(build, cpu_busy=True)
        needed = load_w * PSU_HEADROOM
        psu = build.psu_w
        if build.is_unified:
            verdict = f"Peak draw {load_w:,.0f} W (whole chip); the power supply is built in"
            self.power_label.setStyleSheet("")
        elif not psu:
            verdict = (
                f"Peak draw {load_w:,.0f} W (every part at full load); a {needed:,.0f} W supply leaves "
                f"{PSU_HEADROOM - 1:.0%} headroom"
            )
            self.power_label.setStyleSheet("")
        elif psu >= needed:
            verdict = f"Peak draw {load_w:,.0f} W — {psu:,.0f} W PSU is enough ({psu / load_w - 1:.0%} headroom)"
            self.power_label.setStyleSheet("color: #3c9a5f;")
        else:
            verdict = f"Peak draw {load_w:,.0f} W — {psu:,.0f} W PSU is too small; get {needed:,.0f} W or more"
            self.power_label.setStyleSheet("color: #d9534f;")
        self.power_label.setText(verdict)
        self.power_label.setWordWrap(True)
