"""This PC: the detected hardware, its catalog matches, how each probe fared, and live telemetry.

Detection runs on a worker, started when the main window first appears (or when this
pane is first shown); the window never waits for it. Telemetry samples only while the
pane is visible.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from planner.core.estimate import Estimate
from planner.core.units import GIB
from planner.hardware.detect import DEFAULT_TIMEOUT_S, GPU_PROBES, Detection
from planner.hardware.match import ThisPc, this_pc
from planner.ui.format import esc
from planner.ui.services import Services
from planner.ui.state import PlannerState
from planner.ui.telemetry_charts import SamplerFactory, TelemetryCharts, real_sampler
from planner.ui.workers import Worker

STATUS_COLORS = {"ok": "#2e7d32", "absent": "#777777", "error": "#b00020", "timeout": "#b35c00"}


def predicted_gib(estimate: Estimate | None) -> float | None:
    """The planner's predicted memory for the model: weights, KV cache and overhead."""
    if estimate is None:
        return None
    p = estimate.placement
    return (p.weights_bytes + p.kv_bytes + p.overhead_bytes) / GIB


def telemetry_gpus(detection: Detection) -> tuple[tuple[int, ...], str]:
    """The NVML indices to sample, or none and why."""
    nvml = tuple(g.index for g in detection.gpus if g.source == "nvml" and not g.integrated)
    if nvml:
        return nvml, ""
    others = [g.name for g in detection.gpus if not g.integrated]
    if others:
        return (), f"{', '.join(others)} found, but live GPU figures need an NVIDIA GPU with NVML"
    reasons = [r.reason for p in GPU_PROBES if (r := detection.result(p)) is not None and r.reason]
    return (), "; ".join(reasons) or "no probe reported a GPU"


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<th align='left'>{esc(h)}&nbsp;&nbsp;</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}&nbsp;&nbsp;</td>" for c in row) + "</tr>" for row in rows)
    return f"<table cellspacing='3'><tr>{head}</tr>{body}</table>"


def summary_html(detection: Detection, pc: ThisPc) -> str:
    gpus = [
        (
            esc(m.detected_name),
            f"{m.detected_memory_gib:.1f} GiB",
            f"{m.accelerator.bandwidth_gbs:,.0f} GB/s" if m.accelerator.bandwidth_gbs else "unknown",
            esc(f"{m.accelerator.name} ({m.catalog_id})") if m.in_catalog else "<b>not in catalog</b>",
            esc(m.note),
        )
        for m in pc.gpu_matches
    ]
    parts = ["<h3>GPUs</h3>"]
    parts.append(_table(("Detected", "VRAM", "Bandwidth", "Catalog match", "How"), gpus) if gpus else "<p>none</p>")
    cpu, memory, os_info = detection.cpu, detection.memory, detection.os
    cpu_text = f"{esc(cpu.brand)} ({cpu.cores or '?'} cores, {cpu.threads or '?'} threads)" if cpu else "not detected"
    match = "in catalog" if pc.cpu_in_catalog else "not in catalog: custom entry"
    ram = "not detected"
    if memory:
        speed = f"{memory.speed_mts} MT/s" if memory.speed_mts else "speed unknown"
        ram = f"{memory.total_gib:.1f} GiB, {speed}, {memory.channels or 'unknown'} channels"
    osname = "not detected"
    if os_info:
        osname = esc(f"{os_info.system} {os_info.release} ({os_info.machine})")
        osname += " in a container" if os_info.in_container else ""
    parts.append(
        f"<h3>System</h3><p><b>CPU:</b> {cpu_text} — {esc(pc.build.cpu.name)}, {match}<br>"
        f"<b>RAM:</b> {ram}<br><b>OS:</b> {osname}</p>"
    )
    if pc.notes:
        parts.append("<h3>Notes</h3><ul>" + "".join(f"<li>{esc(n)}</li>" for n in pc.notes) + "</ul>")
    probes = [
        (
            esc(r.probe),
            f"<span style='color:{STATUS_COLORS.get(r.status, '#000')}'><b>{esc(r.status)}</b></span>",
            esc(r.method if r.ok else r.reason),
            f"{r.elapsed_s:.2f} s",
        )
        for r in detection.results
    ]
    parts.append("<h3>How it was detected</h3>")
    parts.append(_table(("Probe", "Status", "Method or reason", "Took"), probes) if probes else "<p>no probes ran</p>")
    return "".join(parts)


