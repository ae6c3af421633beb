"""Calibrated coefficients of the speed model, per backend.

The model's time is a sum of physical terms (seconds at peak bandwidth, seconds at
peak FLOPS, layers executed, ...), each multiplied by a coefficient: 1/efficiency for
roofline terms, a fixed cost for counts. `scripts/calibrate.py` fits the coefficients
on public llama.cpp measurements; the values below are physics priors used only when no
fitted calibration is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

QUANT_FAMILIES = ("float", "legacy", "k-quant", "i-quant", "mxfp")

# Decode (seconds per token) terms:
#   bw:<family>  bytes read / peak bandwidth            coefficient = 1 / efficiency
#   bw:hbm       the same, on HBM devices (extra)       HBM needs more bytes in flight
#   kv           KV-cache bytes read / peak bandwidth   attention kernels, less efficient
#   kv:fa        the same with flash attention          its own kernels
#   layers       layers executed                        fixed cost per layer (launches)
#   token        1                                      fixed cost per token
#   multi        1 if the model spans several GPUs      fixed cost of multi-GPU sync
#   hops         GPU boundaries crossed                 fixed cost per hop
#   cpu_sync     layers with CPU work x CPU threads     barrier across the threads per layer
# Prefill (seconds per prompt) terms:
#   flops:<family>  matmul FLOPs / peak FP16             coefficient = 1 / efficiency
#   flops:hbm       the same, on HBM devices (extra)
#   attn            attention FLOPs / peak FP16
#   attn:fa         the same with flash attention
#   ubatch          micro-batches                        fixed cost per micro-batch
DECODE_PRIOR = {
    "bw:float": 1 / 0.8, "bw:legacy": 1 / 0.75, "bw:k-quant": 1 / 0.75, "bw:i-quant": 1 / 0.7,
    "bw:mxfp": 1 / 0.7, "bw:hbm": 0.4, "kv": 1 / 0.5, "kv:fa": 1 / 0.5,
    "layers": 8e-6, "token": 3e-4, "multi": 2e-4, "hops": 1e-4, "cpu_sync": 5e-6,
}  # fmt: skip
# Flash-attention terms and the terms they replace: with too few rows measured with flash
# attention, the fit costs attention as measured without it and marks the term a prior.
FLASH_TERMS = {"kv:fa": "kv", "attn:fa": "attn"}
PREFILL_PRIOR = {
    "flops:float": 1 / 0.5, "flops:legacy": 1 / 0.4, "flops:k-quant": 1 / 0.4, "flops:i-quant": 1 / 0.3,
    "flops:mxfp": 1 / 0.4, "flops:hbm": 1.0, "attn": 1 / 0.1, "attn:fa": 1 / 0.1, "ubatch": 2e-3,
}  # fmt: skip

Coefficients = tuple[tuple[str, float], ...]
ROOFLINE = {"decode": "bw", "prefill": "flops"}  # the per-quant-family roofline term of each kind
# A coefficient without data of its own (i-quants have no public rows; MXFP4 rests on one
# model) is borrowed from its neighbours: its range is widened by this factor each way.
PRIOR_WIDENING = 1.25
MIN_ROWS_FITTED = 10  # a coefficient measured on fewer rows, or on fewer devices, ships as a prior
MIN_DEVICES_FITTED = 3


def _freeze(values: dict[str, float]) -> Coefficients:
    return tuple(sorted(values.items()))


@dataclass(frozen=True)
class BackendParams:
    decode: Coefficients = ()  # fitted coefficients; the priors fill the rest
    prefill: Coefficients = ()
    reserve_gib: float = 0.45  # per-device runtime reserve (context, cuBLAS workspace)
    decode_band: tuple[float, float] = (0.8, 1.2)  # measured/estimated, 10th-90th percentile
    prefill_band: tuple[float, float] = (0.6, 1.4)
    priors: tuple[str, ...] = ()  # coefficients that rest on no or too little data (see fit.py)

    def is_prior(self, kind: str, family: str) -> bool:
        """Whether the quant family's roofline coefficient for `kind` ships as a prior."""
        return f"{ROOFLINE[kind]}:{family}" in self.priors

    def band(self, kind: str, family: str) -> tuple[float, float]:
        """10th-90th percentile of measured/estimated, widened where the coefficient is a prior."""
        low, high = self.decode_band if kind == "decode" else self.prefill_band
        if self.is_prior(kind, family):
            return low / PRIOR_WIDENING, high * PRIOR_WIDENING
        return low, high

    def decode_coef(self) -> dict[str, float]:
        return {**DECODE_PRIOR, **dict(self.decode)}

    def prefill_coef(self) -> dict[str, float]:
        return {**PREFILL_PRIOR, **dict(self.prefill)}

    def bandwidth_efficiency(self, family: str = "k-quant") -> float:
        return 1.0 / self.decode_coef()[f"bw:{family}"]


