"""An estimate together with the llama.cpp settings it assumes and the commands that run it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from planner.core.estimate import Estimate
from planner.core.hardware import Build
from planner.core.llama_command import canonical, llama_cli_command, llama_server_command
from planner.core.llama_settings import LlamaSettings
from planner.core.ollama_command import ollama_command
from planner.core.quant import QuantType
from planner.core.units import GIB
from planner.errors import InputError

MAX_FILE_SIZE_GIB = 8192.0
RAM_MTS_RANGE = (800, 12_000)
RAM_CHANNELS_RANGE = (1, 24)


@dataclass(frozen=True)
class Commands:
    llama_server: str
    llama_cli: str
    ollama: str
    ollama_notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "llama_server": self.llama_server,
            "llama_cli": self.llama_cli,
            "ollama": self.ollama,
            "ollama_notes": list(self.ollama_notes),
        }


@dataclass(frozen=True)
class RunAnswer:
    """`best` is filled by `--best`: the objective, the runner-up and how many points were tried."""

    estimate: Estimate
    settings: LlamaSettings
    commands: Commands
    best: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.estimate.to_dict()
        out["settings"] = canonical(self.settings).to_dict()
        out["commands"] = self.commands.to_dict()
        if self.best is not None:
            out["best"] = self.best
        return out


@dataclass(frozen=True)
class ModelNames:
    """How the model is called outside the planner: its GGUF file and its Ollama tag."""

    gguf_file: str
    ollama_tag: str

    @classmethod
    def from_catalog_row(cls, row: dict[str, Any], quant_name: str) -> ModelNames:
        base = str(row.get("repo") or row["id"]).split("/")[-1]
        aliases = [a for a in str(row.get("aliases") or "").split(";") if ":" in a and " " not in a]
        return cls(gguf_file=f"{base}-{quant_name}.gguf", ollama_tag=aliases[0] if aliases else str(row["id"]))


def commands_for(settings: LlamaSettings, names: ModelNames, whole_gpu_layers: int | None) -> Commands:
    file_name = names.gguf_file
    ollama = ollama_command(settings, names.ollama_tag, whole_gpu_layers)
    return Commands(
        llama_server=llama_server_command(settings, file_name),
        llama_cli=llama_cli_command(settings, file_name),
        ollama=ollama.text,
        ollama_notes=ollama.notes,
    )


def resolve_settings(settings: LlamaSettings, result: Estimate) -> LlamaSettings:
    """The settings as they will run: GPU layers as placed (the output layer counts as one, as
    in llama.cpp's "offloaded 37/37 layers"), threads = physical cores (llama.cpp's default),
    flash attention resolved (`auto` is on: the CPU and every GPU backend llama.cpp ships
    support it)."""
    p = result.placement
    gpu_layers = settings.gpu_layers
    if gpu_layers is None:
        gpu_layers = p.gpu_layers + (1 if p.output_on_gpu else 0) if result.backend != "cpu" else 0
    threads = settings.threads if settings.threads is not None else result.build.cpu.cores
    flash = "on" if settings.flash_attn == "auto" else settings.flash_attn
    return replace(settings, gpu_layers=gpu_layers, threads=threads, flash_attn=flash)


def quant_with_file_size(quant: QuantType, model_bytes_at_quant: float, file_size_gib: float | None) -> QuantType:
    """A custom or "dynamic" mix (unsloth UD-*, ubergarm's): scale every part's bits per weight
    so the weights add up to the real GGUF size."""
    if file_size_gib is None:
        return quant
    if not isinstance(file_size_gib, (int, float)) or isinstance(file_size_gib, bool):
        raise InputError(f"--file-size-gib must be a number; got {file_size_gib!r}")
    if not 0 < file_size_gib <= MAX_FILE_SIZE_GIB:
        raise InputError(f"--file-size-gib must be more than 0 and at most {MAX_FILE_SIZE_GIB:g}; got {file_size_gib}")
    factor = file_size_gib * GIB / model_bytes_at_quant
    return replace(
        quant,
        name=f"{quant.name} ({file_size_gib:g} GiB file)",
        body_bpw=quant.body_bpw * factor,
        embd_bpw=quant.embd_bpw * factor,
        output_bpw=quant.output_bpw * factor,
        expert_bpw=None if quant.expert_bpw is None else quant.expert_bpw * factor,
    )


def build_with_ram(build: Build, ram_mts: Any, ram_channels: Any) -> Build:
    """System RAM speed and channel count as installed (`--ram-mts`, `--ram-channels`)."""
    mts = _whole_in("--ram-mts", ram_mts, RAM_MTS_RANGE)
    channels = _whole_in("--ram-channels", ram_channels, RAM_CHANNELS_RANGE)
    return replace(
        build,
        ram_mts=build.ram_mts if mts is None else mts,
        ram_channels=build.ram_channels if channels is None else channels,
    )


def _whole_in(flag: str, value: Any, bounds: tuple[int, int]) -> int | None:
    if value is None:
        return None
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{flag} must be a whole number from {low:,} to {high:,}; got {value!r}")
    return value
