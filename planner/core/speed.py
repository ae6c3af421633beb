"""Speed: decode (batch 1) from memory-bandwidth rooflines, prefill from compute rooflines.

`decode_terms` and `prefill_terms` return the model's physical terms (seconds at peak
bandwidth, seconds at peak FLOPS, layers executed, ...) for every cell of a grid. Time is
the sum of each term times its calibrated coefficient (planner.core.calibration), plus
the `known` seconds that need no calibration (CPU-side work, PCIe copies, weight
streaming). The same terms feed the calibration fit, so the fit and the app can never
disagree about the model.

A term whose name holds `{family}` gets the coefficient of each cell's quant family
(`bw:{family}` becomes `bw:k-quant` for Q4_K_M). To add a term: return it from one of
the two functions below and give it a prior in planner.core.calibration; the fit, the
sweep and `estimate()` pick it up.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from planner.core import cells
from planner.core.calibration import Calibration
from planner.core.cells import Cells
from planner.core.grid import Grid
from planner.core.hardware import Build, Split
from planner.core.placement import GridPlacement
from planner.core.quant import QuantType
from planner.core.workload import Workload

Terms = dict[str, Cells]  # each term a number (one cell) or an array broadcasting to the grid
KNOWN = "known"  # seconds that need no coefficient
SYNC_EXPONENT = 1.0  # a barrier across T threads costs ~T (atomic counter, cache-line traffic)


ENGINE_SUFFIX = ":ik"  # ik_llama.cpp's own flash-attention kernels (ik_llama.cpp #370 and on)


def attention_term(name: str, workload: Workload) -> str:
    """Attention runs different kernels with flash attention: its own coefficient (`kv:fa`,
    `attn:fa`), fitted on the rows measured with it. ik_llama.cpp ships different flash-
    attention kernels: `attn:fa:ik`, fitted on its offload rows (mainline's where unfitted)."""
    if not workload.flash_attention:
        return name
    return f"{name}:fa{ENGINE_SUFFIX}" if workload.engine == "ik_llama.cpp" else f"{name}:fa"


def _tensor_parallel(build: Build, placement: GridPlacement) -> tuple[Cells, Cells]:
    """(cells split tensor-parallel, divisor of their per-device times)."""
    n_used = placement.used_devices
    tensor = (n_used > 1) & (build.split == Split.TENSOR)
    return tensor, cells.where(tensor, n_used, 1)


def cpu_rates(build: Build, grid: Grid, calibration: Calibration) -> tuple[float, float]:
    """(effective RAM bytes/s, effective CPU FLOP/s) for work done on the CPU, per engine.

    RAM bandwidth is channels x MT/s x 8 bytes times the engine's calibrated efficiency; a
    thread streams at most `calibration.cpu_thread_gbs` (a core's share of the chip's fabric:
    few-core desktops saturate two channels, many-channel servers need many threads), so `-t`
    below the core count lowers both rates. FLOPs are the chip's at its base clock
    (`Cpu.sustained_gflops`: all cores busy at TDP), times the engine's efficiency.
    """
    engine = calibration.engine(grid.workload.engine)
    cores = max(build.cpu.cores, 1)
    threads = min(grid.workload.threads or cores, cores)
    ram_bw = min(build.ram_bandwidth_gbs * engine.cpu_bw_efficiency, threads * calibration.cpu_thread_gbs) * 1e9
    flops = build.cpu.sustained_gflops * 1e9 * engine.cpu_flops_efficiency * threads / cores
    return ram_bw, flops


def decode_terms(build: Build, grid: Grid, placement: GridPlacement, calibration: Calibration) -> Terms:
    """Terms of the time to generate one token at each cell's depth.

    GPU part: weights and KV read at each GPU's bandwidth. CPU part: whole layers held in RAM,
    and the routed experts --n-cpu-moe keeps there (active expert bytes / effective RAM
    bandwidth, or their FLOPs / CPU throughput, whichever is slower). Each MoE block whose
    experts are in RAM hands its activations to the CPU and back (`moe_sync`).
    """
    layout = grid.layout
    n_layers = grid.n_layers
    kv_per_layer = grid.kv_read_bytes / n_layers
    last = len(placement.layers) - 1
    weights_s = hbm_s = kv_s = 0.0
    device_light = placement.device_expert_layers_in_ram or tuple(0 for _ in placement.layers)
    for i, (acc, on_device) in enumerate(zip(placement.accelerators, placement.layers, strict=True)):
        bandwidth = acc.bandwidth_gbs * 1e9
        weights = on_device * layout.layer_active_bytes - device_light[i] * layout.expert_active_layer_bytes
        if i == last:  # a device without layers runs nothing, even when it is given the output
            weights = weights + cells.where(placement.output_on_gpu & (on_device > 0), layout.output_bytes, 0.0)
        seconds = weights / bandwidth
        weights_s = weights_s + seconds
        hbm_s = hbm_s + (seconds if acc.uses_hbm else 0.0)
        kv_s = kv_s + on_device * kv_per_layer / bandwidth
    tensor, divisor = _tensor_parallel(build, placement)
    known = cells.where(tensor, 2 * n_layers * calibration.tp_allreduce_us * 1e-6, 0.0)

    # Layers and experts held in system RAM run on the CPU: bandwidth- or compute-bound.
    cpu_layers = n_layers - placement.gpu_layers
    experts = placement.expert_layers_in_ram
    cpu_bytes = cpu_layers * (layout.layer_active_bytes + kv_per_layer) + experts * layout.expert_active_layer_bytes
    cpu_bytes = cells.where(placement.output_on_gpu, cpu_bytes, cpu_bytes + layout.output_bytes)
    ram_bw, cpu_flops = cpu_rates(build, grid, calibration)
    flops = 2 * grid.active_params * cpu_layers / n_layers + 2 * experts * grid.expert_active_params
    cpu_s = cells.maximum(cpu_bytes / ram_bw, flops / cpu_flops)
    known = cells.where(cpu_bytes != 0, known + cpu_s, known)

    n_used = placement.used_devices
    hops = cells.where(tensor, 0, cells.maximum(n_used - 1, 0) + ((n_used > 0) & (cpu_layers > 0)))
    return {
        "bw:{family}": weights_s / divisor,
        "bw:hbm": hbm_s / divisor,
        attention_term("kv", grid.workload): kv_s / divisor,
        "layers": placement.gpu_layers / divisor,
        "token": 1.0,
        "multi": cells.where(hops > 0, 1.0, 0.0),
        "hops": hops * 1.0,
        "cpu_sync": (cpu_layers + experts)
        * min(grid.workload.threads or build.cpu.cores, build.cpu.cores) ** SYNC_EXPONENT,
        KNOWN: known,
    }


def prefill_terms(build: Build, grid: Grid, placement: GridPlacement, calibration: Calibration) -> Terms:
    """Terms of the time to process the workload's prompt after each cell's depth."""
    layout = grid.layout
    prompt = grid.workload.prompt
    n_layers = grid.n_layers
    ubatches = -(-prompt // grid.workload.n_ubatch)
    matmul_per_layer = 2 * grid.active_params * prompt / n_layers
    attn_per_layer = grid.attention_flops / cells.maximum(grid.n_attention_layers, 1)
    attn_layers = grid.n_attention_layers / n_layers
    cpu_layers = n_layers - placement.gpu_layers
    on_gpu = placement.used_devices > 0

    matmul_s = hbm_s = attn_s = stream_s = 0.0
    first_peak = first_bandwidth = 1.0  # cells without a GPU are masked below
    for acc, on_device in reversed(list(zip(placement.accelerators, placement.layers, strict=True))):
        first_peak = cells.where(on_device > 0, acc.matrix_tflops * 1e12, first_peak)
        first_bandwidth = cells.where(on_device > 0, acc.bandwidth_gbs, first_bandwidth)
    for acc, on_device in zip(placement.accelerators, placement.layers, strict=True):
        peak = acc.matrix_tflops * 1e12
        seconds = on_device * matmul_per_layer / peak
        matmul_s = matmul_s + seconds
        hbm_s = hbm_s + (seconds if acc.uses_hbm else 0.0)
        attn_s = attn_s + on_device * attn_layers * attn_per_layer / peak
        stream_s = stream_s + ubatches * on_device * layout.layer_bytes / (acc.bandwidth_gbs * 1e9)
    # Layers and experts held in system RAM: for every u-batch of at least 32 tokens llama.cpp
    # copies their weights to the first GPU and computes them there, so prompt speed grows with
    # -ub and with the PCIe link (ik_llama.cpp #490: 103 -> 321 tok/s from -ub 512 to 2048).
    experts = placement.expert_layers_in_ram
    matmul_s = matmul_s + cpu_layers * matmul_per_layer / first_peak
    attn_s = attn_s + cpu_layers * attn_layers * attn_per_layer / first_peak
    stream_s = stream_s - ubatches * experts * layout.expert_layer_bytes / (first_bandwidth * 1e9)
    pcie_s = 0.0
    if not build.is_unified:
        ram_bytes = cpu_layers * layout.layer_bytes + experts * layout.expert_layer_bytes
        pcie_s = cells.where(ram_bytes > 0, ubatches * ram_bytes / (calibration.pcie_gbs * 1e9), 0.0)
    if grid.workload.engine == "ik_llama.cpp":
        # ik_llama.cpp computes RAM-held experts on the CPU (its fused MoE kernels) unless the
        # u-batch gives every expert 32 tokens on average; then it copies them like mainline.
        # Repacked weights (-rtr, _R4/_R8 quants) have no GPU kernels: they stay at any u-batch.
        # Each u-batch streams them from RAM once while the cores compute: the slower binds.
        ram_bw, cpu_flops_rate = cpu_rates(build, grid, calibration)
        on_cpu_s = cells.maximum(
            ubatches * experts * layout.expert_layer_bytes / ram_bw,
            2 * experts * grid.expert_active_params * prompt / cpu_flops_rate,
        )
        pcie_expert_s = ubatches * experts * layout.expert_layer_bytes / (calibration.pcie_gbs * 1e9)
        stays = (experts > 0) & ((grid.workload.n_ubatch < grid.moe_gpu_batch) | grid.workload.repacked)
        pcie_s = cells.where(stays, pcie_s - pcie_expert_s + on_cpu_s, pcie_s)
        matmul_s = cells.where(
            stays, matmul_s - experts * grid.expert_active_params * 2 * prompt / first_peak, matmul_s
        )
    _, divisor = _tensor_parallel(build, placement)

    # Without a GPU, everything runs on the CPU at its (calibrated, per-engine) peak.
    _, cpu_flops = cpu_rates(build, grid, calibration)
    cpu_s = (matmul_per_layer * n_layers + grid.attention_flops) / cpu_flops

    def gpu_only(values: Cells) -> Cells:
        return cells.where(on_gpu, values, 0.0)

    return {
        "flops:{family}": gpu_only(matmul_s / divisor),
        "flops:hbm": gpu_only(hbm_s / divisor),
        attention_term("attn", grid.workload): gpu_only(attn_s / divisor),
        "ubatch": gpu_only(float(ubatches)),
        KNOWN: cells.where(on_gpu, stream_s / divisor + pcie_s, cpu_s),
    }


def coefficient(name: str, coefficients: Mapping[str, float], quants: tuple[QuantType, ...]) -> Cells:
    """A term's coefficient: one number, or one per quant for `{family}` terms."""
    if "{family}" not in name:
        if name.endswith(ENGINE_SUFFIX) and name not in coefficients:
            name = name.removesuffix(ENGINE_SUFFIX)
        return coefficients.get(name, 0.0)
    if len(quants) == 1:
        return coefficients.get(name.format(family=quants[0].family), 0.0)
    values = [coefficients.get(name.format(family=q.family), 0.0) for q in quants]
    return np.array(values, dtype=np.float64).reshape(1, len(quants), 1)


def seconds(terms: Terms, coefficients: Mapping[str, float], quants: tuple[QuantType, ...]) -> Cells:
    """Calibrated time of every cell: each term times its coefficient, plus the known seconds."""
    total = terms[KNOWN]
    for name, values in terms.items():
        if name != KNOWN:
            total = total + values * coefficient(name, coefficients, quants)
    return total


def terms_at(terms: Terms, cell: tuple[int, int, int], quant: QuantType) -> dict[str, float]:
    """One cell's terms as numbers, `{family}` spelled out (the calibration fit's features)."""
    return {name.format(family=quant.family): _at(values, cell) for name, values in terms.items()}


def _at(values: Cells, cell: tuple[int, int, int]) -> float:
    if not cells.is_grid(values):
        return float(values)
    index = tuple(min(i, size - 1) for i, size in zip(cell, values.shape, strict=True))
    return float(values[index])


def seconds_of(features: Mapping[str, float], coefficients: Mapping[str, float]) -> float:
    """`seconds` for one cell's spelled-out terms (see `terms_at`)."""
    return features.get(KNOWN, 0.0) + sum(
        value * coefficients.get(name, 0.0) for name, value in features.items() if name != KNOWN
    )
