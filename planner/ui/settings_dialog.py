"""Preferences: currency, electricity price, hours of use, amortization, runtime defaults."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.ui.format import SYMBOLS
from planner.ui.settings import Settings


def _double(low: float, high: float, decimals: int, suffix: str, value: float, parent: QWidget) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setDecimals(decimals)
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    box.setValue(value)
    return box


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        self.currency = QComboBox(self)
        self.currency.addItems(list(SYMBOLS))
        self.currency.setCurrentText(str(settings.get("currency")))
        self.rate = _double(0.0001, 100000, 4, "", float(settings.get("usd_exchange_rate")), self)
        self.rate.setToolTip("How many units of your currency one US dollar buys (catalog prices are in USD)")
        # The electricity price is asked in the chosen currency and stored in US dollars, like every price.
        self._shown_rate = float(settings.get("usd_exchange_rate")) or 1.0
        kwh_usd = float(settings.get("electricity_usd_per_kwh"))
        self.kwh = _double(0, 10_000, 3, "", kwh_usd * self._shown_rate, self)
        self._show_kwh_unit()
        self.currency.currentTextChanged.connect(self._show_kwh_unit)
        self.rate.valueChanged.connect(self._on_rate_value_changed)
        self.hours = _double(0.5, 24, 1, " h/day", float(settings.get("hours_per_day")), self)
        self.years = _double(0.25, 20, 2, " years", float(settings.get("amortization_years")), self)
        self.quant = QComboBox(self)
        self.quant.addItems(["Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "IQ4_XS", "Q3_K_M", "F16", "MXFP4"])
        self.quant.setCurrentText(str(settings.get("default_quant")))
        self.context = QSpinBox(self)
        self.context.setRange(512, 1_048_576)
        self.context.setValue(int(settings.get("default_context")))
        self.kv = QComboBox(self)
        self.kv.addItems(["f16", "q8_0", "q4_0"])
        self.kv.setCurrentText(str(settings.get("default_kv_cache")))
        self.share = _double(0, 1, 2, "", float(settings.get("unified_gpu_share")), self)
        self.share.setSpecialValueText("OS default")
        self.share.setSingleStep(0.05)
        self.share.setToolTip("Share of unified memory (Apple silicon, APUs) the GPU may use")
        self.hz = QSpinBox(self)
        self.hz.setRange(1, 4)
        self.hz.setSuffix(" Hz")
        self.hz.setValue(int(settings.get("telemetry_hz")))
        self.bench_folder = QLineEdit(str(settings.get("llama_bench_folder")), self)
        self.bench_folder.setPlaceholderText("searched: PATH, ~/llama.cpp/build/bin, LM Studio")
        self.bench_folder.setToolTip("The folder that holds llama-bench, if it is not on PATH")
        form = QFormLayout()
        form.addRow("Currency", self.currency)
        form.addRow("1 USD =", self.rate)
        form.addRow("Electricity", self.kwh)
        form.addRow("Hours of use", self.hours)
        form.addRow("Amortize hardware over", self.years)
        form.addRow("Default quant", self.quant)
        form.addRow("Default context", self.context)
        form.addRow("Default KV cache", self.kv)
        form.addRow("GPU share of unified memory", self.share)
        form.addRow("Telemetry rate", self.hz)
        form.addRow("llama-bench folder", self.bench_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _show_kwh_unit(self, *_args: object) -> None:
        self.kwh.setSuffix(f" {self.currency.currentText()} per kWh")

    def _on_rate_value_changed(self, rate: float) -> None:
        """Keep the electricity price the same amount of money when the exchange rate changes."""
        if rate > 0:
            self.kwh.setValue(self.kwh.value() / self._shown_rate * rate)
            self._shown_rate = rate

    def accept(self) -> None:
        s = self.settings
        s.set("currency", self.currency.currentText())
        s.set("usd_exchange_rate", self.rate.value())
        s.set("electricity_usd_per_kwh", self.kwh.value() / (self.rate.value() or 1.0))
        s.set("hours_per_day", self.hours.value())
        s.set("amortization_years", self.years.value())
        s.set("default_quant", self.quant.currentText())
        s.set("default_context", self.context.value())
        s.set("default_kv_cache", self.kv.currentText())
        s.set("telemetry_hz", self.hz.value())
        s.set("unified_gpu_share", self.share.value())
        s.set("llama_bench_folder", self.bench_folder.text().strip())
        s.sync()
        super().accept()
