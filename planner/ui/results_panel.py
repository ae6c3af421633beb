"""Results: fit verdict, memory per device, speeds with ranges, measured figures, cost, and why."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QTextBrowser, QToolButton, QVBoxLayout, QWidget

from planner.catalog.pricing import included_text
from planner.core.estimate import Estimate
from planner.core.placement import DeviceLoad, Fit
from planner.errors import PlannerError
from planner.ui.adjust_toggle import AdjustToggle
from planner.ui.format import Money, esc, gib, tok_range, tok_s
from planner.ui.memory_bar import MemoryBar
from planner.ui.services import Services
from planner.ui.state import PlannerState

VERDICT_COLORS = {Fit.GPU: "#3c9a5f", Fit.PARTIAL: "#e0a030", Fit.CPU: "#e07b30", Fit.NONE: "#d9534f"}


def verdict_text(estimate: Estimate) -> str:
    """The headline: what runs where, in the words that match this machine."""
    p, build = estimate.placement, estimate.build
    needed = gib(p.weights_bytes + p.kv_bytes + p.overhead_bytes)
    if p.verdict == Fit.GPU:
        return "Fits fully in unified memory (GPU share)" if build.is_unified else "Fits fully in GPU memory"
    if p.verdict == Fit.PARTIAL:
        if p.gpu_layers == p.total_layers:
            return f"All {p.total_layers} layers on the GPU; only the output layer runs on the CPU from system RAM"
        where = "the CPU share of unified memory" if build.is_unified else "the CPU from system RAM"
        return f"Partial offload: {p.gpu_layers} of {p.total_layers} layers on the GPU, {p.cpu_layers} on {where}"
    if p.verdict == Fit.CPU:
        return "Runs on the CPU from system RAM"
    if build.is_unified:
        memory = sum(a.memory_gb for a in build.accelerators)
        return f"Does not fit: needs {needed}, more than the {memory:g} GB of unified memory"
    return (
        f"Does not fit: needs {needed}; GPU memory {gib(p.gpu_capacity_bytes)} plus usable system RAM "
        f"{gib(p.ram_capacity_bytes)}"
    )


def device_groups(estimate: Estimate) -> list[tuple[str, list[DeviceLoad]]]:
    """Identical devices share one bar: '8 × NVIDIA H200 (tensor parallel: 1/8 of each of 80 layers)'."""
    groups: dict[str, list[DeviceLoad]] = {}
    for device in estimate.placement.devices:
        groups.setdefault(device.accelerator.id, []).append(device)
    tensor = estimate.build.split == "tensor" and len(estimate.placement.devices) > 1
    total = estimate.placement.total_layers
    out = []
    for devices in groups.values():
        name, n = devices[0].accelerator.name, len(devices)
        if tensor:
            label = f"{n} × {name} (tensor parallel: 1/{len(estimate.placement.devices)} of each of {total} layers)"
        elif n == 1:
            label = f"{name} ({devices[0].layers} layers)"
        else:
            layers = sum(d.layers for d in devices)
            split = " + ".join(str(d.layers) for d in devices) if n <= 4 else f"{n} GPUs"
            label = f"{n} × {name} ({layers} layers: {split})"
        out.append((label, devices))
    return out


def measured_item(m: dict[str, Any]) -> str:
    if m.get("source") == "this PC":
        details = "; ".join(x for x in (m.get("settings"), m.get("llama_build")) if x)
        return (
            f"{esc(m['test'])}: <b>{m['tokens_per_s']:,.1f}</b> tok/s — <b>measured on this PC</b> "
            f"({esc(m['tool'])}, {esc(m['measured_at'][:10])}{'; ' + esc(details) if details else ''})"
        )
    return (
        f"{esc(m['test'])}: <b>{m['tokens_per_s']:,.1f}</b> tok/s ({esc(m['backend'])}, "
        f'<a href="{esc(m["source_url"])}">source</a>)'
    )


class ResultsPanel(QWidget):
    """Shows `state.estimate`; every number has a tooltip or the Why panel behind it."""

    def __init__(self, state: PlannerState, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.money = Money(services.settings)
        self.services = services
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
        self.adjust = AdjustToggle(state, self)
        speed_form.addRow("", self.adjust)
        self.measured = QLabel(self)
        self.measured.setOpenExternalLinks(True)
        self.measured.setWordWrap(True)
        speed_form.addRow("Measured", self.measured)
        cost_box = QGroupBox("Cost", self)
        cost_form = QFormLayout(cost_box)
        self.price, self.power, self.per_mtok, self.per_1000 = (QLabel(self) for _ in range(4))
        self.price.setWordWrap(True)
        self.decode_full_tok_s: float | None = None
        cost_form.addRow("Hardware", self.price)
        cost_form.addRow("Power while generating", self.power)
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
        self.estimate_boxes = (self.bars_box, speed_box, cost_box, self.why_button)
        layout = QVBoxLayout(self)
        for widget in (self.verdict, self.error, self.bars_box, speed_box, cost_box, self.why_button, self.why):
            layout.addWidget(widget)
        layout.addStretch(1)
        state.estimate_changed.connect(self._on_state_estimate_changed)
        state.estimate_failed.connect(self._on_state_estimate_failed)
        if state.estimate is not None:
            self._on_state_estimate_changed(state.estimate)
        else:  # the state's first estimate failed before this panel listened (a CS-3, say): say why
            try:
                state.estimate_for(state.build)
            except PlannerError as exc:
                self._on_state_estimate_failed(str(exc))

    def _on_state_estimate_failed(self, message: str) -> None:
        dataflow = self.state.build.dataflow is not None
        self.error.setStyleSheet("" if dataflow else "color: #d9534f;")
        self.error.setText(esc(message))
        if dataflow:  # vendor figures, not a llama.cpp estimate: no GPU memory bars, no roofline speeds
            self.verdict.setText('<span style="font-size: 15pt;"><b>Vendor-published figures</b></span>')
            for widget in (*self.estimate_boxes, self.why):
                widget.setVisible(False)

    def _on_state_estimate_changed(self, estimate: Estimate | None) -> None:
        if estimate is None:
            return
        self.error.clear()
        for widget in self.estimate_boxes:
            widget.setVisible(True)
        self.why.setVisible(self.why_button.isChecked())
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
        for label, devices in device_groups(estimate):
            self._bar(shown).set_values(
                label, sum(d.weights_bytes for d in devices), sum(d.kv_bytes for d in devices),
                sum(d.overhead_bytes for d in devices), sum(d.capacity_bytes for d in devices),
            )  # fmt: skip
            shown += 1
        if p.cpu_layers or not p.devices:
            where = "CPU share of unified memory" if estimate.build.is_unified else "System RAM"
            self._bar(shown).set_values(f"{where} ({p.cpu_layers} layers)", p.cpu_bytes, 0.0, 0.0, p.ram_capacity_bytes)
            shown += 1
        for index, bar in enumerate(self.bars):
            bar.setVisible(index < shown)

    def _show_speed(self, estimate: Estimate) -> None:
        if estimate.decode_tok_s is None:
            self.decode.setText("—")
            self.prefill.setText("—")
        else:
            depth = estimate.workload.depth
            at = "with an empty context" if depth == 0 else f"with {depth:,} tokens in context"
            text = f"<b>{tok_s(estimate.decode_tok_s)} tok/s</b> {at} (likely {tok_range(estimate.decode_range)})"
            full = self._at_full_context(estimate)
            if full is not None:
                self.decode_full_tok_s = full.decode_tok_s
                text += (
                    f"<br><b>{tok_s(full.decode_tok_s)} tok/s</b> with the context full "
                    f"({estimate.workload.context:,} tokens; likely {tok_range(full.decode_range)})"
                )
            self.decode.setText(text)
            self.prefill.setText(
                f"<b>{tok_s(estimate.prefill_tok_s)} tok/s</b> (likely {tok_range(estimate.prefill_range)})"
                if estimate.prefill_tok_s is not None
                else "unavailable: the GPU's compute (FP16 TFLOPS) is unknown"
            )
        ctx = estimate.max_context_on_gpu
        self.max_ctx.setText("does not fit at any context" if ctx <= 0 else f"{ctx:,} tokens")
        if estimate.measured:
            items = [measured_item(m) for m in estimate.measured[:8]]
            self.measured.setText("<br>".join(items))
        else:
            self.measured.setText("no public measurement of this device, model and quant")

    def _at_full_context(self, estimate: Estimate) -> Estimate | None:
        """The same estimate with the KV cache full: what the chart beside it shows."""
        workload = estimate.workload
        if workload.depth >= workload.context:
            return None
        try:
            full = self.services.estimator.estimate_build(
                estimate.build, estimate.model.id, estimate.quant.name, replace(workload, depth=workload.context),
                with_max_context=False,
            )  # fmt: skip
        except PlannerError:
            return None
        return full if full.decode_tok_s is not None else None

    def _show_cost(self, estimate: Estimate) -> None:
        c = estimate.cost
        price = f"<b>{self.money(c.hardware_usd)}</b>"
        if c.hardware_usd is not None and not c.complete_prices:
            price += " (some parts have no price)"
        price += f"<br>{esc(included_text(estimate.build))}"
        self.price.setText(price)
        self.price.setToolTip(
            "\n".join(
                f"{p.name}: {self.money(p.price_usd)} × {p.quantity} ({p.price_kind})" for p in estimate.build.parts
            )
        )
        self.power.setText(
            f"{c.power_load_w:,.0f} W ({c.power_idle_w:,.0f} W idle) — {self.money(c.usd_per_day_power, 2)}/day"
        )
        if c.usd_per_mtok is not None:
            self.per_mtok.setText(self.money(c.usd_per_mtok, 2))
        elif c.electricity_usd_per_mtok is not None:
            self.per_mtok.setText(
                f"— without a full hardware price; electricity alone {self.money(c.electricity_usd_per_mtok, 2)}"
            )
        else:
            self.per_mtok.setText("—")
        per_1000 = None if c.tok_s_per_1000_usd is None else c.tok_s_per_1000_usd / self.money.rate
        thousand = self.money(1000 / self.money.rate)  # 1,000 in the user's currency
        self.per_1000.setText("—" if per_1000 is None else f"{per_1000:,.1f} tok/s per {thousand}")

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
