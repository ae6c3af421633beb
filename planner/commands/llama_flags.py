"""llama.cpp's settings as `planner estimate` flags, and their part of the human-readable output."""

from __future__ import annotations

import argparse

from planner.core.llama_settings import CACHE_TYPE_BYTES, ENGINES, FLASH_ATTN
from planner.estimation.run_answer import RunAnswer

CACHE_TYPES = tuple(CACHE_TYPE_BYTES)
LLAMA_FLAG_KEYS = (
    "engine", "file_size_gib", "gpu_layers", "n_cpu_moe", "cpu_moe", "tensor_split", "ubatch",
    "flash_attn", "cache_type_k", "cache_type_v", "parallel", "threads", "ram_mts", "ram_channels",
    "best", "no_mmap",
)  # fmt: skip


def add_llama_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("llama.cpp settings (llama.cpp's names; defaults are llama.cpp's)")
    g.add_argument("--engine", choices=ENGINES, help="llama.cpp (mainline, default) or ik_llama.cpp")
    g.add_argument("--file-size-gib", type=float, metavar="X", help="real GGUF size of a custom/dynamic mix")
    g.add_argument("--gpu-layers", "-ngl", type=int, metavar="N", help="layers on the GPU (default: as many as fit)")
    g.add_argument("--n-cpu-moe", type=int, metavar="N", help="keep the experts of the first N layers in RAM")
    g.add_argument("--cpu-moe", action="store_const", const=True, help="keep all MoE experts in RAM")
    g.add_argument("--tensor-split", "-ts", metavar="A,B,...", help="share of the model per GPU, e.g. 3,1")
    g.add_argument("--ubatch", "-ub", type=int, metavar="N", help="physical batch size (default 512)")
    g.add_argument("--flash-attn", "-fa", choices=FLASH_ATTN, help="flash attention (default auto)")
    g.add_argument("--cache-type-k", "-ctk", choices=CACHE_TYPES, help="K-cache type (default f16)")
    g.add_argument("--cache-type-v", "-ctv", choices=CACHE_TYPES, help="V-cache type (default f16)")
    g.add_argument("--parallel", "-np", type=int, metavar="N", help="server slots sharing one KV cache (default 1)")
    g.add_argument("--threads", "-t", type=int, metavar="N", help="CPU threads (default: physical cores)")
    g.add_argument("--no-mmap", action="store_const", const=True, help="load the model without mmap")
    g.add_argument("--ram-mts", type=int, metavar="N", help="system RAM speed in MT/s (default: the CPU's)")
    g.add_argument("--ram-channels", type=int, metavar="N", help="populated RAM channels (default: the CPU's)")
    g.add_argument(
        "--best",
        nargs="?",
        const="speed",
        choices=("speed", "context", "prompt"),
        help="search the settings for the fastest generation (or longest context / fastest prompt)",
    )


def print_run_details(answer: RunAnswer) -> None:
    s = answer.settings
    moe = "all experts in RAM" if s.cpu_moe else f"experts of {s.n_cpu_moe} layers in RAM" if s.n_cpu_moe else ""
    print(
        f"  settings:   {s.engine}, -ngl {s.gpu_layers}{', ' + moe if moe else ''}, -fa {s.flash_attn}, "
        f"-ctk {s.cache_type_k} -ctv {s.cache_type_v}, -ub {s.ubatch}, -np {s.parallel}, -t {s.threads}"
    )
    if answer.best:
        print(f"  best:       {answer.best.get('summary', '')}")
    print(f"  run it:     {answer.commands.llama_server}")
    print(f"              {answer.commands.llama_cli}")
    for line in answer.commands.ollama.splitlines():
        print(f"  ollama:     {line}")
    for note in answer.commands.ollama_notes:
        print(f"              ({note})")
