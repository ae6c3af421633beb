"""Calibrated efficiencies of the batched-decode model, per serving engine.

A decode step's time is the power mean of its memory side and its compute side
(planner.core.serving_step):

    t_mem  = step_s + layers x layer_s + weight bytes / (bandwidth x bw_eff)
             + KV bytes / (bandwidth x bw_eff x kv_share) + all-reduce time
    t_comp = FLOPs / (peak matrix FLOPS x compute_eff)
    t_step = (t_mem^p + t_comp^p)^(1/p)

p -> infinity is the plain roofline max; p = 1 adds the two. scripts/calibrate_serving.py
fits bw_eff, compute_eff, step_s and p per engine on the vendored serving measurements;
the values below are physics priors used only when no fitted file is shipped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class EngineParams:
    bw_eff: float = 0.75  # share of peak bandwidth a weight read reaches
    compute_eff: float = 0.55  # share of peak matrix FLOPS a large batch reaches
    prefill_eff: float = 0.6  # share of peak matrix FLOPS prompt processing reaches
    kv_share: float = 0.8  # attention reads KV less efficiently than a GEMV reads weights
    step_s: float = 2e-3  # scheduler, sampling and launch cost per step
    layer_s: float = 5e-6  # per layer per step (CUDA graphs make it small)
    p: float = 3.0
    comm_scale: float = 1.0  # all-reduce time against the link's nominal rate and latency
    band: tuple[float, float] = (0.75, 1.3)  # measured / estimated, 10th-90th percentile
    n_fit: int = 0


@dataclass(frozen=True)
class ServingCalibration:
    engines: dict[str, EngineParams] = field(default_factory=dict)
    source: str = "physics priors (not fitted)"

    def engine(self, name: str) -> EngineParams:
        """Fitted parameters; an engine without data borrows the nearest fitted relative."""
        for candidate in (name, *SERVING_FALLBACKS.get(name, ())):
            if candidate in self.engines:
                return self.engines[candidate]
        return SERVING_PRIORS.get(name, EngineParams())

    def to_dict(self) -> dict[str, Any]:
        return {"engines": {k: asdict(v) for k, v in sorted(self.engines.items())}, "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServingCalibration:
        engines = {}
        for name, values in data.get("engines", {}).items():
            known = {k: v for k, v in values.items() if k in EngineParams.__dataclass_fields__}
            if "band" in known:
                known["band"] = tuple(known["band"])
            engines[name] = replace(EngineParams(), **known)
        return cls(engines=engines, source=str(data.get("source", "fitted")))


SERVING_PRIORS = {
    "vllm": EngineParams(),
    "sglang": EngineParams(step_s=1.5e-3),
    "trt-llm": EngineParams(bw_eff=0.8, compute_eff=0.65, step_s=1.2e-3),
    # llama.cpp's one-user time comes from the llama.cpp estimator; these shape the batch
    "llama.cpp": EngineParams(compute_eff=0.3, prefill_eff=0.4, step_s=0.0, layer_s=0.0, p=1.5, band=(0.6, 1.4)),
    "mlx": EngineParams(bw_eff=0.7, compute_eff=0.35, prefill_eff=0.4, step_s=1e-3, p=1.5, band=(0.6, 1.4)),
}
SERVING_FALLBACKS = {"sglang": ("vllm",), "trt-llm": ("vllm",), "mlx": (), "llama.cpp": ()}
SERVING_PRIOR_CALIBRATION = ServingCalibration()
