"""Hardware value objects: accelerators, CPUs and the builds made of them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from planner.core.dataflow import DataflowSystem
from planner.core.units import GIB, MIB


class Backend(StrEnum):
    """llama.cpp's compute backends."""

    CUDA = "cuda"
    ROCM = "rocm"
    VULKAN = "vulkan"
    METAL = "metal"
    SYCL = "sycl"
    CPU = "cpu"


class Split(StrEnum):
    """How one model is spread over several GPUs."""

    LAYER = "layer"  # llama.cpp's default: whole layers per GPU, GPUs run one after another
    TENSOR = "tensor"  # tensor parallel: every GPU holds a slice of every layer


BACKENDS = tuple(Backend)

# llama.cpp's CUDA matrix kernels use warp-level mma.sync instructions. On Hopper and
# datacenter Blackwell the advertised dense FP16 peak needs warpgroup instructions
# (wgmma/tcgen05), and mma.sync reaches about half of it (FlashAttention-2 against -3 on an
# H100: ~350 against ~740 TFLOPS). Consumer Blackwell ("Blackwell 2.0") has no such split.
MMA_SYNC_SHARE = {"Hopper": 0.5, "Blackwell": 0.5}
NATIVE_BACKEND = {"NVIDIA": Backend.CUDA, "AMD": Backend.ROCM, "Intel": Backend.SYCL, "Apple": Backend.METAL}


@dataclass(frozen=True)
class Accelerator:
    """One GPU (or the GPU side of a unified-memory chip) as the estimator sees it."""

    id: str
    name: str
    vendor: str
    memory_gb: float
    bandwidth_gbs: float
    fp16_tflops: float | None  # None: unknown, and prompt processing cannot be estimated
    power_w: float
    idle_power_w: float = 0.0
    unified: bool = False
    segment: str = "consumer"
    memory_type: str = ""
    architecture: str = ""
    memory_mib: float | None = None

    @property
    def memory_bytes(self) -> float:
        """Device memory as the driver reports it. Marketed GPU and unified-memory sizes are
        binary ("16 GB" is 16 GiB; Apple's "36 GB" is 36 GiB), so without a driver figure
        `memory_gb` is read as GiB."""
        if self.memory_mib is not None:
            return self.memory_mib * MIB
        return self.memory_gb * GIB

    @property
    def flops_known(self) -> bool:
        return self.fp16_tflops is not None and self.fp16_tflops > 0

    @property
    def matrix_tflops(self) -> float:
        """The FP16 matrix throughput llama.cpp's kernels can reach on this architecture
        (NaN when unknown: whatever is computed from it is unknown too)."""
        if self.fp16_tflops is None or self.fp16_tflops <= 0:
            return math.nan
        return self.fp16_tflops * MMA_SYNC_SHARE.get(self.architecture, 1.0)

    @property
    def native_backend(self) -> Backend:
        return NATIVE_BACKEND.get(self.vendor, Backend.VULKAN)

    @property
    def uses_hbm(self) -> bool:
        return self.memory_type.upper().startswith("HBM")


@dataclass(frozen=True)
class Cpu:
    """A CPU: its memory system bounds CPU-offloaded layers."""

    id: str
    name: str
    cores: int
    threads: int
    memory_channels: int
    max_memory_mts: int
    ddr_gen: int
    avx512: bool
    tdp_w: float
    boost_clock_ghz: float = 4.0
    base_clock_ghz: float | None = None

    @property
    def peak_gflops(self) -> float:
        """FP32 FMA throughput: cores x clock x lanes x 2 FMA units x 2 flops."""
        lanes = 16 if self.avx512 else 8
        return self.cores * self.boost_clock_ghz * lanes * 2 * 2

    @property
    def sustained_gflops(self) -> float:
        """`peak_gflops` at the base clock: with every core running vector matrix kernels the
        chip is held to its TDP, and base frequency is the clock the vendor guarantees at TDP
        with all cores active (Intel's "Processor Base Frequency" definition on ark; AMD's
        "Base Clock"). Boost clocks are single- or few-core figures. Without a base clock,
        the boost clock."""
        return self.peak_gflops * (self.base_clock_ghz or self.boost_clock_ghz) / self.boost_clock_ghz


# Used when a build names no CPU: a typical dual-channel DDR4-3200 desktop.
GENERIC_CPU = Cpu(
    id="generic-desktop",
    name="Generic 8-core desktop CPU",
    cores=8,
    threads=16,
    memory_channels=2,
    max_memory_mts=3200,
    ddr_gen=4,
    avx512=False,
    tdp_w=105.0,
)


@dataclass(frozen=True)
class GpuGroup:
    """`count` identical accelerators."""

    accelerator: Accelerator
    count: int = 1


@dataclass(frozen=True)
class Part:
    """Any priced part of a build (case, PSU, board, chassis...)."""

    name: str
    price_usd: float | None
    quantity: int = 1
    power_w: float = 0.0
    kind: str = "other"
    price_kind: str = "new"
    as_of: str = ""
    source_url: str = ""
    new_price_usd: float | None = None
    used_price_usd: float | None = None


@dataclass(frozen=True)
class Build:
    """A machine: accelerators (possibly mixed, possibly a cluster), a CPU and system RAM.

    `split` is how one model is spread over several GPUs: `layer` (llama.cpp's
    default, GPUs run in sequence) or `tensor` (tensor parallel, e.g. over NVLink).
    For Apple chips `unified_memory_gb` is the configured memory size. A dataflow build
    (`dataflow`, e.g. Cerebras CS-3) has no GPUs and is never rooflined.
    """

    name: str
    gpus: tuple[GpuGroup, ...] = ()
    cpu: Cpu = GENERIC_CPU
    ram_gb: float = 32.0
    ram_mts: int | None = None
    ram_channels: int | None = None
    nodes: int = 1
    interconnect: str = ""
    split: Split = Split.LAYER
    unified_memory_gb: float | None = None
    parts: tuple[Part, ...] = ()
    psu_w: float | None = None
    price_usd: float | None = None
    power_w_override: float | None = None
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    dataflow: DataflowSystem | None = None  # a wafer-scale/dataflow system instead of GPUs
    dataflow_units: int = 0

    @property
    def is_dataflow(self) -> bool:
        return self.dataflow is not None

    @property
    def accelerators(self) -> list[Accelerator]:
        """Every GPU, expanded (nodes x count)."""
        return [g.accelerator for g in self.gpus for _ in range(g.count)] * self.nodes

    @property
    def gpu_count(self) -> int:
        return len(self.accelerators)

    @property
    def is_unified(self) -> bool:
        return bool(self.gpus) and all(g.accelerator.unified for g in self.gpus)

    @property
    def flops_unknown(self) -> list[str]:
        """Names of the GPUs whose FP16 throughput is unknown."""
        return sorted({g.accelerator.name for g in self.gpus if not g.accelerator.flops_known})

    @property
    def ram_bandwidth_gbs(self) -> float:
        """System RAM bandwidth: channels x MT/s x 8 bytes."""
        channels = self.ram_channels or self.cpu.memory_channels
        mts = self.ram_mts or self.cpu.max_memory_mts
        return channels * mts * 8 / 1000.0
