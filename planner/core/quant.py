"""Quantization types: bits per weight as llama.cpp writes them into GGUF files."""

from __future__ import annotations

from dataclasses import dataclass

from planner.core.model import ModelArch


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

    def applies_to(self, model: ModelArch) -> bool:
        """Whether files of this type exist for `model`: expert-only types (MXFP4) quantize
        the expert tensors of mixture-of-experts models, so a dense model has none."""
        return not (self.expert_bpw and not model.is_moe)

    def not_applicable(self, model: ModelArch) -> str:
        """Why `applies_to(model)` is false, for the user."""
        return (
            f"{model.name} has no {self.name} files: {self.name} quantizes the expert tensors of "
            "mixture-of-experts models (such as gpt-oss). Pick a quant such as Q4_K_M or Q8_0."
        )

    @property
    def is_float(self) -> bool:
        return self.name in ("F32", "F16", "BF16")


KV_CACHE_BYTES_PER_ELEMENT = {
    "f16": 2.0,
    "q8_0": 34 / 32,  # 32 int8 values + one f16 scale
    "q4_0": 18 / 32,  # 32 nibbles + one f16 scale
}
