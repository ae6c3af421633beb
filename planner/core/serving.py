"""Serving many users: throughput, per-user speed and latency against concurrency.

`ServingSetup` holds one deployment (build x model x weight format x engine x layout x
request lengths); `curve` evaluates it for many user counts at once with numpy, so a
1-256-user sweep costs well under a millisecond once the setup exists.

Closed-loop users: each user sends a request of `input_tokens`, reads `output_tokens`
back, and sends the next one. With B sequences in flight a step also carries the
prompts of the other users' next requests ((B - 1) x input / output tokens on average), so prefill slows decode;
time to first token is the request's own prompt chunks at that load; users beyond the
KV cache's capacity (or the engine's batch cap) wait in the queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.core.grid import Grid, attention_flops
from planner.core.hardware import Build
from planner.core.model import ModelArch
from planner.core.serving_calibration import EngineParams
from planner.core.serving_formats import Engine
from planner.core.serving_memory import kv_shard
from planner.core.serving_step import Array, StepShape, prefill_seconds, token_period_s

NVLINK_ALLREDUCE_S, PCIE_ALLREDUCE_S, NETWORK_ALLREDUCE_S = 8e-6, 25e-6, 30e-6
PCIE_GBS, INFINIBAND_GBS = 25.0, 50.0  # one direction, per GPU: PCIe 4.0 x16; 400 Gb/s NIC


@dataclass(frozen=True)
class Layout:
    tp: int = 1
    pp: int = 1
    replicas: int = 1

    @property
    def gpus(self) -> int:
        return self.tp * self.pp * self.replicas


@dataclass(frozen=True)
class ServingSetup:
    engine: Engine
    params: EngineParams
    layout: Layout
    shape: StepShape
    input_tokens: int
    output_tokens: int
    max_sequences: int  # per replica, at input + output tokens of context
    paged_sequences: int  # per replica, at the mean length (what a paged KV cache holds in steady state)
    prefill_alone_s: float  # one prompt on idle hardware
    power_w: float
    usd_per_mtok_at_1_tok_s: float | None  # $/Mtok at 1 tok/s; it scales as 1 / throughput

    engine_cap: int = 256  # the engine's default cap on sequences in flight

    @property
    def max_users(self) -> int:
        return self.max_sequences * self.layout.replicas

    @property
    def batch_cap(self) -> int:
        return min(max(self.max_sequences, self.paged_sequences), self.engine_cap)


def interconnect(build: Build, tp: int) -> tuple[float, float]:
    """(all-reduce bandwidth in bytes/s per GPU, latency of one all-reduce in s)."""
    per_node = build.gpu_count // max(build.nodes, 1)
    if tp > per_node:
        return INFINIBAND_GBS * 1e9, NETWORK_ALLREDUCE_S
    text = build.interconnect.lower() or _board_link(build)
    if "nvlink" in text or "infinity fabric" in text or "xgmi" in text:
        m = re.search(r"([\d.]+)\s*(tb|gb)/s", text)
        stated = float(m.group(1)) * (1000 if m.group(2) == "tb" else 1) if m else 900.0
        return stated / 2 * 1e9, NVLINK_ALLREDUCE_S  # vendors quote both directions
    return PCIE_GBS * 1e9, PCIE_ALLREDUCE_S


# Datacenter boards (SXM/OAM, not PCIe cards) come with their GPU-to-GPU fabric, bidirectional
# GB/s per GPU from the vendors' datasheets (A100 NVLink 3, H100/H200 NVLink 4, B200 NVLink 5,
# MI300X Infinity Fabric).
BOARD_LINK_GBS = {"Ampere": 600, "Hopper": 900, "Blackwell": 1800, "CDNA 3.0": 896}


def _board_link(build: Build) -> str:
    """The fabric a build of datacenter boards has when the build does not name one."""
    accs = build.accelerators
    if accs and all(a.segment == "datacenter" and "PCIE" not in a.name.upper() for a in accs):
        rates = {BOARD_LINK_GBS.get(a.architecture) for a in accs}
        if len(rates) == 1 and None not in rates:
            return f"nvlink ({rates.pop()} gb/s)"
    return ""


def step_shape(
    build: Build,
    model: ModelArch,
    grid: Grid,
    deployment: Layout,
    peak_tflops: float,
    one_user_s: float | None = None,
) -> StepShape:
    """The step's bytes and FLOPs from the one physics (`grid`: one cell of core.grid at the
    request's mean depth, KV type and prompt), shaped for a batch on `deployment`."""
    acc = build.accelerators[0]
    layout = grid.layout
    # Routed experts not read by one token: (E - k) / E of all expert bytes (each in its own bpw).
    unread = float(layout.layer_bytes - layout.layer_active_bytes) * model.n_layers
    share = model.n_experts_active / model.n_experts if model.is_moe else 0.0
    expert_bytes = unread / (1.0 - share) if model.is_moe and share < 1 else 0.0
    depth, prompt = grid.depths[0], grid.workload.prompt
    link, latency = interconnect(build, deployment.tp)
    return StepShape(
        tp=deployment.tp,
        pp=deployment.pp,
        n_layers=model.n_layers,
        bandwidth_bps=acc.bandwidth_gbs * 1e9,
        peak_flops=peak_tflops * 1e12,
        dense_bytes=float(layout.total_bytes - layout.embedding_bytes) - expert_bytes,
        expert_bytes=expert_bytes,
        expert_share=share,
        kv_read_bytes=float(grid.kv_read_bytes),
        kv_shard=kv_shard(model, deployment.tp),
        flops_per_token=float(2 * grid.active_params + attention_flops(model, 1, depth)),
        prompt_flops_per_token=float(2 * grid.active_params + grid.attention_flops / max(prompt, 1)),
        hidden_size=model.hidden_size,
        link_bps=link,
        allreduce_s=latency,
        one_user_s=one_user_s,
    )


