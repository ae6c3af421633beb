"""Estimates for This PC that use what was measured on it.

Three things change for the build detected as This PC:
- CPU-held layers stream at the measured RAM bandwidth (the RAM probe) instead of a
  typical share of channels x MT/s x 8;
- host-to-GPU copies run at the slowest GPU's PCIe link relative to 4.0 x16;
- speeds are multiplied by the per-PC correction fitted to this PC's llama-bench, Ollama
  and llama-server runs ("adjusted to your measurements"); the unadjusted figures stay
  in `ThisPcEstimate.unadjusted`.
The measurements themselves are listed in `Estimate.measured` with source "this PC".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from planner.core.calibration import Calibration
from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.workload import Workload
from planner.errors import PlannerError
from planner.estimation.front import Estimator
from planner.measure.correction import Correction, fit_correction
from planner.measure.ram import RamBandwidth
from planner.measure.records import THIS_PC as THIS_PC_ORIGIN
from planner.measure.records import PcMeasurement

KV_TYPES = ("f16", "q8_0", "q4_0")
THIS_PC = "This PC"  # planner.hardware.match names the detected build so
PCIE4_X16_GBS = 31.5  # the link the calibration's pcie_gbs was taken on: 16 lanes x 1.969 GB/s


def is_this_pc(build: Build) -> bool:
    return build.extra.get("source") == "detected" or build.name == THIS_PC


@dataclass(frozen=True)
class PcFacts:
    """What was measured on this PC."""

    ram: RamBandwidth | None = None
    pcie_gbs: tuple[float, ...] = ()  # each GPU's usable PCIe link bandwidth
    measurements: tuple[PcMeasurement, ...] = ()


@dataclass(frozen=True)
class ThisPcEstimate:
    estimate: Estimate  # adjusted when `correction.active` and adjustment was asked for
    unadjusted: Estimate
    correction: Correction = field(default_factory=Correction)

    @property
    def adjusted(self) -> bool:
        return self.estimate is not self.unadjusted

    def to_dict(self) -> dict[str, Any]:
        data = self.estimate.to_dict()
        data["this_pc"] = {
            "adjusted": self.adjusted,
            "label": self.correction.describe(),
            "generation_factor": round(self.correction.generation.value, 3),
            "prompt_factor": round(self.correction.prompt.value, 3),
            "unadjusted_decode_tok_s": _r(self.unadjusted.decode_tok_s),
            "unadjusted_prefill_tok_s": _r(self.unadjusted.prefill_tok_s),
        }
        return data


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def tuned_calibration(calibration: Calibration, build: Build, facts: PcFacts) -> Calibration:
    """The calibration with this PC's measured RAM bandwidth and PCIe link."""
    tuned = calibration
    if facts.ram is not None and build.ram_bandwidth_gbs > 0:
        share = min(1.0, max(0.05, facts.ram.gbs / build.ram_bandwidth_gbs))
        engines = {name: replace(e, cpu_bw_efficiency=share) for name, e in tuned.engines.items()}
        tuned = replace(tuned, cpu_bw_efficiency=share, engines=engines)  # every engine streams at the measured rate
    if facts.pcie_gbs:
        tuned = replace(tuned, pcie_gbs=calibration.pcie_gbs * min(facts.pcie_gbs) / PCIE4_X16_GBS)
    return tuned


def workload_for(m: PcMeasurement, base: Workload) -> Workload:
    kv = str(m.settings.get("type_k") or base.kv_cache)
    context = max(base.context, m.n_depth + m.n_prompt + m.n_gen)
    return replace(base, context=context, depth=m.n_depth, prompt=max(1, m.n_prompt or base.prompt),
                   kv_cache=kv if kv in KV_TYPES else base.kv_cache)  # fmt: skip


