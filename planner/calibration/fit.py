"""Fit the speed model's efficiencies on the public measurements (accuracy.py checks them).

Each measurement becomes one linear equation in the unknown parameters: the model's
time per token (or per prompt) is a sum of physical terms, each multiplied by one
parameter (1/efficiency, or a fixed cost). Least squares on *relative* error fits them.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from planner.catalog.store import Catalog, Row
from planner.core.calibration import (
    FLASH_TERMS,
    MIN_DEVICES_FITTED,
    MIN_ROWS_FITTED,
    PRIORS,
    QUANT_FAMILIES,
    BackendParams,
    Calibration,
)
from planner.core.hardware import Build, GpuGroup
from planner.core.physics import run_one
from planner.core.placement import FITS, Fit
from planner.core.speed import seconds_of, terms_at
from planner.core.workload import Workload

FIT_QUALITIES = ("A", "C")
MIN_ROWS_FOR_OWN_OVERHEADS = 25
ROOFLINE_FLOOR = 1.0  # a roofline coefficient is 1 / efficiency: efficiency is at most 100%
_TG = re.compile(r"^(?:tg(\d+)|gen\(n=(\d+)\))(?:@d(\d+))?$")
_PP = re.compile(r"^(?:pp(\d+)|pp\(prompt~(\d+)\))(?:@d(\d+))?$")


@dataclass(frozen=True)
class Sample:
    """One measurement turned into the model's terms."""

    row_id: int
    device_id: str
    backend: str
    kind: str  # "decode" | "prefill"
    measured: float  # tokens/s
    features: dict[str, float]
    quant_family: str
    quality: str
    tokens: int = 1  # prompt length for prefill; decode rates are per token
    model_id: str = ""

    @property
    def seconds(self) -> float:
        return self.tokens / self.measured


def parse_test(test: str) -> tuple[str, int, int] | None:
    """('decode'|'prefill', tokens, depth) or None for tests the model can't place."""
    if m := _TG.match(test):
        return "decode", int(m.group(1) or m.group(2)), int(m.group(3) or 0)
    if m := _PP.match(test):
        return "prefill", int(m.group(1) or m.group(2)), int(m.group(3) or 0)
    return None


def samples_from_catalog(catalog: Catalog, qualities: Iterable[str] = FIT_QUALITIES) -> tuple[list[Sample], list[Row]]:
    """Samples the model can explain, and the rows it had to skip (with a reason)."""
    samples: list[Sample] = []
    skipped: list[Row] = []
    wanted = set(qualities)
    for row in catalog.table("measurements"):
        if row["quality"] not in wanted:
            continue
        sample = _sample(catalog, row)
        if isinstance(sample, str):
            skipped.append({**row, "skip_reason": sample})
        else:
            samples.append(sample)
    return samples, skipped


