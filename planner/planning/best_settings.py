"""`--best`: search llama.cpp's settings for one build, model, quant and context.

The knobs are the ones users turn: experts in RAM (`--n-cpu-moe`, MoE models) or GPU layers
(`-ngl`, dense models), K/V cache types, flash attention and the u-batch. Settings the user
gave are kept; the rest are searched. For each combination of the other knobs the offload
count is found by bisection: VRAM never grows as more layers go to RAM and RAM never empties,
so the settings that fit form one window; time per token is linear in the layers moved, so the
best point is one of the window's two ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import product

from planner.core.llama_settings import UNQUANTIZED_CACHE, LlamaSettings

# q8_0 is the smallest cache people call lossless; q4_0 and friends are used when asked for.
CACHE_CHOICES = (("f16", "f16"), ("q8_0", "q8_0"))
# Flash attention off never wins: it needs the K*Q buffer and prefill is slower without it.
FLASH_CHOICES = ("on",)
UBATCH_CHOICES = (512, 1024, 2048, 4096)
OBJECTIVES = ("speed", "context", "prompt")


@dataclass(frozen=True)
class Point:
    """One evaluated setting: whether it fits (GPU + RAM), its speeds, the longest context it
    can hold and the most memory it takes on any GPU."""

    settings: LlamaSettings
    fits: bool
    decode_tok_s: float
    prefill_tok_s: float
    max_context: int
    vram_bytes: float
    gpu_ok: bool | None = None  # the GPU side loads as asked (None: same as `fits`)

    @property
    def loads_on_gpu(self) -> bool:
        return self.fits if self.gpu_ok is None else self.gpu_ok


Evaluate = Callable[[LlamaSettings], Point]


@dataclass(frozen=True)
class BestResult:
    objective: str
    best: Point
    runner_up: Point | None
    evaluated: int


def score(point: Point, objective: str) -> tuple[float, ...]:
    """Larger is better; ties go to faster generation, then faster prompts, then less VRAM."""
    if objective == "context":
        return (point.max_context, point.decode_tok_s, point.prefill_tok_s, -point.vram_bytes)
    if objective == "prompt":
        return (point.prefill_tok_s, point.decode_tok_s, -point.vram_bytes)
    return (point.decode_tok_s, point.prefill_tok_s, -point.vram_bytes)


def offload_values(is_moe: bool, n_layers: int, n_dense_layers: int) -> tuple[str, list[int]]:
    """The knob that moves weights to RAM and its values, fewest in RAM first. --n-cpu-moe counts
    blocks from 0, so leading dense blocks are skipped (they hold no experts)."""
    if is_moe:
        return "n_cpu_moe", [0, *range(n_dense_layers + 1, n_layers + 1)]
    return "gpu_layers", list(range(n_layers + 1, -1, -1))


def combinations(base: LlamaSettings, fixed: Iterable[str]) -> list[LlamaSettings]:
    """Every valid combination of the knobs the user left open."""
    fixed = set(fixed)
    cache_fixed = bool(fixed & {"cache_type_k", "cache_type_v", "kv_cache"})
    caches = [(base.cache_type_k, base.cache_type_v)] if cache_fixed else list(CACHE_CHOICES)
    flashes = [base.flash_attn] if "flash_attn" in fixed else list(FLASH_CHOICES)
    ubatches = [base.ubatch] if "ubatch" in fixed else list(UBATCH_CHOICES)
    out = []
    for (k, v), fa, ub in product(caches, flashes, ubatches):
        if fa == "off" and v not in UNQUANTIZED_CACHE:
            continue  # llama.cpp refuses a quantized V cache without flash attention
        out.append(replace(base, cache_type_k=k, cache_type_v=v, flash_attn=fa, ubatch=ub, batch=max(base.batch, ub)))
    return out


def search(
    evaluate: Evaluate,
    base: LlamaSettings,
    fixed: Iterable[str],
    objective: str,
    is_moe: bool,
    n_layers: int,
    n_dense_layers: int,
    refine: Evaluate | None = None,
) -> BestResult | None:
    """The best feasible setting and the runner-up, or None when nothing fits. `refine`
    re-evaluates only the candidates (the longest context is costly to find for every point)."""
    fixed = set(fixed)
    knob, values = offload_values(is_moe, n_layers, n_dense_layers)
    if knob in fixed or (is_moe and base.cpu_moe):
        values = [getattr(base, knob)] if not base.cpu_moe else [n_layers]
    counter = [0]

    def at(combo: LlamaSettings, value: int) -> Point:
        counter[0] += 1
        return evaluate(combo if base.cpu_moe else with_offload(combo, knob, value))

    candidates: list[Point] = []
    for combo in combinations(base, fixed):

        def point_at(i: int, c: LlamaSettings = combo) -> Point:
            return at(c, values[i])

        first = _first_fitting(point_at, len(values))
        if first is None:
            continue
        index, point = first
        candidates.append(point)
        # Time per token and per prompt is linear in the layers moved and the longest context
        # grows with them, so the best point of the window that fits is one of its ends: the
        # far end wins where RAM outruns VRAM (12-channel servers beside a small GPU) and for
        # the longest context.
        last_index, last_point = _last_fitting(point_at, index, point, len(values))
        if last_index != index:
            candidates.append(last_point)
    if not candidates:
        return None
    if refine is not None:
        counter[0] += len(candidates)
        candidates = [refine(p.settings) for p in candidates]
    ranked = sorted(candidates, key=lambda p: score(p, objective), reverse=True)
    runner_up = next((p for p in ranked[1:] if p.settings != ranked[0].settings), None)
    return BestResult(objective=objective, best=ranked[0], runner_up=runner_up, evaluated=counter[0])


def _first_fitting(point_at: Callable[[int], Point], count: int) -> tuple[int, Point] | None:
    """The first index that fits. Along the values the GPU side only gets lighter and system
    RAM only fuller, so bisect for the first value the GPU holds; RAM then has the most room
    it will have, and if it cannot hold the rest there, nothing later can."""
    last = point_at(count - 1)
    if not last.loads_on_gpu:
        return None
    low, high, best = -1, count - 1, last
    while high - low > 1:
        mid = (low + high) // 2
        point = point_at(mid)
        if point.loads_on_gpu:
            high, best = mid, point
        else:
            low = mid
    return (high, best) if best.fits else None


def _last_fitting(point_at: Callable[[int], Point], first: int, at_first: Point, count: int) -> tuple[int, Point]:
    """The last index that still fits: system RAM fills up along the values."""
    last = point_at(count - 1)
    if last.fits:
        return count - 1, last
    low, high, best = first, count - 1, at_first
    while high - low > 1:
        mid = (low + high) // 2
        point = point_at(mid)
        if point.fits:
            low, best = mid, point
        else:
            high = mid
    return low, best


def with_offload(settings: LlamaSettings, knob: str, value: int) -> LlamaSettings:
    if knob == "n_cpu_moe":
        return replace(settings, n_cpu_moe=value, cpu_moe=False)
    return replace(settings, gpu_layers=value)


def curve(evaluate: Evaluate, settings: LlamaSettings, knob: str, values: Iterable[int]) -> list[Point]:
    """Speed and VRAM at each offload value (the Run-it chart)."""
    return [evaluate(with_offload(settings, knob, v)) for v in values]