def measured_entry(m: PcMeasurement) -> dict[str, Any]:
    """How a this-PC measurement appears in `Estimate.measured`."""
    return {
        "test": m.test,
        "tokens_per_s": m.tokens_per_s,
        "backend": m.backend,
        "quality": m.origin,
        "hardware": m.hardware or m.device,
        "source": m.origin,
        "source_url": f"{m.origin} ({m.tool}, {m.measured_at[:10]})",
        "measured_at": m.measured_at,
        "tool": m.tool,
        "settings": m.settings_text() or ", ".join(f"{k}={v}" for k, v in m.settings.items()),
        "llama_build": m.llama_build,
    }


def estimated_for(estimator: Estimator, build: Build, m: PcMeasurement, base: Workload) -> float | None:
    """The planner's (unadjusted) figure for one measurement's model, quant and test."""
    if not m.model_id or not m.quant:
        return None
    try:
        est = estimator.estimate_build(build, m.model_id, m.quant, workload_for(m, base), with_max_context=False)
    except PlannerError:
        return None
    return est.decode_tok_s if m.generation else est.prefill_tok_s


def correction_for(estimator: Estimator, build: Build, measurements: Iterable[PcMeasurement]) -> Correction:
    base = Workload()
    pairs = []
    for m in (m for m in measurements if m.origin == THIS_PC_ORIGIN):
        estimated = estimated_for(estimator, build, m, base)
        if estimated:
            pairs.append((m.generation, m.tokens_per_s, estimated))
    return fit_correction(pairs)


def fit_this_pc_correction(estimator: Estimator, build: Build, facts: PcFacts) -> Correction:
    """The correction for `build` from this PC's runs, estimated with its measured RAM and PCIe."""
    tuned = replace(estimator, calibration=tuned_calibration(estimator.calibration, build, facts))
    return correction_for(tuned, build, facts.measurements)


def _scaled(pair: tuple[float, float] | None, factor: float) -> tuple[float, float] | None:
    return None if pair is None else (pair[0] * factor, pair[1] * factor)


def apply_correction(estimate: Estimate, correction: Correction) -> Estimate:
    g, p = correction.generation.value, correction.prompt.value
    unadjusted = (
        f"unadjusted: generation {estimate.decode_tok_s or 0:.1f} tok/s, prompt {estimate.prefill_tok_s or 0:.0f} tok/s"
    )
    return replace(
        estimate,
        decode_tok_s=None if estimate.decode_tok_s is None else estimate.decode_tok_s * g,
        decode_range=_scaled(estimate.decode_range, g),
        prefill_tok_s=None if estimate.prefill_tok_s is None else estimate.prefill_tok_s * p,
        prefill_range=_scaled(estimate.prefill_range, p),
        assumptions=(*estimate.assumptions, f"{correction.describe()} ({unadjusted})"),
    )


def estimate_this_pc(
    estimator: Estimator,
    build: Build,
    model: str,
    quant: str,
    workload: Workload,
    facts: PcFacts,
    adjust: bool = True,
    correction: Correction | None = None,
) -> ThisPcEstimate:
    """This PC's estimate: measured RAM and PCIe, its own measurements, and the correction."""
    tuned = replace(estimator, calibration=tuned_calibration(estimator.calibration, build, facts))
    plain = tuned.estimate_build(build, model, quant, workload)
    mine: Sequence[PcMeasurement] = [
        m for m in facts.measurements if m.model_id == plain.model.id and m.origin == THIS_PC_ORIGIN
    ]
    same_quant = [m for m in mine if m.quant == plain.quant.name]
    notes = []
    if facts.ram is not None:
        notes.append(f"system RAM measured at {facts.ram.gbs:.1f} GB/s on {facts.ram.measured_at[:10]}")
    plain = replace(
        plain,
        measured=(*[measured_entry(m) for m in same_quant], *plain.measured),
        assumptions=(*plain.assumptions, *notes),
    )
    if correction is None:
        correction = fit_this_pc_correction(estimator, build, facts)
    if not adjust or not correction.active:
        return ThisPcEstimate(plain, plain, correction)
    return ThisPcEstimate(apply_correction(plain, correction), plain, correction)
