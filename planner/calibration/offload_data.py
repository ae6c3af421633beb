"""The offload measurements (db/data/offload_measurements.csv) as estimator inputs.

Each row names its machine (`offload_setups`: catalog GPU, CPU, sockets, RAM type, speed and
channels as stated or assumed), the model and GGUF size, the flags (experts in RAM, -ngl,
u-batch, threads, cache types) and the test. Rows the estimator cannot place (models not
in the catalog, unnamed quants without a size, unparseable tests, machines left out of the
setups) are skipped with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from planner.catalog.store import Catalog, Row
from planner.core.hardware import Build, GpuGroup
from planner.core.memory import weight_layout
from planner.core.model import ModelArch
from planner.core.quant import QuantType
from planner.core.workload import Engine, Workload
from planner.errors import PlannerError
from planner.estimation.run_answer import quant_with_file_size

MODEL_KEYS = (
    ("DeepSeek-R1", "deepseek-r1"), ("DeepSeek-V3", "deepseek-v3"), ("Qwen3-235B", "qwen3-235b-a22b"),
    ("Qwen3-30B", "qwen3-30b-a3b"), ("gpt-oss-120b", "gpt-oss-120b"), ("8x22B", "mixtral-8x22b"),
)  # fmt: skip
_TEST = re.compile(r"(?i)\b(pp|tg)(\d+)")
_COUNT = re.compile(r"^~?(\d+) of (\d+)")
_UB = re.compile(r"(?:-ub|--ubatch-size)\s+(\d+)|\(ub (\d+)\)")
_CTX = re.compile(r"(?:-c|--ctx-size)\s+(\d+)")
_INT = re.compile(r"\d+")
_RTR = re.compile(r"(?:^|[\s(])(?:-rtr|--run-time-repack)\b")
_REPACKED_QUANT = re.compile(r"_R(?:4|8)\b")


@dataclass(frozen=True)
class OffloadPoint:
    row_id: int
    setup_id: str
    engine: str
    kind: str  # "decode" | "prefill"
    measured: float  # tokens/s
    build: Build
    model: ModelArch
    quant: QuantType
    workload: Workload
    all_gpu_baseline: bool = False  # everything on the GPU: the GPU calibration's case, not offload


def offload_points(catalog: Catalog) -> tuple[list[OffloadPoint], dict[str, int]]:
    """Points the estimator can place, and how many rows were skipped for each reason."""
    setups = {s["setup_id"]: s for s in catalog.table("offload_setups", "setup_id")}
    rows = catalog.table("offload_measurements", "row_id")
    sizes = _stated_sizes(rows)
    points: list[OffloadPoint] = []
    skipped: dict[str, int] = {}
    for row in rows:
        if not _float(row["model_size_gib"] or "") and (key := _size_key(row)) in sizes:
            row = {**row, "model_size_gib": str(sizes[key])}  # the same file, sized in another row
        result = _point(catalog, row, setups.get(row["setup_id"]))
        if isinstance(result, str):
            skipped[result] = skipped.get(result, 0) + 1
        else:
            points.append(result)
    return points, skipped


def _point(catalog: Catalog, row: Row, setup: Row | None) -> OffloadPoint | str:
    if setup is None:
        return "machine not described in offload_setups (GPU or CPU not stated, mixed GPUs, RAM smaller than model)"
    model_id = next((mid for key, mid in MODEL_KEYS if key in row["model"]), None)
    if model_id is None:
        return "model not in the catalog"
    test = _test(row)
    if test is None:
        return "test not parseable"
    kind, tokens, depth = test
    model = catalog.model(model_id)
    quant = _quant(catalog, model, row)
    if quant is None:
        return "quant mix without a stated size"
    offload = _offload(model, row)
    if offload is None:
        return "expert placement not parseable"
    gpu_layers, n_cpu_moe = offload
    build = _build(catalog, setup, cpu_only=row["is_cpu_only"] == "yes")
    flags = row["offload"] or ""
    ub = next((int(a or b) for a, b in _UB.findall(row["test"] + " " + flags)), 512)
    ctx = max([depth + tokens, 4096, *(int(c) for c in _CTX.findall(flags))])
    k_type, v_type = _cache_types(row["kv_cache_type"] or "")
    threads = _first_int(row["threads"] or "")
    try:
        workload = Workload(
            context=ctx, depth=depth + tokens // 2 if kind == "decode" else depth,
            prompt=tokens if kind == "prefill" else 512, kv_cache="f16", cache_type_k=k_type,
            cache_type_v=v_type, n_ubatch=min(ub, 4096), flash_attn=_flash(row),
            gpu_layers=gpu_layers, n_cpu_moe=n_cpu_moe, engine=Engine(row["engine"]),
            threads=threads, backend="cpu" if not build.gpus else None, repacked=_repacked(row),
        )  # fmt: skip
    except PlannerError as exc:
        return f"settings: {exc}"
    return OffloadPoint(
        row_id=int(row["row_id"]), setup_id=row["setup_id"], engine=Engine(row["engine"]), kind=kind,
        measured=float(row["tokens_per_s"]), build=build, model=model, quant=quant, workload=workload,
        all_gpu_baseline=row["is_all_gpu_baseline"] == "yes",
    )  # fmt: skip


def _repacked(row: Row) -> bool:
    """ik_llama.cpp with -rtr (in the flags or the build column) or an _R4/_R8 quant."""
    text = " ".join((row["offload"] or "", row["engine_build"] or ""))
    return row["engine"] == "ik_llama.cpp" and bool(_RTR.search(text) or _REPACKED_QUANT.search(row["quant"] or ""))


def _size_key(row: Row) -> tuple[str, str]:
    """Files are the same when the architecture and the quant recipe are (R1 and V3 share both)."""
    model = next((mid for key, mid in MODEL_KEYS if key in row["model"]), "")
    return model.replace("deepseek-v3", "deepseek-r1"), (row["quant"] or "").split()[0]


def _stated_sizes(rows: list[Row]) -> dict[tuple[str, str], float]:
    sizes: dict[tuple[str, str], float] = {}
    for row in rows:
        size = _float(row["model_size_gib"] or "")
        if size and "(author" not in (row["model_size_gib"] or ""):
            sizes.setdefault(_size_key(row), size)
    return sizes


def _flash(row: Row) -> str:
    return "off" if (row["flash_attn"] or "1")[0] == "0" else "on"


def _test(row: Row) -> tuple[str, int, int] | None:
    """('decode'|'prefill', tokens, depth)."""
    text = row["test"] or ""
    depth = _first_int(row["ctx_depth"] or "") or 0
    if m := _TEST.search(text):
        kind = "prefill" if m.group(1).lower() == "pp" else "decode"
        if "@pp" in text.lower():  # llama-bench tgN@ppM: decode after an M-token prompt
            depth = int(text.lower().split("@pp")[1].split()[0])
        return kind, int(m.group(2)), depth
    lowered = text.lower()
    if lowered.startswith("prompt"):
        tokens = _first_int(text) or depth
        return ("prefill", tokens, 0) if tokens else None
    if lowered.startswith(("eval", "generation", "token generation")):
        return "decode", 128, depth
    return None


def _quant(catalog: Catalog, model: ModelArch, row: Row) -> QuantType | None:
    size = _float(row["model_size_gib"] or "")
    name = (row["quant"] or "").split()[0].upper()
    if name in catalog.quant_rows and (size is None or "(author" in (row["model_size_gib"] or "")):
        return catalog.quant(name)
    if size is None or "(author" in (row["model_size_gib"] or ""):
        return None
    base = catalog.quant("MXFP4" if "MXFP4" in name else "Q4_K_M")
    return quant_with_file_size(base, weight_layout(model, base).total_bytes, size)


def _offload(model: ModelArch, row: Row) -> tuple[int | None, int] | None:
    """(gpu_layers, n_cpu_moe) from the row's description of what sits in RAM."""
    text = (row["n_expert_layers_on_cpu"] or "").strip()
    if row["is_cpu_only"] == "yes":
        return 0, 0
    if text.startswith("0"):
        return None, 0
    if "layers on CPU" in text:
        m = _COUNT.match(text)
        return (model.n_layers - int(m.group(1)), 0) if m else None
    if text.startswith("all") and "ngl 0" in text:
        return 0, 0
    if "all" in text.split("(")[0] or "routed experts" in text:
        return None, model.n_layers
    m = _COUNT.match(text)
    if m is None:
        return None
    return None, int(m.group(1)) + (model.n_dense_layers if model.is_moe else 0)


