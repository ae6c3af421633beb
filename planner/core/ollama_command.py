"""The Ollama equivalent of a llama.cpp run: server environment plus a Modelfile.

Ollama sets flash attention and the KV-cache type for the whole server
(`OLLAMA_FLASH_ATTENTION`, `OLLAMA_KV_CACHE_TYPE`: f16, q8_0 or q4_0, one type for K and V),
the number of slots with `OLLAMA_NUM_PARALLEL`, and per model `num_ctx` (the context of one
request) and `num_gpu` (whole layers on the GPU: it has no switch that keeps only experts in
RAM). Documented in Ollama's docs/faq.md and docs/modelfile.md.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from planner.core.llama_settings import CACHE_TYPE_BYTES, LlamaSettings

OLLAMA_KV_TYPES = ("f16", "q8_0", "q4_0")


@dataclass(frozen=True)
class OllamaCommand:
    text: str
    notes: tuple[str, ...]


def _ollama_kv_type(bytes_per_element: float) -> str:
    """The smallest Ollama type that holds at least as much as the larger of K and V."""
    for kv in ("q4_0", "q8_0"):
        if bytes_per_element <= CACHE_TYPE_BYTES[kv]:
            return kv
    return "f16"


def ollama_command(settings: LlamaSettings, ollama_model: str, whole_gpu_layers: int | None) -> OllamaCommand:
    """`whole_gpu_layers`: the layers Ollama should put on the GPU (None: all of them)."""
    notes: list[str] = []
    kv = _ollama_kv_type(max(settings.k_bytes_per_element, settings.v_bytes_per_element))
    if (settings.cache_type_k, settings.cache_type_v) != (kv, kv):
        notes.append(
            f"Ollama has one KV type for K and V ({', '.join(OLLAMA_KV_TYPES)}): "
            f"-ctk {settings.cache_type_k} -ctv {settings.cache_type_v} becomes {kv}"
        )
    if settings.n_cpu_moe or settings.cpu_moe:
        notes.append("Ollama cannot keep only the experts in RAM; num_gpu offloads whole layers instead (slower)")
    flash = "0" if settings.flash_attn == "off" else "1"
    env = [f"OLLAMA_FLASH_ATTENTION={flash}", f"OLLAMA_KV_CACHE_TYPE={kv}", f"OLLAMA_NUM_PARALLEL={settings.parallel}"]
    params = [f"PARAMETER num_ctx {settings.context_per_slot}"]
    if whole_gpu_layers is not None:
        params.append(f"PARAMETER num_gpu {whole_gpu_layers}")
    if settings.threads is not None:
        params.append(f"PARAMETER num_thread {settings.threads}")
    if not settings.mmap:
        params.append("PARAMETER use_mmap false")
    local = ollama_model.replace(":", "-").replace("/", "-") + "-planned"
    modelfile = "\\n".join([f"FROM {ollama_model}", *params]) + "\\n"
    text = (
        " ".join(env) + " ollama serve\n"
        f"printf {shlex.quote(modelfile)} > Modelfile && ollama create {local} -f Modelfile && ollama run {local}"
    )
    return OllamaCommand(text=text, notes=tuple(notes))
