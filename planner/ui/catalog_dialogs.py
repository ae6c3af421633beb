"""Small forms of the catalog browser: a custom GPU, a custom model, a price override.

Each dialog only collects values; `row()` / `values()` turn them into what the
catalog layer stores and raise `InputError` for values that cannot work, so the
dialog stays open and shows why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.catalog.model_import import model_from_config_json
from planner.catalog.user_catalog import custom_gpu_row
from planner.errors import InputError

Row = dict[str, Any]
PRICE_KINDS = ("new", "used")


def _spin(maximum: float, value: float, decimals: int = 1, suffix: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, maximum)
    box.setDecimals(decimals)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


def _int_spin(maximum: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setValue(value)
    return box


class _FormDialog(QDialog):
    """A form with OK/Cancel and an error line; OK only closes when `_check()` passes."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _check(self) -> None:
        raise NotImplementedError

    def _on_buttons_accepted(self) -> None:
        try:
            self._check()
        except InputError as exc:
            self.error_label.setText(str(exc))
            return
        self.accept()


class CustomGpuDialog(_FormDialog):
    """A GPU the catalog lacks: name, memory and bandwidth (the figures the estimate needs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add a custom GPU", parent)
        self.name_edit = QLineEdit()
        self.vendor_combo = QComboBox()
        self.vendor_combo.addItems(["NVIDIA", "AMD", "Intel", "Other"])
        self.vram_spin = _spin(1024, 24, suffix=" GB")
        self.bandwidth_spin = _spin(20_000, 900, suffix=" GB/s")
        self.fp16_spin = _spin(10_000, 0, suffix=" TFLOPS")
        self.fp16_spin.setSpecialValueText("unknown")
        self.power_spin = _spin(2000, 0, decimals=0, suffix=" W")
        self.power_spin.setSpecialValueText("unknown")
        for label, widget in (
            ("Name", self.name_edit),
            ("Vendor", self.vendor_combo),
            ("Memory", self.vram_spin),
            ("Bandwidth", self.bandwidth_spin),
            ("FP16", self.fp16_spin),
            ("Board power", self.power_spin),
        ):
            self.form.addRow(label, widget)

    def row(self) -> Row:
        return custom_gpu_row(
            self.name_edit.text(),
            self.vram_spin.value(),
            self.bandwidth_spin.value(),
            vendor=self.vendor_combo.currentText(),
            fp16_tflops=self.fp16_spin.value() or None,
            board_power_w=self.power_spin.value() or None,
        )

    def _check(self) -> None:
        self.row()


class CustomModelDialog(_FormDialog):
    """A model typed in by its shape; the parameter count is computed from it."""

    FIELDS = (
        ("num_hidden_layers", "Layers", 32),
        ("hidden_size", "Hidden size", 4096),
        ("intermediate_size", "FFN size", 14336),
        ("num_attention_heads", "Attention heads", 32),
        ("num_key_value_heads", "KV heads", 8),
        ("vocab_size", "Vocabulary", 128256),
        ("max_position_embeddings", "Max context", 131072),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add a custom model", parent)
        self.name_edit = QLineEdit()
        self.form.addRow("Name", self.name_edit)
        self.spins: dict[str, QSpinBox] = {}
        for key, label, default in self.FIELDS:
            self.spins[key] = _int_spin(10_000_000, default)
            self.form.addRow(label, self.spins[key])

    def row(self) -> Row:
        name = self.name_edit.text().strip()
        if not name:
            raise InputError("a custom model needs a name")
        config = {key: spin.value() for key, spin in self.spins.items()}
        row = model_from_config_json({"model_type": "custom", **config}, name=name)
        row["source_url"] = "entered by you"
        return row

    def _check(self) -> None:
        self.row()


class PriceDialog(_FormDialog):
    """Your own price for one GPU, CPU or chip; it replaces the catalog's in your builds."""

    def __init__(self, item_name: str, current_usd: float | None, parent: QWidget | None = None) -> None:
        super().__init__(f"Your price for {item_name}", parent)
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(PRICE_KINDS)
        self.price_spin = _spin(1_000_000, current_usd or 0.0, decimals=2)
        self.price_spin.setPrefix("$")
        self.form.addRow("Price kind", self.kind_combo)
        self.form.addRow("Price", self.price_spin)

    def values(self) -> tuple[str, float]:
        price = self.price_spin.value()
        if price <= 0:
            raise InputError("enter a price above $0")
        return self.kind_combo.currentText(), price

    def _check(self) -> None:
        self.values()