def _build(catalog: Catalog, setup: Row, cpu_only: bool) -> Build:
    cpu = catalog.cpu(setup["cpu_id"])
    sockets = int(setup["sockets"] or 1)
    cpu = replace(cpu, cores=cpu.cores * sockets, threads=cpu.threads * sockets)
    gpus: tuple[GpuGroup, ...] = ()
    if setup["gpu_id"] and not cpu_only:
        gpus = (GpuGroup(catalog.accelerator(setup["gpu_id"]), int(setup["gpu_count"] or 1)),)
    return Build(
        name=setup["setup_id"], gpus=gpus, cpu=cpu, ram_gb=float(setup["ram_gb"] or 1024),
        ram_mts=int(setup["ram_mts"]), ram_channels=int(setup["ram_channels"]),
    )  # fmt: skip


def _cache_types(text: str) -> tuple[str, str]:
    types = [t for t in re.split(r"[/ ]", text) if t in ("f16", "q8_0", "q4_0", "iq4_nl", "q5_0", "q5_1", "q4_1")]
    if not types:
        return "f16", "f16"
    if len(types) == 1:
        return types[0], types[0] if "(K)" not in text else "f16"
    return types[0], types[1]


def _first_int(text: str) -> int | None:
    m = _INT.search(text)
    return int(m.group(0)) if m else None


def _float(text: str) -> float | None:
    try:
        return float(text.replace("~", "").split()[0])
    except (ValueError, IndexError):
        return None


def measured_ram_bandwidth(catalog: Catalog) -> dict[str, float]:
    """setup -> the RAM bandwidth its owner measured (GB/s), where stated."""
    return {
        s["setup_id"]: float(s["measured_ram_gbs"])
        for s in catalog.table("offload_setups", "setup_id")
        if s["measured_ram_gbs"]
    }
