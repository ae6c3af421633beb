"""Ready-to-paste command lines for `LlamaSettings`, and the way back from a command line.

`llama_server_command(settings, model_file)` prints what a user pastes into a shell;
`parse_llama_command(text)` reads a `llama-server`/`llama-cli` line (llama.cpp's short and
long option names) back into settings. The pair round-trips: parsing the printed line gives
the same settings (ik_llama.cpp has no `-fa auto`, so auto is printed, and read back, as on).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from typing import Any

from planner.core.llama_settings import DEFAULT_BATCH, LlamaSettings, parse_tensor_split
from planner.errors import InputError

SERVER, CLI = "llama-server", "llama-cli"
BINARIES = (SERVER, CLI, "llama-bench", "./llama-server", "./llama-cli")

# option -> (settings field, takes a value); llama.cpp's common/arg.cpp spellings.
VALUE_OPTIONS = {
    "-ngl": "gpu_layers", "--gpu-layers": "gpu_layers", "--n-gpu-layers": "gpu_layers",
    "-ncmoe": "n_cpu_moe", "--n-cpu-moe": "n_cpu_moe",
    "-ts": "tensor_split", "--tensor-split": "tensor_split",
    "-c": "context", "--ctx-size": "context",
    "-ub": "ubatch", "--ubatch-size": "ubatch",
    "-b": "batch", "--batch-size": "batch",
    "-ctk": "cache_type_k", "--cache-type-k": "cache_type_k",
    "-ctv": "cache_type_v", "--cache-type-v": "cache_type_v",
    "-np": "parallel", "--parallel": "parallel",
    "-t": "threads", "--threads": "threads",
    "-m": "model", "--model": "model", "-hf": "model", "--hf-repo": "model",
    "-ot": "override_tensor", "--override-tensor": "override_tensor",
}  # fmt: skip
INT_FIELDS = {"gpu_layers", "n_cpu_moe", "context", "ubatch", "batch", "parallel", "threads"}
FLAG_OPTIONS = {"-cmoe": ("cpu_moe", True), "--cpu-moe": ("cpu_moe", True), "--no-mmap": ("mmap", False)}
FLAG_OPTIONS |= {"--mmap": ("mmap", True)}
_N_CPU_MOE_OT = re.compile(r"^blk\\?\.\((?P<layers>[0-9|]+)\)\\?\.ffn_.*_exps.*=CPU$")


def canonical(settings: LlamaSettings) -> LlamaSettings:
    """The settings as the engine will run them (ik_llama.cpp's -fa is a switch: auto is on)."""
    if settings.engine == "ik_llama.cpp" and settings.flash_attn == "auto":
        return replace(settings, flash_attn="on")
    return settings


def llama_args(settings: LlamaSettings, model_file: str) -> list[str]:
    """The arguments after the binary, in the order people write them."""
    s = canonical(settings)
    args = ["-m", model_file, "-c", str(s.context)]
    args += ["-ngl", str(s.gpu_layers if s.gpu_layers is not None else 999)]
    if s.cpu_moe:
        args.append("--cpu-moe")
    elif s.n_cpu_moe:
        args += ["--n-cpu-moe", str(s.n_cpu_moe)]
    if s.tensor_split:
        args += ["-ts", ",".join(f"{x:g}" for x in s.tensor_split)]
    if s.engine == "ik_llama.cpp":
        args += ["-fa"] if s.flash_attn == "on" else []
    else:
        args += ["-fa", s.flash_attn]
    args += ["-ctk", s.cache_type_k, "-ctv", s.cache_type_v]
    args += ["-ub", str(s.ubatch)]
    if s.batch != DEFAULT_BATCH:
        args += ["-b", str(s.batch)]
    if s.parallel != 1:
        args += ["-np", str(s.parallel)]
    if s.threads is not None:
        args += ["-t", str(s.threads)]
    if not s.mmap:
        args.append("--no-mmap")
    return args


def llama_server_command(settings: LlamaSettings, model_file: str) -> str:
    return shlex.join([SERVER, *llama_args(settings, model_file)])


def llama_cli_command(settings: LlamaSettings, model_file: str) -> str:
    """llama-cli runs one conversation: one slot, so -np is left out."""
    return shlex.join([CLI, *llama_args(replace(settings, parallel=1), model_file)])


def parse_llama_command(text: str, engine: str | None = None) -> tuple[LlamaSettings, str | None]:
    """Settings and model file from a llama-server / llama-cli command line. Options the planner
    does not model (ports, sampling, --jinja...) are skipped; bad values raise InputError."""
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise InputError(f"cannot read the command line: {exc}") from exc
    if tokens and (tokens[0] in BINARIES or tokens[0].endswith(("/llama-server", "/llama-cli"))):
        tokens = tokens[1:]
    values: dict[str, Any] = {}
    model: str | None = None
    i = 0
    while i < len(tokens):
        tok, inline = _split_inline(tokens[i])
        if tok in ("-fa", "--flash-attn"):
            value, used = _flash_attn_value(inline, tokens[i + 1] if i + 1 < len(tokens) else None)
            values["flash_attn"] = value
            i += 1 + used
            continue
        if tok in FLAG_OPTIONS:
            name, flag_value = FLAG_OPTIONS[tok]
            values[name] = flag_value
            i += 1
            continue
        if tok in VALUE_OPTIONS:
            if inline is None and i + 1 >= len(tokens):
                raise InputError(f"{tok} needs a value")
            raw = inline if inline is not None else tokens[i + 1]
            name = VALUE_OPTIONS[tok]
            if name == "model":
                model = raw
            elif name == "override_tensor":
                values.update(_override_tensor(raw))
            else:
                values[name] = _convert(tok, name, raw)
            i += 1 if inline is not None else 2
            continue
        i += 1
    if "flash_attn" not in values and (engine or "llama.cpp") == "ik_llama.cpp":
        values["flash_attn"] = "off"
    if engine:
        values["engine"] = engine
    settings = LlamaSettings(**values)
    return settings, model


def _split_inline(token: str) -> tuple[str, str | None]:
    if token.startswith("--") and "=" in token:
        name, value = token.split("=", 1)
        return name, value
    return token, None


def _flash_attn_value(inline: str | None, following: str | None) -> tuple[str, int]:
    """`-fa on|off|auto` (mainline), or a bare `-fa` switch (older builds, ik_llama.cpp)."""
    if inline is not None:
        return _fa_word(inline), 0
    if following is not None and following.lower() in ("on", "off", "auto", "1", "0", "true", "false"):
        return _fa_word(following), 1
    return "on", 0


def _fa_word(word: str) -> str:
    word = word.lower()
    return {"1": "on", "true": "on", "0": "off", "false": "off"}.get(word, word)


def _convert(option: str, name: str, raw: str) -> Any:
    if name in INT_FIELDS:
        try:
            return int(raw)
        except ValueError as exc:
            raise InputError(f"{option} takes a whole number; got {raw!r}") from exc
    if name == "tensor_split":
        return parse_tensor_split(raw)
    return raw


def _override_tensor(pattern: str) -> dict[str, Any]:
    """`-ot exps=CPU` is --cpu-moe; `-ot blk\\.(0|1|2)\\.ffn_.*_exps=CPU` is --n-cpu-moe 3."""
    if pattern in ("exps=CPU", r"\.ffn_.*_exps\.=CPU", "ffn_.*_exps=CPU"):
        return {"cpu_moe": True}
    match = _N_CPU_MOE_OT.match(pattern)
    if match:
        layers = sorted(int(x) for x in match["layers"].split("|"))
        if layers == list(range(len(layers))):
            return {"n_cpu_moe": len(layers)}
    raise InputError(
        f"-ot {pattern!r}: only experts-to-CPU overrides (exps=CPU, or the first N layers) can be read; "
        "use --n-cpu-moe N or --cpu-moe"
    )
