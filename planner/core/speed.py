"""Speed: decode (batch 1) from memory-bandwidth rooflines, prefill from compute rooflines.

Each function returns the model's physical terms (seconds at peak bandwidth, seconds at
peak FLOPS, layers executed, ...) as a dict; time is the sum of each term times its
calibrated coefficient (planner.core.calibration), plus the `known` seconds that need no
calibration (CPU-side work, PCIe copies, weight streaming). The same features feed the
calibration fit, so the fit and the app can never disagree about the model.
"""

from __future__ import annotations

from planner.core.calibration import BackendParams, Calibration
from planner.core.hardware import Build
from planner.core.memory import WeightLayout, kv_read_bytes_per_token
from planner.core.model import ModelArch
from planner.core.placement import Placement
from planner.core.workload import Workload

Features = dict[str, float]


def decode_features(
    build: Build,
    model: ModelArch,
    layout: WeightLayout,
    placement: Placement,
    workload: Workload,
    calibration: Calibration,
    depth: float,
    quant_family: str,
) -> Features:
    """Terms of the time to generate one token with `depth` tokens of history."""
    kv_per_layer = kv_read_bytes_per_token(model, workload, int(depth)) / model.n_layers
    per_layer_bytes = layout.layer_active_bytes + kv_per_layer
    used = [d for d in placement.devices if d.layers]
    tensor = build.split == "tensor" and len(used) > 1
    weights_s = hbm_s = kv_s = 0.0
    for dev in used:
        output = layout.output_bytes if dev.holds_output else 0.0
        bandwidth = dev.accelerator.bandwidth_gbs * 1e9
        seconds = (dev.layers * layout.layer_active_bytes + output) / bandwidth
        weights_s += seconds
        hbm_s += seconds if dev.accelerator.uses_hbm else 0.0
        kv_s += dev.layers * kv_per_layer / bandwidth
    known = 0.0
    if tensor:
        weights_s, hbm_s, kv_s = weights_s / len(used), hbm_s / len(used), kv_s / len(used)
        known += 2 * model.n_layers * calibration.tp_allreduce_us * 1e-6
    cpu_bytes = placement.cpu_layers * per_layer_bytes
    cpu_bytes += 0.0 if placement.output_on_gpu else layout.output_bytes
    if cpu_bytes:
        ram_bw = build.ram_bandwidth_gbs * 1e9 * calibration.cpu_bw_efficiency
        cpu_flops = build.cpu.peak_gflops * 1e9 * calibration.cpu_flops_efficiency
        flops = 2 * model.active_params * placement.cpu_layers / model.n_layers
        known += max(cpu_bytes / ram_bw, flops / cpu_flops)
    hops = 0 if tensor else max(len(used) - 1, 0) + (1 if used and placement.cpu_layers else 0)
    return {
        f"bw:{quant_family}": weights_s,
        "bw:hbm": hbm_s,
        "kv": kv_s,
        "layers": float(placement.gpu_layers / len(used) if tensor else placement.gpu_layers),
        "token": 1.0,
        "multi": 1.0 if hops else 0.0,
        "hops": float(hops),
        "known": known,
    }


def attention_flops(model: ModelArch, prompt: int, depth: int) -> float:
    """QK^T and AV over the causal prompt plus the cached history."""
    if model.uses_mla:
        width = model.n_heads * (model.qk_nope_head_dim + model.qk_rope_head_dim)
    else:
        width = model.n_heads * model.head_dim
    full = model.n_full_attn_layers * prompt * (depth + prompt / 2)
    window = model.sliding_window
    swa = model.n_swa_layers * prompt * min(depth + prompt / 2, window) if window else 0.0
    return 4.0 * width * (full + swa)


def prefill_features(
    build: Build,
    model: ModelArch,
    layout: WeightLayout,
    placement: Placement,
    workload: Workload,
    calibration: Calibration,
    prompt: int,
    depth: int,
    quant_family: str,
) -> Features:
    """Terms of the time to process a `prompt`-token prompt after `depth` cached tokens."""
    ubatches = -(-prompt // workload.n_ubatch)
    matmul_per_layer = 2 * model.active_params * prompt / model.n_layers
    attn_per_layer = attention_flops(model, prompt, depth) / max(model.n_attention_layers, 1)
    attn_layers = model.n_attention_layers / model.n_layers
    used = [d for d in placement.devices if d.layers]
    if not used:
        cpu_flops = build.cpu.peak_gflops * 1e9 * calibration.cpu_flops_efficiency
        total = matmul_per_layer * model.n_layers + attention_flops(model, prompt, depth)
        return {"token": 0.0, "known": total / cpu_flops}
    tensor = build.split == "tensor" and len(used) > 1
    matmul_s = hbm_s = attn_s = stream_s = 0.0
    for dev in used:
        peak = dev.accelerator.matrix_tflops * 1e12
        seconds = dev.layers * matmul_per_layer / peak
        matmul_s += seconds
        hbm_s += seconds if dev.accelerator.uses_hbm else 0.0
        attn_s += dev.layers * attn_layers * attn_per_layer / peak
        stream_s += ubatches * dev.layers * layout.layer_bytes / (dev.accelerator.bandwidth_gbs * 1e9)
    # Layers held in system RAM: llama.cpp copies their weights to the first GPU for each
    # large batch and computes them there.
    first_peak = used[0].accelerator.matrix_tflops * 1e12
    matmul_s += placement.cpu_layers * matmul_per_layer / first_peak
    attn_s += placement.cpu_layers * attn_layers * attn_per_layer / first_peak
    pcie_s = 0.0
    if placement.cpu_layers and not build.is_unified:
        pcie_s = ubatches * placement.cpu_layers * layout.layer_bytes / (calibration.pcie_gbs * 1e9)
    if tensor:
        matmul_s, hbm_s, attn_s, stream_s = (x / len(used) for x in (matmul_s, hbm_s, attn_s, stream_s))
    return {
        f"flops:{quant_family}": matmul_s,
        "flops:hbm": hbm_s,
        "attn": attn_s,
        "ubatch": float(ubatches),
        "known": stream_s + pcie_s,
    }


def seconds(features: Features, coefficients: dict[str, float]) -> float:
    """Calibrated time: every term times its coefficient, plus the known seconds."""
    return features.get("known", 0.0) + sum(
        value * coefficients.get(name, 0.0) for name, value in features.items() if name != "known"
    )


def decode_seconds(features: Features, params: BackendParams) -> float:
    return seconds(features, params.decode_coef())


def prefill_seconds(features: Features, params: BackendParams) -> float:
    return seconds(features, params.prefill_coef())