class ThisPcPane(QWidget):
    """Signals: `detection_started()`, `detection_finished(object)` (a Detection),
    `detection_failed(str)`."""

    detection_started = Signal()
    detection_finished = Signal(object)
    detection_failed = Signal(str)

    def __init__(
        self,
        state: PlannerState,
        services: Services,
        parent: QWidget | None = None,
        sampler_factory: SamplerFactory = real_sampler,
        detect_timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.services = services
        self.detect_timeout_s = detect_timeout_s
        self.this_pc: ThisPc | None = None
        self.detect_worker: Worker | None = None
        self.status_label = QLabel("Hardware detection has not run yet.")
        self.detect_button = QPushButton("Detect again")
        self.detect_button.clicked.connect(self._on_detect_button_clicked)
        self.use_button = QPushButton("Use as current build")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self._on_use_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.status_label, 1)
        top.addWidget(self.detect_button)
        top.addWidget(self.use_button)
        self.summary = QTextBrowser()
        self.summary.setOpenExternalLinks(True)
        self.charts = TelemetryCharts(sampler_factory, self)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.summary)
        splitter.addWidget(self.charts)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([330, 470])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        state.estimate_changed.connect(self._on_state_estimate_changed)
        first_shown = getattr(parent, "first_shown", None)
        if first_shown is not None:  # the main window: detect as soon as it appears
            first_shown.connect(self._on_window_first_shown)
        if services.detection is not None:
            self._show_detection(services.detection)

    # ---- detection -------------------------------------------------------------------
    def start_detection(self) -> None:
        """Run detection on a worker; `detection_finished` follows. Does nothing while one runs."""
        if self.detect_worker is not None:
            return
        self.status_label.setText("Detecting hardware…")
        self.detect_button.setEnabled(False)
        detect, timeout_s = self.services.detect, self.detect_timeout_s
        self.detect_worker = self.services.workers.start(
            lambda _progress, _cancelled: detect(timeout_s),  # type: ignore[operator]
            finished=self._on_detect_worker_finished,
            failed=self._on_detect_worker_failed,
        )
        self.detection_started.emit()

    def _show_detection(self, detection: Detection) -> None:
        self.this_pc = this_pc(detection, self.services.catalog)
        self.summary.setHtml(summary_html(detection, self.this_pc))
        gpus = len(self.this_pc.gpu_matches)
        self.status_label.setText(f"Detected {gpus} GPU{'s' if gpus != 1 else ''}, {self.this_pc.build.cpu.name}.")
        self.use_button.setEnabled(True)
        indices, reason = telemetry_gpus(detection)
        self.charts.set_gpus(indices, reason)
        self._update_prediction()
        if self.isVisible():
            self._start_telemetry()

    def _start_telemetry(self) -> None:
        if self.this_pc is not None and not self.charts.running:
            self.charts.start(float(self.services.settings.get("telemetry_hz")))

    def _update_prediction(self) -> None:
        self.charts.set_prediction_gib(predicted_gib(self.state.estimate) if self.charts.gpu_indices else None)

    # ---- Qt events ---------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.this_pc is None and self.services.detection is not None:
            self._show_detection(self.services.detection)
        elif self.this_pc is None:
            self.start_detection()
        self._start_telemetry()

    def hideEvent(self, event: QHideEvent) -> None:
        self.charts.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.charts.stop()
        super().closeEvent(event)

    # ---- slots -------------------------------------------------------------------------
    def _on_window_first_shown(self) -> None:
        if self.this_pc is None:
            self.start_detection()

    def _on_detect_button_clicked(self) -> None:
        self.start_detection()

    def _on_detect_worker_finished(self, detection: Detection) -> None:
        self.detect_worker = None
        self.detect_button.setEnabled(True)
        self.services.detection = detection
        self._show_detection(detection)
        self.detection_finished.emit(detection)

    def _on_detect_worker_failed(self, message: str) -> None:
        self.detect_worker = None
        self.detect_button.setEnabled(True)
        self.status_label.setText(f"Detection failed: {message}")
        self.detection_failed.emit(message)

    def _on_use_button_clicked(self) -> None:
        self.use_as_current_build()

    def use_as_current_build(self) -> None:
        """Make This PC the current build, detecting first if that has not finished yet."""
        if self.this_pc is not None:
            self.state.set_build(self.this_pc.build, self.this_pc.to_spec())
            return
        self.detection_finished.connect(self._on_detection_finished_use, Qt.ConnectionType.SingleShotConnection)
        self.start_detection()

    def _on_detection_finished_use(self, _detection: object) -> None:
        self.use_as_current_build()

    def _on_state_estimate_changed(self, _estimate: object) -> None:
        self._update_prediction()
