"""What a model file already on this PC does on this PC: fit, speed and the settings used.

The file's real size sets the bits per weight (so every quant, "dynamic" mixes included,
counts at its true size); the shape comes from the curated catalog when the file names a
known model, otherwise from the file's own metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.catalog.model_import import model_from_gguf
from planner.catalog.model_rows import model_from_row
from planner.catalog.store import Catalog
from planner.core.calibration import PRIORS, Calibration
from planner.core.estimate import estimate
from planner.core.hardware import Build
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.core.workload import Workload
from planner.errors import PlannerError
from planner.hardware.local_models import LocalModel

DEFAULT_CONTEXT = 8192


@dataclass(frozen=True)
class LocalFit:
    model_id: str  # catalog id, or "" when the shape came from the file alone
    fit: str
    context: int
    gpu_layers: int
    total_layers: int
    gen_tok_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "catalog_model": self.model_id or None,
            "fit": self.fit,
            "context": self.context,
            "gpu_layers": self.gpu_layers,
            "total_layers": self.total_layers,
            "gen_tok_s": round(self.gen_tok_s, 1) if self.gen_tok_s else None,
        }


def _shape(local: LocalModel, catalog: Catalog) -> tuple[ModelArch, str]:
    for name in (local.tag.split(":")[0] if local.tag else "", local.name):
        if not name:
            continue
        try:
            model_id = catalog.model_index.resolve(name)
        except PlannerError:
            continue
        return model_from_row(catalog.model_rows[model_id]), model_id
    return model_from_row(model_from_gguf(Path(local.path))), ""


def file_quant(local: LocalModel, model: ModelArch, catalog: Catalog) -> QuantType:
    """The file's own bits per weight: its size over the model's parameter count."""
    bpw = local.size_bytes * 8 / max(model.total_params, 1.0)
    family = catalog.quant_rows.get(local.quant, {}).get("family", "k-quant")
    return QuantType(name=local.quant or "file", body_bpw=bpw, embd_bpw=bpw, output_bpw=bpw, family=family)


def fit_on(local: LocalModel, build: Build, catalog: Catalog, calibration: Calibration = PRIORS) -> LocalFit | None:
    """None for an unreadable file; otherwise the estimate at the file's context (capped)."""
    if not local.readable:
        return None
    try:
        model, model_id = _shape(local, catalog)
    except PlannerError:
        return None  # the file lacks the shape keys; it is listed, without a fit
    context = min(local.context or model.max_context or DEFAULT_CONTEXT, DEFAULT_CONTEXT)
    result = estimate(build, model, file_quant(local, model, catalog), Workload(context=context), calibration)
    placement = result.placement
    return LocalFit(
        model_id, placement.verdict, context, placement.gpu_layers, placement.total_layers, result.decode_tok_s
    )
