"""Serving engines and the weight formats they load.

A serving format is to vLLM what a GGUF file type is to llama.cpp: bits per weight for
the repeating blocks (scales included), the embedding and output matrix usually kept in
16 bits, and the precision the matrix units compute in. Sources per format:
FP8 (llm-compressor / ModelOpt per-channel scales), AWQ and GPTQ (4-bit, group size 128,
one 16-bit scale and a 4-bit zero per group), NVFP4 (4-bit E2M1, one FP8 scale per 16
weights, NVIDIA Blackwell tuning guide), MXFP4 (4-bit, one E8M0 scale per 32 weights, OCP
MX spec).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.hardware import Accelerator
from planner.core.quant import QuantType
from planner.errors import InputError


@dataclass(frozen=True)
class ServingFormat:
    name: str
    body_bpw: float
    compute: str  # the matrix units' input precision: fp16 | fp8 | fp4
    embed_bpw: float = 16.0

    def as_quant(self) -> QuantType:
        """The same layout as a QuantType, so core.memory computes its bytes."""
        return QuantType(
            name=self.name,
            body_bpw=self.body_bpw,
            embd_bpw=self.embed_bpw,
            output_bpw=self.embed_bpw,
            block_bpw=self.body_bpw,
            family="float" if self.compute == "fp16" and self.body_bpw >= 16 else "serving",
        )


SERVING_FORMATS = {
    "F16": ServingFormat("F16", 16.0, "fp16"),
    "BF16": ServingFormat("BF16", 16.0, "fp16"),
    "FP8": ServingFormat("FP8", 8.0 + 16 / 4096, "fp8"),  # per-channel FP16 scale
    "AWQ": ServingFormat("AWQ", 4.0 + (16 + 4) / 128, "fp16"),  # W4A16, group 128
    "GPTQ": ServingFormat("GPTQ", 4.0 + (16 + 4) / 128, "fp16"),  # W4A16, group 128
    "NVFP4": ServingFormat("NVFP4", 4.0 + 8 / 16, "fp4"),
    "MXFP4": ServingFormat("MXFP4", 4.0 + 8 / 32, "fp4"),
    # mlx-lm's affine quantization: group 64, a 16-bit scale and bias per group
    "MLX-4BIT": ServingFormat("MLX-4BIT", 4.0 + 32 / 64, "fp16"),
    "MLX-8BIT": ServingFormat("MLX-8BIT", 8.0 + 32 / 64, "fp16"),
}

# Dense tensor throughput of each input precision relative to FP16, per architecture
# (vendor datasheets: H100/H200 989 -> 1979 TFLOPS FP8; B200 2.25 -> 4.5 FP8 -> 9 PF FP4;
# MI300X 1307 -> 2615 FP8; Ada 4th-gen tensor cores run FP8 at twice FP16).
PRECISION_SPEEDUP = {
    "fp8": {"Hopper": 2.0, "Blackwell": 2.0, "Blackwell 2.0": 2.0, "Ada Lovelace": 2.0, "CDNA 3.0": 2.0},
    "fp4": {"Blackwell": 4.0, "Blackwell 2.0": 4.0},
}


def matrix_tflops(acc: Accelerator, compute: str) -> float:
    """Peak dense TFLOPS for this format's matmuls (no FP8/FP4 units: weights are upcast to FP16)."""
    if acc.fp16_tflops is None or acc.fp16_tflops <= 0:
        raise InputError(f"{acc.name} has no known FP16 rate: its serving throughput cannot be estimated")
    return acc.fp16_tflops * PRECISION_SPEEDUP.get(compute, {}).get(acc.architecture, 1.0)


@dataclass(frozen=True)
class Engine:
    """A serving engine: what it runs on, what it loads, and how it sizes the KV cache."""

    name: str
    vendors: tuple[str, ...]
    formats: tuple[str, ...]  # serving formats; llama.cpp also takes every GGUF type
    memory_fraction: float  # share of device memory the engine may use
    max_batch: int  # default cap on sequences in flight
    max_batch_large: int  # the cap on devices with >= 70 GiB (vLLM V1 raises it there)
    chunk_tokens: int  # prompt tokens one step may carry (chunked prefill / n_batch)
    memory_rule: str
    paged_kv: bool = True


