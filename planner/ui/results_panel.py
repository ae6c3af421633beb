"""Results: fit verdict, memory per device, speeds with ranges, measured figures, cost, and why."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QTextBrowser, QToolButton, QVBoxLayout, QWidget

from planner.core.estimate import Estimate
from planner.core.placement import Fit
from planner.ui.format import Money, esc, gib, tok_range, tok_s
from planner.ui.memory_bar import MemoryBar
from planner.ui.services import Services
from planner.ui.state import PlannerState

VERDICT_COLORS = {Fit.GPU: "#3c9a5f", Fit.PARTIAL: "#e0a030", Fit.CPU: "#e07b30", Fit.NONE: "#d9534f"}


def verdict_text(estimate: Estimate) -> str:
    p = estimate.placement
    return {
        Fit.GPU: "Fits fully in GPU memory",
        Fit.PARTIAL: f"Partial offload: {p.gpu_layers} of {p.total_layers} layers on the GPU, the rest on the CPU",
        Fit.CPU: "Runs on the CPU from system RAM",
        Fit.NONE: "Does not fit: not enough GPU memory plus system RAM",
    }[p.verdict]


class ResultsPanel(QWidget):
    """Shows `state.estimate`; every number has a tooltip or the Why panel behind it."""

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.money = Money(services.settings)
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.bars_box = QGroupBox("Memory", self)
        self.bars_layout = QVBoxLayout(self.bars_box)
        self.bars: list[MemoryBar] = []
        speed_box = QGroupBox("Speed (llama.cpp, batch 1)", self)
        speed_form = QFormLayout(speed_box)
        self.decode, self.prefill, self.max_ctx = QLabel(self), QLabel(self), QLabel(self)
        speed_form.addRow("Generation", self.decode)
        speed_form.addRow("Prompt processing", self.prefill)
        speed_form.addRow("Longest context on GPU", self.max_ctx)
        self.measured = QLabel(self)
        self.measured.setOpenExternalLinks(True)
        self.measured.setWordWrap(True)
        speed_form.addRow("Measured", self.measured)
        cost_box = QGroupBox("Cost", self)
        cost_form = QFormLayout(cost_box)
        self.price, self.power, self.per_mtok, self.per_1000 = (QLabel(self) for _ in range(4))
        cost_form.addRow("Hardware", self.price)
        cost_form.addRow("Power", self.power)
        cost_form.addRow("Per million tokens", self.per_mtok)
        cost_form.addRow("Value", self.per_1000)
        self.why_button = QToolButton(self)
        self.why_button.setText("Why these numbers?")
        self.why_button.setCheckable(True)
        self.why = QTextBrowser(self)
        self.why.setVisible(False)
        self.why.setMinimumHeight(140)
        self.why_button.toggled.connect(self.why.setVisible)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d9534f;")
        layout = QVBoxLayout(self)
        for widget in (self.verdict, self.error, self.bars_box, speed_box, cost_box, self.why_button, self.why):
            layout.addWidget(widget)
        layout.addStretch(1)
        state.estimate_changed.connect(self._on_state_estimate_changed)
        state.estimate_failed.connect(self._on_state_estimate_failed)
        if state.estimate is not None:
            self._on_state_estimate_changed(state.estimate)

    def _on_state_estimate_failed(self, message: str) -> None:
        self.error.setText(esc(message))

    def _on_state_estimate_changed(self, estimate: Estimate | None) -> None:
        if estimate is None:
            return
        self.error.clear()
        color = VERDICT_COLORS[estimate.fit]
        self.verdict.setText(f'<span style="font-size: 15pt; color: {color};"><b>{verdict_text(estimate)}</b></span>')
        self._show_memory(estimate)
        self._show_speed(estimate)
        self._show_cost(estimate)
        self._show_why(estimate)

    def _bar(self, index: int) -> MemoryBar:
        while len(self.bars) <= index:
            bar = MemoryBar(self.bars_box)
            self.bars.append(bar)
            self.bars_layout.addWidget(bar)
        return self.bars[index]

    def _show_memory(self, estimate: Estimate) -> None:
        p = estimate.placement
        shown = 0
        for device in p.devices:
            self._bar(shown).set_values(
                f"{device.accelerator.name} ({device.layers} layers)", device.weights_bytes, device.kv_bytes,
                device.overhead_bytes, device.capacity_bytes,
            )  # fmt: skip
            shown += 1
        if p.cpu_layers or not p.devices:
            self._bar(shown).set_values(
                f"System RAM ({p.cpu_layers} layers)", p.cpu_bytes, 0.0, 0.0, p.ram_capacity_bytes
            )
            shown += 1
        for index, bar in enumerate(self.bars):
            bar.setVisible(index < shown)

    def _show_speed(self, estimate: Estimate) -> None:
        if estimate.decode_tok_s is None:
            self.decode.setText("—")
            self.prefill.setText("—")
        else:
            self.decode.setText(
                f"<b>{tok_s(estimate.decode_tok_s)} tok/s</b> (likely {tok_range(estimate.decode_range)})"
            )
            self.prefill.setText(
                f"<b>{tok_s(estimate.prefill_tok_s)} tok/s</b> (likely {tok_range(estimate.prefill_range)})"
                if estimate.prefill_tok_s is not None
                else "unavailable: the GPU's compute (FP16 TFLOPS) is unknown"
            )
        ctx = estimate.max_context_on_gpu
        self.max_ctx.setText("does not fit at any context" if ctx <= 0 else f"{ctx:,} tokens")
        if estimate.measured:
            items = [
                f"{esc(m['test'])}: <b>{m['tokens_per_s']:,.1f}</b> tok/s ({esc(m['backend'])}, "
                f'<a href="{esc(m["source_url"])}">source</a>)'
                for m in estimate.measured[:8]
            ]
            self.measured.setText("<br>".join(items))
        else:
            self.measured.setText("no public measurement of this device, model and quant")

    def _show_cost(self, estimate: Estimate) -> None:
        c = estimate.cost
        price = self.money(c.hardware_usd)
        if c.hardware_usd is not None and not c.complete_prices:
            price += " (some parts have no price)"
        if c.hardware_used_usd and c.hardware_new_usd and c.hardware_used_usd != c.hardware_new_usd:
            price += f" — new {self.money(c.hardware_new_usd)}, used {self.money(c.hardware_used_usd)}"
        self.price.setText(price)
        self.power.setText(
            f"{c.power_load_w:,.0f} W at load, {c.power_idle_w:,.0f} W idle — {self.money(c.usd_per_day_power, 2)}/day"
        )
        if c.usd_per_mtok is not None:
            self.per_mtok.setText(self.money(c.usd_per_mtok, 2))
        elif c.electricity_usd_per_mtok is not None:
            self.per_mtok.setText(
                f"— without a full hardware price; electricity alone {self.money(c.electricity_usd_per_mtok, 2)}"
            )
        else:
            self.per_mtok.setText("—")
        self.per_1000.setText("—" if c.tok_s_per_1000_usd is None else f"{c.tok_s_per_1000_usd:,.1f} tok/s per $1,000")

    def _show_why(self, estimate: Estimate) -> None:
        p = estimate.placement
        lines = [f"<li>{esc(a)}</li>" for a in estimate.assumptions]
        lines.append(
            f"<li>weights {gib(p.weights_bytes)} ({esc(estimate.quant.name)}, {estimate.quant.body_bpw:.2f} bits per "
            f"weight), KV cache {gib(p.kv_bytes)}, compute buffers {gib(p.overhead_bytes)}</li>"
        )
        lines += [f'<li style="color:#d9534f">{esc(w)}</li>' for w in estimate.warnings]
        self.why.setHtml("<ul>" + "".join(lines) + "</ul>")
        self.decode.setToolTip("\n".join(estimate.assumptions))
        self.prefill.setToolTip("\n".join(estimate.assumptions))