def _sample(catalog: Catalog, row: Row) -> Sample | str:
    parsed = parse_test(row["test"] or "")
    if parsed is None:
        return "test type has no context information"
    if not row["device_id"] or not row["model_id"]:
        return "device or model not in catalog"
    if row["backend"] not in ("cuda", "rocm", "vulkan", "metal", "sycl"):
        return f"backend {row['backend']!r} not modelled"
    if (row["quant"] or "").upper() not in catalog.quant_rows:
        return f"quant {row['quant']!r} not a llama.cpp file type"
    kind, tokens, depth = parsed
    if kind == "prefill" and int(row["n_gpus"]) > 1:
        # The data set's notes: its multi-GPU prompt rows predate llama.cpp's current
        # multi-GPU code and are far slower than current builds.
        return "multi-GPU prompt processing measured with outdated llama.cpp"
    model = catalog.model(row["model_id"])
    quant = catalog.quant(row["quant"])
    accelerator = catalog.accelerator(row["device_id"])
    if catalog.is_apple(row["device_id"]):
        # The row does not say which memory size ran it; it ran, so the largest is the fair guess.
        options = str(catalog.device_row(row["device_id"]).get("memory_options_gb") or "").split(";")
        largest = max((float(x) for x in options if x.strip()), default=None)
        accelerator = catalog.accelerator(row["device_id"], unified_memory_gb=largest)
    build = Build(name=row["hardware"], gpus=(GpuGroup(accelerator, int(row["n_gpus"])),), ram_gb=512)
    prompt = tokens if kind == "prefill" else 512
    flash_attn = "on" if _ran_flash_attention(row["notes"] or "") else "off"
    # llama-bench's tgN reports the mean over N tokens: the decode is taken mid-way.
    at_depth = depth + tokens // 2 if kind == "decode" else depth
    workload = Workload(
        context=max(depth + tokens, 512), depth=at_depth, prompt=prompt, backend=row["backend"], flash_attn=flash_attn
    )
    result = run_one(build, model, quant, workload, PRIORS)
    verdict = FITS[int(result.placement.verdict)]
    if verdict != Fit.GPU:
        return f"model does not fit fully on the GPU per the planner ({verdict})"
    terms = result.decode_terms if kind == "decode" else result.prefill_terms
    features = terms_at(terms, (0, 0, 0), quant)
    return Sample(
        row_id=row["id"], device_id=row["device_id"], backend=row["backend"], kind=kind,
        measured=row["tokens_per_s"], features=features, quant_family=quant.family,
        quality=row["quality"], tokens=tokens if kind == "prefill" else 1, model_id=row["model_id"],
    )  # fmt: skip


_FLASH_ON = re.compile(r"flash-attn on|-fa 1\b|fa 1\b", re.IGNORECASE)


def _ran_flash_attention(notes: str) -> bool:
    """The data set's notes name the setting ("flash-attn on", "-fa 1"); llama-bench's
    default, and so every row that does not say, is off (shared/data/benchmarks/README.md)."""
    return bool(_FLASH_ON.search(notes))


def _solve(samples: list[Sample], names: list[str], fixed: dict[str, float]) -> dict[str, float]:
    """Least squares on relative error under the physical bounds; `fixed` coefficients are
    not fitted. A roofline coefficient is 1/efficiency, so at least 1 (no kernel beats the
    hardware's peak); every other one is a cost or an extra share, so at least 0. With
    x = floor + y, y >= 0, that is one non-negative least squares problem (scipy's nnls).
    Terms no sample exercises are left out (they get 0 here and a prior later)."""
    from scipy.optimize import nnls  # imported here: only the fit needs scipy

    free = [n for n in names if n not in fixed]
    rows, target = [], []
    for s in samples:
        known = s.features.get("known", 0.0) + sum(s.features.get(n, 0.0) * c for n, c in fixed.items())
        rows.append([s.features.get(n, 0.0) / s.seconds for n in free])
        target.append(1.0 - known / s.seconds)
    a, b = np.array(rows, dtype=np.float64).reshape(len(rows), len(free)), np.array(target)
    seen = [i for i in range(len(free)) if a[:, i].any()]
    solution: dict[str, float] = {}
    if seen:
        floor = np.array([ROOFLINE_FLOOR if free[i].partition(":")[2] in QUANT_FAMILIES else 0.0 for i in seen])
        above, _ = nnls(a[:, seen], b - a[:, seen] @ floor)
        solution = {free[i]: float(low + extra) for i, low, extra in zip(seen, floor, above, strict=True)}
    return {**solution, **fixed}


def fit(samples: list[Sample]) -> Calibration:
    by_backend: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_backend[s.backend].append(s)
    reference = _fit_backend("cuda", by_backend.get("cuda", []), None)
    backends = {"cuda": reference}
    for name, group in sorted(by_backend.items()):
        if name != "cuda":
            backends[name] = _fit_backend(name, group, reference)
    return replace(PRIORS, backends=backends, source="fitted on public llama.cpp measurements")