ENGINES = {
    "llama.cpp": Engine(
        "llama.cpp",
        ("NVIDIA", "AMD", "Intel", "Apple"),
        ("F16", "BF16"),
        1.0,
        256,
        256,
        2048,
        "llama-server -np N -c N x (input+output): KV for exactly the context you give it",
        paged_kv=False,
    ),
    "vllm": Engine(
        "vllm",
        ("NVIDIA", "AMD"),
        ("F16", "BF16", "FP8", "AWQ", "GPTQ", "NVFP4", "MXFP4"),
        0.90,
        256,
        1024,
        8192,
        "gpu_memory_utilization 0.9 of each GPU; weights and activations first, the rest is paged KV",
    ),
    "sglang": Engine(
        "sglang",
        ("NVIDIA", "AMD"),
        ("F16", "BF16", "FP8", "AWQ", "GPTQ", "NVFP4", "MXFP4"),
        0.88,
        1024,
        4096,
        8192,
        "mem_fraction_static ~0.88 of each GPU for weights + KV pool (RadixAttention)",
    ),
    "trt-llm": Engine(
        "trt-llm",
        ("NVIDIA",),
        ("F16", "BF16", "FP8", "AWQ", "GPTQ", "NVFP4", "MXFP4"),
        0.90,
        2048,
        2048,
        8192,
        "free_gpu_memory_fraction 0.9 of what the weights leave for the KV cache",
    ),
    "mlx": Engine(
        "mlx",
        ("Apple",),
        ("F16", "BF16", "MLX-4BIT", "MLX-8BIT"),
        0.75,
        64,
        64,
        2048,
        "macOS lets the GPU wire about 3/4 of unified memory; KV grows with each sequence",
        paged_kv=False,
    ),
}
ENGINE_ALIASES = {
    "llamacpp": "llama.cpp",
    "llama-cpp": "llama.cpp",
    "llama-server": "llama.cpp",
    "tensorrt-llm": "trt-llm",
    "trtllm": "trt-llm",
    "tensorrt": "trt-llm",
    "mlx-lm": "mlx",
}


def engine_named(name: str) -> Engine:
    key = ENGINE_ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in ENGINES:
        raise InputError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    return ENGINES[key]


def check_engine_runs(engine: Engine, accelerators: list[Accelerator]) -> None:
    """An engine that does not run on this hardware is an input error, said plainly."""
    if not accelerators:
        raise InputError(f"{engine.name} serves from GPUs or Apple chips; this build has none")
    vendors = {a.vendor for a in accelerators}
    wrong = sorted(vendors - set(engine.vendors))
    if wrong:
        runs = ", ".join(engine.vendors)
        hint = {"Apple": "use mlx or llama.cpp on Apple chips", "NVIDIA": "use vllm, sglang, trt-llm or llama.cpp"}
        extra = "; ".join(hint[v] for v in wrong if v in hint)
        raise InputError(
            f"{engine.name} does not run on {', '.join(wrong)} hardware (it runs on {runs})"
            + (f"; {extra}" if extra else "")
        )


def serving_format(engine: Engine, quant_name: str) -> ServingFormat | None:
    """The serving format called `quant_name`, or None when llama.cpp should load a GGUF type."""
    key = (
        quant_name.strip().upper().replace("_", "-")
        if quant_name.strip().upper().startswith("MLX")
        else quant_name.strip().upper()
    )
    fmt = SERVING_FORMATS.get(key)
    if engine.name == "llama.cpp":
        return None  # F16/BF16 are GGUF types too; the catalog resolves every GGUF name
    if fmt is None or fmt.name not in engine.formats:
        raise InputError(
            f"{engine.name} does not load {quant_name!r}; choose one of {', '.join(engine.formats)}"
            + (" (GGUF types such as Q4_K_M run on llama.cpp)" if fmt is None else "")
        )
    return fmt
