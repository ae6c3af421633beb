"""planner.core.speed's decode and prefill times for a whole grid of cells at once.

The features are summed with their calibrated coefficients in the order
planner.core.speed.seconds() uses (the feature dict's order), so the times match it to the
last bit. Cells where nothing is placed still get numbers; the caller masks them.
"""

from __future__ import annotations

import numpy as np

from planner.core.calibration import Calibration
from planner.core.hardware import Build
from planner.core.quant import QuantType
from planner.core.sweep_grid import FloatArray, Grid
from planner.core.sweep_placement import GridPlacement


def _per_quant(quants: list[QuantType], coefficients: dict[str, float], prefix: str) -> FloatArray:
    values = [coefficients.get(f"{prefix}:{q.family}", 0.0) for q in quants]
    return np.array(values, dtype=np.float64).reshape(1, len(quants), 1)


def decode_seconds(
    build: Build,
    grid: Grid,
    placement: GridPlacement,
    calibration: Calibration,
    quants: list[QuantType],
    coefficients: dict[str, float],
) -> FloatArray:
    """speed.decode_features + speed.seconds for every cell."""
    n_layers = grid.n_layers
    kv_per_layer = grid.kv_read_bytes / n_layers
    per_layer_bytes = grid.layer_active_bytes + kv_per_layer
    layers = placement.layers
    last = len(layers) - 1
    weights_s: FloatArray | float = 0.0
    hbm_s: FloatArray | float = 0.0
    kv_s: FloatArray | float = 0.0
    for i, acc in enumerate(placement.accelerators):
        on_device = layers[i]
        bandwidth = acc.bandwidth_gbs * 1e9
        weights = on_device * grid.layer_active_bytes
        if i == last:  # a device without layers is skipped by speed.py even if it holds the output
            weights = weights + np.where(placement.output_on_gpu & (on_device > 0), grid.output_bytes, 0.0)
        seconds = weights / bandwidth
        weights_s = weights_s + seconds
        hbm_s = hbm_s + (seconds if acc.uses_hbm else 0.0)
        kv_s = kv_s + on_device * kv_per_layer / bandwidth
    n_used = placement.used_devices
    tensor = (n_used > 1) if build.split == "tensor" else np.zeros(n_used.shape, dtype=np.bool_)
    divisor = np.where(tensor, n_used, 1)
    weights_s, hbm_s, kv_s = weights_s / divisor, hbm_s / divisor, kv_s / divisor
    known = np.where(tensor, 2 * n_layers * calibration.tp_allreduce_us * 1e-6, 0.0)

    cpu_layers = n_layers - placement.gpu_layers
    cpu_bytes = cpu_layers * per_layer_bytes
    cpu_bytes = np.where(placement.output_on_gpu, cpu_bytes, cpu_bytes + grid.output_bytes)
    ram_bw = build.ram_bandwidth_gbs * 1e9 * calibration.cpu_bw_efficiency
    cpu_flops = build.cpu.peak_gflops * 1e9 * calibration.cpu_flops_efficiency
    flops = 2 * grid.active_params * cpu_layers / n_layers
    known = np.where(cpu_bytes != 0, known + np.maximum(cpu_bytes / ram_bw, flops / cpu_flops), known)

    gpu_layers = placement.gpu_layers
    layer_count = np.where(tensor, gpu_layers / divisor, gpu_layers)
    hops = np.where(tensor, 0, np.maximum(n_used - 1, 0) + ((n_used > 0) & (cpu_layers > 0)))
    terms = (
        weights_s * _per_quant(quants, coefficients, "bw")
        + hbm_s * coefficients.get("bw:hbm", 0.0)
        + kv_s * coefficients.get("kv", 0.0)
        + layer_count * coefficients.get("layers", 0.0)
        + 1.0 * coefficients.get("token", 0.0)
        + np.where(hops > 0, 1.0, 0.0) * coefficients.get("multi", 0.0)
        + hops * coefficients.get("hops", 0.0)
    )
    return known + terms


def prefill_seconds(
    build: Build,
    grid: Grid,
    placement: GridPlacement,
    calibration: Calibration,
    quants: list[QuantType],
    coefficients: dict[str, float],
    prompt: int,
    n_ubatch: int,
) -> FloatArray:
    """speed.prefill_features + speed.seconds for every cell."""
    n_layers = grid.n_layers
    ubatches = -(-prompt // n_ubatch)
    matmul_per_layer = 2 * grid.active_params * prompt / n_layers
    attn_per_layer = grid.attention_flops / np.maximum(grid.n_attention_layers, 1)
    attn_layers = grid.n_attention_layers / n_layers
    layers = placement.layers
    cpu_layers = n_layers - placement.gpu_layers

    matmul_s: FloatArray | float = 0.0
    hbm_s: FloatArray | float = 0.0
    attn_s: FloatArray | float = 0.0
    stream_s: FloatArray | float = 0.0
    first_peak = np.zeros(cpu_layers.shape)
    for i, acc in reversed(list(enumerate(placement.accelerators))):
        first_peak = np.where(layers[i] > 0, acc.matrix_tflops * 1e12, first_peak)
    for i, acc in enumerate(placement.accelerators):
        on_device = layers[i]
        peak = acc.matrix_tflops * 1e12
        seconds = on_device * matmul_per_layer / peak
        matmul_s = matmul_s + seconds
        hbm_s = hbm_s + (seconds if acc.uses_hbm else 0.0)
        attn_s = attn_s + on_device * attn_layers * attn_per_layer / peak
        stream_s = stream_s + ubatches * on_device * grid.layer_bytes / (acc.bandwidth_gbs * 1e9)
    # Layers held in system RAM run on the first GPU (see speed.prefill_features).
    matmul_s = matmul_s + cpu_layers * matmul_per_layer / first_peak
    attn_s = attn_s + cpu_layers * attn_layers * attn_per_layer / first_peak
    pcie_s: FloatArray | float = 0.0
    if not build.is_unified:
        pcie_s = np.where(cpu_layers > 0, ubatches * cpu_layers * grid.layer_bytes / (calibration.pcie_gbs * 1e9), 0.0)
    n_used = placement.used_devices
    tensor = (n_used > 1) if build.split == "tensor" else np.zeros(n_used.shape, dtype=np.bool_)
    divisor = np.where(tensor, n_used, 1)
    gpu_terms = (
        matmul_s / divisor * _per_quant(quants, coefficients, "flops")
        + hbm_s / divisor * coefficients.get("flops:hbm", 0.0)
        + attn_s / divisor * coefficients.get("attn", 0.0)
        + float(ubatches) * coefficients.get("ubatch", 0.0)
    )
    gpu_seconds = stream_s / divisor + pcie_s + gpu_terms

    cpu_flops = build.cpu.peak_gflops * 1e9 * calibration.cpu_flops_efficiency
    cpu_seconds = (matmul_per_layer * n_layers + grid.attention_flops) / cpu_flops
    cpu_seconds = cpu_seconds + 0.0 * coefficients.get("token", 0.0)
    return np.where(n_used > 0, gpu_seconds, cpu_seconds)