def curve(setup: ServingSetup, users: Array) -> dict[str, Array]:
    """Every result for each user count in `users` (the whole build, all replicas)."""
    replicas = setup.layout.replicas
    # Users spread over the replicas; a replica with less than one user is idle part of the time.
    per_replica = users / replicas
    share = np.minimum(per_replica, max(setup.batch_cap, 1))
    batch = np.maximum(share, 1.0)
    ratio = setup.input_tokens / setup.output_tokens
    shape, params = setup.shape, setup.params
    prefill = setup.prefill_alone_s
    per_prompt_token = prefill / setup.input_tokens
    decode_only = token_period_s(shape, params, batch, np.zeros_like(batch))
    # the other users' prompts share this user's decode steps (a lone user's prompt does not)
    tpot = token_period_s(shape, params, batch, (batch - 1.0) * ratio, per_prompt_token)
    # a prompt's chunks run in steps that also carry the others' decode tokens
    chunk = np.full_like(batch, float(min(setup.input_tokens, setup.engine.chunk_tokens)))
    crowded = token_period_s(shape, params, batch - 1.0, chunk, per_prompt_token)
    alone = token_period_s(shape, params, np.zeros_like(batch), chunk, per_prompt_token)
    ttft = prefill * crowded / alone
    # A request's own prompt, then its output tokens: the work the others do while it waits is
    # already in their steps, so the cycle counts the prompt at its own cost.
    cycle = prefill + setup.output_tokens * tpot
    queued = np.maximum(per_replica / batch - 1.0, 0.0)
    ttft_with_queue = ttft + queued * (ttft + setup.output_tokens * tpot)
    output = replicas * share * setup.output_tokens / cycle
    result = {
        "users": users,
        "output_tok_s": output,
        "decode_tok_s_aggregate": replicas * share / decode_only,
        # users waiting for a slot read nothing: a user's speed is its share of the time in flight
        "per_user_tok_s": np.minimum(share / np.maximum(per_replica, 1e-12), 1.0) / tpot,
        "ttft_s": ttft_with_queue,
        "tpot_ms": tpot * 1000.0,
        "in_flight": np.minimum(users, batch * replicas),
        "joules_per_token": setup.power_w / output,
    }
    if setup.usd_per_mtok_at_1_tok_s is not None:
        result["usd_per_mtok"] = setup.usd_per_mtok_at_1_tok_s / output
    return result


def prefill_alone(setup_shape: StepShape, params: EngineParams, prompt: int, chunk: int) -> float:
    return prefill_seconds(setup_shape, params, prompt, chunk)


def point(setup: ServingSetup, users: int) -> dict[str, Any]:
    """The contract's keys for one user count, with a 10th-90th percentile range on estimates."""
    values = {k: float(v[0]) for k, v in curve(setup, np.array([float(users)])).items()}
    low, high = setup.params.band
    out: dict[str, Any] = {"users": users}
    for key in ("output_tok_s", "decode_tok_s_aggregate", "per_user_tok_s"):
        out[key] = round(values[key], 2)
        out[f"{key}_range"] = [round(values[key] * low, 2), round(values[key] * high, 2)]
    out["ttft_s"] = round(values["ttft_s"], 4)
    out["ttft_s_range"] = [round(values["ttft_s"] / high, 4), round(values["ttft_s"] / low, 4)]
    out["tpot_ms"] = round(values["tpot_ms"], 3)
    out["tpot_ms_range"] = [round(values["tpot_ms"] / high, 3), round(values["tpot_ms"] / low, 3)]
    out["in_flight"] = round(values["in_flight"])
    out["queued"] = max(users - out["in_flight"], 0)
    usd = values.get("usd_per_mtok")
    out["usd_per_mtok"] = None if usd is None else round(usd, 4)
    out["usd_per_mtok_range"] = None if usd is None else [round(usd / high, 4), round(usd / low, 4)]
    joules = values["joules_per_token"]
    out["joules_per_token"] = round(joules, 4)
    out["joules_per_token_range"] = [round(joules / high, 4), round(joules / low, 4)]
    return out