def _fit_backend(name: str, samples: list[Sample], reference: BackendParams | None) -> BackendParams:
    """Fit one backend; with few rows, only its efficiencies (fixed costs from `reference`)."""
    params = PRIORS.backend(name)
    for kind, prior in (("decode", params.decode_coef()), ("prefill", params.prefill_coef())):
        group = [s for s in samples if s.kind == kind]
        if not group:
            continue
        roofline = "bw:" if kind == "decode" else "flops:"
        group, borrowed = _merge_thin_flash_terms(group, prior)
        seen = sorted({k for s in group for k, v in s.features.items() if v and k.startswith(roofline)})
        names = seen + [k for k in prior if not k.startswith(roofline)]
        fixed: dict[str, float] = {}
        if reference is not None and len(group) < MIN_ROWS_FOR_OWN_OVERHEADS:
            ref = reference.decode_coef() if kind == "decode" else reference.prefill_coef()
            fixed = {k: v for k, v in ref.items() if not _is_family(k, roofline)}
        solved = _solve(group, names, fixed)
        coef = _complete(prior, solved, roofline, reference, kind)
        coef.update({term: coef[FLASH_TERMS[term]] for term in borrowed})
        frozen = tuple(sorted((k, round(v, 9)) for k, v in coef.items()))
        params = replace(params, decode=frozen) if kind == "decode" else replace(params, prefill=frozen)
        priors = tuple(sorted({*params.priors, *_without_data(group, prior), *borrowed}))
        params = replace(params, priors=priors)
    return params


def _merge_thin_flash_terms(group: list[Sample], prior: dict[str, float]) -> tuple[list[Sample], list[str]]:
    """Flash-attention terms with too few rows to fit are costed like the terms they
    replace: their rows count towards those, and the coefficients are borrowed after."""
    thin = [t for t in FLASH_TERMS if t in prior and sum(1 for s in group if s.features.get(t)) < MIN_ROWS_FITTED]
    if not thin:
        return group, []
    merged = []
    for s in group:
        features = dict(s.features)
        for term in thin:
            if term in features:
                base = FLASH_TERMS[term]
                features[base] = features.get(base, 0.0) + features.pop(term)
        merged.append(replace(s, features=features))
    return merged, thin


def _without_data(group: list[Sample], prior: dict[str, float]) -> list[str]:
    """Quant-family coefficients the group cannot vouch for: too few rows or devices."""
    weak = []
    for term in prior:
        if term.partition(":")[2] not in QUANT_FAMILIES:
            continue
        rows = [s for s in group if s.features.get(term)]
        if len(rows) < MIN_ROWS_FITTED or len({s.device_id for s in rows}) < MIN_DEVICES_FITTED:
            weak.append(term)
    return weak


def _is_family(term: str, roofline: str) -> bool:
    """A roofline term of one quant family (not a device-class adjustment such as `flops:hbm`)."""
    return term.startswith(roofline) and term.split(":", 1)[1] in QUANT_FAMILIES


def _complete(
    prior: dict[str, float], solved: dict[str, float], roofline: str,
    reference: BackendParams | None, kind: str,
) -> dict[str, float]:  # fmt: skip
    """Fill roofline families the data never showed, scaled like the reference backend."""
    coef = {**prior, **solved}
    families = [k for k in prior if _is_family(k, roofline)]
    seen = [k for k in families if solved.get(k)]
    if not seen:
        return prior
    ref = (reference.decode_coef() if kind == "decode" else reference.prefill_coef()) if reference else prior
    scale = statistics.median(solved[k] / ref[k] for k in seen)
    for k in families:
        if not solved.get(k):
            coef[k] = ref[k] * scale
        coef[k] = max(coef[k], ROOFLINE_FLOOR)  # a filled-in family, too, stays below 100% of a roofline
    return coef


def predict(sample: Sample, calibration: Calibration) -> float:
    """Tokens/s the calibrated model gives for one sample."""
    params = calibration.backend(sample.backend)
    coef = params.decode_coef() if sample.kind == "decode" else params.prefill_coef()
    return sample.tokens / seconds_of(sample.features, coef)
