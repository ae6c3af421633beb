"""Serving measurements in one set of units.

Sources print serving speed in different units (serving_measurements.md, "Caveats"):
output against total tokens, per GPU against per node against the whole setup,
milliseconds against seconds. `normalise` turns one printed number into one of the
planner's metrics, always for the *whole* measured setup:

- `output_tok_s`     generated tokens per second, all users together
- `total_tok_s`      prompt + generated tokens per second (only when the lengths are unknown)
- `input_tok_s`      prompt tokens per second (prefill-only runs)
- `per_user_tok_s`   one stream's generation speed
- `ttft_s`           time to first token, seconds
- `tpot_ms`          time per output token (inter-token latency), milliseconds
- `request_s`        completed requests per second
- `latency_s`        end-to-end latency of a batch, seconds
- `output_tok_s_per_gpu`  per GPU when the source does not say how many GPUs
"""

from __future__ import annotations

from planner.errors import InputError

GPUS_PER_NODE = 8  # the per-node figures in the file are 8-GPU HGX/DGX nodes, as their unit says


def normalise(
    metric: str,
    unit: str,
    value: float,
    n_gpus: int | None,
    input_len: int | None,
    output_len: int | None,
) -> tuple[str, float]:
    """(planner metric, value in its units) for one printed measurement."""
    m, u = metric.lower(), unit.lower()
    if "ttft" in m or "first token" in m:
        return "ttft_s", value / 1000 if u.startswith("ms") else value
    if "tpot" in m or "itl" in m:
        return "tpot_ms", value * 1000 if u.startswith("s") else value
    if "latency" in m:
        return "latency_s", value / 1000 if u.startswith("ms") else value
    if u == "req/s":
        return "request_s", value
    if "/user" in u or "/request" in u:
        return "per_user_tok_s", value
    scale = _scale(u, n_gpus)
    if scale is None:
        return "output_tok_s_per_gpu", value
    if "input+output" in m:
        if input_len and output_len:
            return "output_tok_s", value * scale * output_len / (input_len + output_len)
        return "total_tok_s", value * scale
    if "input" in m:
        return "input_tok_s", value * scale
    if "tokens/s" in u or "tok/s" in m:
        return "output_tok_s", value * scale
    raise InputError(f"unknown serving unit {unit!r} for {metric!r}")


def _scale(unit: str, n_gpus: int | None) -> float | None:
    """Factor from the printed unit to the whole setup (None: the setup's size is unknown)."""
    if "/gpu" in unit:
        return float(n_gpus) if n_gpus else None
    if "/node" in unit:
        return n_gpus / GPUS_PER_NODE if n_gpus else None
    return 1.0


def batched_bench_decode_tok_s(batch: int, generated: int, t_tg_s: float) -> float:
    """llama-batched-bench's S_TG: decode-only aggregate, B x TG / T_TG (prompt time excluded)."""
    if t_tg_s <= 0:
        raise InputError("T_TG must be more than 0 seconds")
    return batch * generated / t_tg_s
