"""Run llama.cpp's own benchmark, `llama-bench -o json`, and turn its results into measurements.

The binary is found on PATH, in a folder the user set, or next to a llama.cpp or LM Studio
install. The run has a timeout and can be cancelled; either kills the whole process group.
Nothing is stored here: the caller stores the returned rows in one transaction.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.measure.common import (
    Cancelled,
    MeasurementCancelled,
    MeasurementError,
    Progress,
    ignore_progress,
    never_cancelled,
    now_utc,
)
from planner.measure.names import ModelCatalog, file_stem, quant_from_label, resolve_model_id, resolve_quant
from planner.measure.records import PcMeasurement, test_name

EXE = "llama-bench.exe" if sys.platform == "win32" else "llama-bench"
DEFAULT_TIMEOUT_S = 900.0
GIB = 1024**3
_PROGRESS = re.compile(r"benchmark (\d+)/(\d+)")
SETTING_KEYS = (
    "n_gpu_layers", "n_cpu_moe", "flash_attn", "type_k", "type_v", "n_batch", "n_ubatch", "n_threads",
    "split_mode", "main_gpu", "no_kv_offload", "tensor_split", "use_mmap", "devices", "poll", "cpu_mask",
)  # fmt: skip


@dataclass(frozen=True)
class BenchSettings:
    """What to run: the planner's workload in llama-bench's flags."""

    prompt: int = 512
    gen: int = 128
    depths: tuple[int, ...] = (0,)
    gpu_layers: int = 99
    n_cpu_moe: int | None = None
    flash_attn: bool | None = None
    cache_type_k: str = "f16"
    cache_type_v: str = "f16"
    repetitions: int = 3
    extra: tuple[str, ...] = field(default=())

    @property
    def tests(self) -> int:
        return (int(self.prompt > 0) + int(self.gen > 0)) * len(self.depths)


def search_folders(user_folder: Path | None = None) -> list[Path]:
    """Where a llama-bench may live besides PATH, most specific first."""
    home = Path.home()
    folders = [user_folder] if user_folder else []
    for root in (home / "llama.cpp", home / "src" / "llama.cpp", Path("/opt/llama.cpp")):
        folders += [root / "build" / "bin", root / "build" / "bin" / "Release", root]
    for lmstudio in (home / ".lmstudio", home / ".cache" / "lm-studio"):
        backends = lmstudio / "extensions" / "backends"
        if backends.is_dir():
            folders += sorted((p for p in backends.iterdir() if p.is_dir()), reverse=True)
    return folders


def model_folders() -> list[Path]:
    """Where GGUF files usually are: LM Studio's, llama.cpp's and Ollama-free download caches."""
    home = Path.home()
    return [
        home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models", home / ".cache" / "llama.cpp",
        home / ".cache" / "huggingface" / "hub", home / "models", home / "llama.cpp" / "models",
    ]  # fmt: skip


def find_gguf_files(folders: list[Path] | None = None, limit: int = 50) -> list[Path]:
    """GGUF models already on this PC (the first part of split files only), largest first."""
    found: list[Path] = []
    for folder in folders if folders is not None else model_folders():
        if folder.is_dir():
            found += [
                p for p in folder.rglob("*.gguf")
                if p.is_file() and not re.search(r"-0000[2-9]-of-|mmproj", p.name)
            ]  # fmt: skip
    found.sort(key=lambda p: p.stat().st_size, reverse=True)
    return found[:limit]


def find_llama_bench(binary: Path | None = None, user_folder: Path | None = None) -> Path:
    """The llama-bench to run; `MeasurementError` with where it looked when there is none."""
    if binary is not None:
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
        raise MeasurementError(f"{binary} is not an executable llama-bench; check the path")
    on_path = shutil.which(EXE)
    if on_path:
        return Path(on_path)
    folders = search_folders(user_folder)
    for folder in folders:
        candidate = folder / EXE
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    looked = ", ".join(str(f) for f in folders[:4])
    raise MeasurementError(
        f"no llama-bench found on PATH or in {looked}. Install llama.cpp "
        "(https://github.com/ggml-org/llama.cpp/releases) and pass --binary PATH, "
        "or set its folder in Preferences."
    )


def bench_command(binary: Path, model: Path, settings: BenchSettings, progress_flag: bool = False) -> list[str]:
    cmd = [str(binary), "-m", str(model), "-o", "json", "-r", str(settings.repetitions)]
    cmd += ["-p", str(settings.prompt), "-n", str(settings.gen), "-ngl", str(settings.gpu_layers)]
    if settings.depths != (0,):
        cmd += ["-d", ",".join(str(d) for d in settings.depths)]
    if settings.n_cpu_moe is not None:
        cmd += ["--n-cpu-moe", str(settings.n_cpu_moe)]
    if settings.flash_attn is not None:
        cmd += ["-fa", "1" if settings.flash_attn else "0"]
    cmd += ["-ctk", settings.cache_type_k, "-ctv", settings.cache_type_v, *settings.extra]
    return cmd + (["--progress"] if progress_flag else [])


def supports_progress(binary: Path) -> bool:
    """Newer llama-bench builds report each test on stderr with --progress."""
    try:
        done = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--progress" in done.stdout + done.stderr


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is not None:
        return
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    else:
        proc.kill()
    proc.wait()


def run_llama_bench(
    command: Sequence[str],
    timeout_s: float = DEFAULT_TIMEOUT_S,
    tests: int = 0,
    progress: Progress = ignore_progress,
    cancelled: Cancelled = never_cancelled,
) -> list[dict[str, Any]]:
    """Run llama-bench and return its parsed JSON results."""
    try:
        proc = subprocess.Popen(
            list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=os.name == "posix",
        )  # fmt: skip
    except OSError as exc:
        raise MeasurementError(f"cannot start {command[0]}: {exc.strerror or exc}") from exc
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else ""), daemon=True),
        threading.Thread(target=lambda: err.extend(proc.stderr or []), daemon=True),
    ]
    for reader in readers:
        reader.start()
    start = time.monotonic()
    try:
        while proc.poll() is None:
            elapsed = time.monotonic() - start
            if cancelled():
                raise MeasurementCancelled("llama-bench cancelled; nothing was stored")
            if elapsed > timeout_s:
                raise MeasurementError(f"llama-bench timed out after {timeout_s:g} s; nothing was stored")
            done = [m for line in err if (m := _PROGRESS.search(line))]
            if done and tests:
                current, total = int(done[-1].group(1)), int(done[-1].group(2))
                progress(min(99, round(100 * (current - 1) / total)), f"test {current} of {total}")
            else:
                progress(0, f"running llama-bench ({elapsed:.0f} s)")
            time.sleep(0.1)
    finally:
        _kill(proc)
        for reader in readers:
            reader.join(timeout=5)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    if proc.returncode != 0:
        tail = "".join(err[-5:]).strip() or "no message"
        raise MeasurementError(f"llama-bench failed (exit code {proc.returncode}): {tail}")
    progress(100, "done")
    return parse_bench_json("".join(out))


def parse_bench_json(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MeasurementError(f"llama-bench printed no readable JSON ({exc.msg}); is it a llama-bench?") from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data or not all(isinstance(r, dict) and "avg_ts" in r for r in data):
        raise MeasurementError("llama-bench printed JSON without results (no avg_ts)")
    return data


def backend_of(result: dict[str, Any]) -> str:
    names = str(result.get("backends") or result.get("backend") or "CPU").lower()
    if int(result.get("n_gpu_layers") or 0) == 0:
        return "cpu"
    for key, backend in (("cuda", "cuda"), ("metal", "metal"), ("rocm", "rocm"), ("hip", "rocm"),
                         ("vulkan", "vulkan"), ("sycl", "sycl")):  # fmt: skip
        if key in names:
            return backend
    return "cpu"


def to_measurements(results: list[dict[str, Any]], catalog: ModelCatalog) -> list[PcMeasurement]:
    """One `PcMeasurement` per llama-bench result, with the catalog model and quant where they resolve."""
    rows = []
    for r in results:
        filename = str(r.get("model_filename") or "")
        model_type = str(r.get("model_type") or "")
        ftype = model_type.split(" ", 2)[2] if model_type.count(" ") >= 2 else ""
        backend = backend_of(r)
        gpus = [g.strip() for g in str(r.get("gpu_info") or "").split(",") if g.strip()]
        n_prompt, n_gen, n_depth = int(r.get("n_prompt") or 0), int(r.get("n_gen") or 0), int(r.get("n_depth") or 0)
        commit, number = r.get("build_commit") or "", r.get("build_number")
        build = f"{commit} ({number})" if commit and number else str(commit)
        rows.append(
            PcMeasurement(
                tool="llama-bench",
                model_label=file_stem(filename) or model_type,
                test=test_name(n_prompt, n_gen, n_depth),
                tokens_per_s=round(float(r["avg_ts"]), 3),
                stddev_tokens_per_s=round(float(r.get("stddev_ts") or 0.0), 3),
                measured_at=str(r.get("test_time") or now_utc()),
                model_id=resolve_model_id(catalog, filename, model_type),
                quant=resolve_quant(catalog, ftype, quant_from_label(filename)),
                n_prompt=n_prompt,
                n_gen=n_gen,
                n_depth=n_depth,
                backend=backend,
                device=", ".join(gpus) if backend != "cpu" else str(r.get("cpu_info") or ""),
                hardware=" + ".join(x for x in (", ".join(gpus), str(r.get("cpu_info") or "")) if x),
                n_gpus=len(gpus) if backend != "cpu" else 0,
                params_b=round(float(r["model_n_params"]) / 1e9, 2) if r.get("model_n_params") else None,
                model_size_gib=round(float(r["model_size"]) / GIB, 2) if r.get("model_size") else None,
                settings={k: r[k] for k in SETTING_KEYS if k in r},
                llama_build=build,
            )
        )
    return rows


def measure_llama_bench(
    model: Path,
    catalog: ModelCatalog,
    settings: BenchSettings | None = None,
    binary: Path | None = None,
    user_folder: Path | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    progress: Progress = ignore_progress,
    cancelled: Cancelled = never_cancelled,
) -> list[PcMeasurement]:
    """Find llama-bench, run it on `model` and return the results (not yet stored)."""
    if not model.is_file():
        raise MeasurementError(f"no model file at {model}; give the path of a .gguf file")
    settings = settings or BenchSettings()
    exe = find_llama_bench(binary, user_folder)
    progress(0, f"starting {exe.name}")
    command = bench_command(exe, model, settings, supports_progress(exe))
    results = run_llama_bench(command, timeout_s, settings.tests, progress, cancelled)
    return to_measurements(results, catalog)
