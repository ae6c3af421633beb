"""Quantization types: bits per weight as llama.cpp writes them into GGUF files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuantType:
    """Effective bits per weight of a llama.cpp file type.

    A file type is a mix: `body_bpw` is the average over the repeating blocks,
    `expert_bpw` applies to MoE expert tensors when it differs (MXFP4), and the token
    embedding and output matrix follow llama.cpp's own rules (`embd_bpw`, `output_bpw`).
    """

    name: str
    body_bpw: float
    embd_bpw: float
    output_bpw: float
    expert_bpw: float | None = None
    block_bpw: float | None = None
    family: str = "k-quant"
    kld: float | None = None  # mean KL divergence vs 16-bit in a public table; None where none has it
    ppl_increase_pct: float | None = None  # perplexity increase vs 16-bit, percent

    @property
    def is_float(self) -> bool:
        return self.name in ("F32", "F16", "BF16")


KV_CACHE_BYTES_PER_ELEMENT = {
    "f16": 2.0,
    "q8_0": 34 / 32,  # 32 int8 values + one f16 scale
    "q4_0": 18 / 32,  # 32 nibbles + one f16 scale
}