@dataclass(frozen=True)
class EngineParams:
    """How well an engine's CPU kernels use the machine (ik_llama.cpp's are faster)."""

    cpu_bw_efficiency: float = 0.6  # share of channels x MT/s x 8 reached streaming weights
    cpu_flops_efficiency: float = 0.35  # share of the CPU's FMA peak reached in matmuls


@dataclass(frozen=True)
class Calibration:
    backends: dict[str, BackendParams] = field(default_factory=dict)
    cpu_bw_efficiency: float = 0.6
    cpu_flops_efficiency: float = 0.35
    engines: dict[str, EngineParams] = field(default_factory=dict)
    cpu_thread_gbs: float = 12.0  # RAM bandwidth one CPU thread can stream
    pcie_gbs: float = 24.0  # effective host-to-device copy rate, PCIe 4.0 x16
    tp_allreduce_us: float = 12.0  # per all-reduce on NVLink, small messages
    source: str = "physics priors (not fitted)"

    def backend(self, name: str) -> BackendParams:
        """Fitted parameters; a backend without data borrows its nearest fitted relative."""
        for candidate in (name, *FALLBACKS.get(name, ())):
            if candidate in self.backends:
                params = self.backends[candidate]
                return params if candidate == name else replace(params, reserve_gib=_reserve(name))
        return DEFAULT_BACKENDS.get(name) or BackendParams()

    def engine(self, name: str) -> EngineParams:
        """The engine's CPU efficiencies; mainline's (the scalars) where it has no fit of its own."""
        return self.engines.get(name) or EngineParams(self.cpu_bw_efficiency, self.cpu_flops_efficiency)

    def to_dict(self) -> dict[str, Any]:
        return {
            "engines": {
                name: {"cpu_bw_efficiency": e.cpu_bw_efficiency, "cpu_flops_efficiency": e.cpu_flops_efficiency}
                for name, e in sorted(self.engines.items())
            },
            "backends": {
                name: {
                    "decode": dict(p.decode),
                    "prefill": dict(p.prefill),
                    "reserve_gib": p.reserve_gib,
                    "decode_band": list(p.decode_band),
                    "prefill_band": list(p.prefill_band),
                    "priors": list(p.priors),
                }
                for name, p in sorted(self.backends.items())
            },
            "cpu_bw_efficiency": self.cpu_bw_efficiency,
            "cpu_flops_efficiency": self.cpu_flops_efficiency,
            "cpu_thread_gbs": self.cpu_thread_gbs,
            "pcie_gbs": self.pcie_gbs,
            "tp_allreduce_us": self.tp_allreduce_us,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        backends = {
            name: BackendParams(
                decode=_freeze({k: float(v) for k, v in p.get("decode", {}).items()}),
                prefill=_freeze({k: float(v) for k, v in p.get("prefill", {}).items()}),
                reserve_gib=float(p.get("reserve_gib", 0.45)),
                decode_band=tuple(p.get("decode_band", (0.8, 1.2))),  # type: ignore[arg-type]
                prefill_band=tuple(p.get("prefill_band", (0.6, 1.4))),  # type: ignore[arg-type]
                priors=tuple(p.get("priors", ())),
            )
            for name, p in data.get("backends", {}).items()
        }
        engines = {
            name: EngineParams(float(e["cpu_bw_efficiency"]), float(e["cpu_flops_efficiency"]))
            for name, e in data.get("engines", {}).items()
        }
        scalars = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k not in ("backends", "engines")}
        return replace(cls(), backends=backends, engines=engines, **scalars)


DEFAULT_BACKENDS = {
    "cuda": BackendParams(),
    "rocm": BackendParams(reserve_gib=0.35),
    "vulkan": BackendParams(reserve_gib=0.3),
    "metal": BackendParams(reserve_gib=0.0),
    "sycl": BackendParams(reserve_gib=0.3),
    "cpu": BackendParams(reserve_gib=0.0),
}

# SYCL (Intel) has no public measurements of quality A/C: it borrows Vulkan's fit, the
# backend Intel GPUs are most often measured with.
FALLBACKS = {"sycl": ("vulkan", "cuda"), "rocm": ("vulkan", "cuda"), "vulkan": ("cuda",), "metal": ("cuda",)}


def _reserve(name: str) -> float:
    return (DEFAULT_BACKENDS.get(name) or BackendParams()).reserve_gib


PRIORS = Calibration()
