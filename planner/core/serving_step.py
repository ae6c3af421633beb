"""The batched decode step, vectorised over the number of sequences in flight.

One step of a batching engine reads the weights once for every sequence in the batch
(for MoE: the distinct experts the batch routes to, which grow with the batch), reads
each sequence's own KV cache, and does 2 x active parameters FLOPs per token. Small
batches are bandwidth-bound, large ones compute-bound; tensor parallel divides the bytes
and FLOPs over the GPUs and adds two all-reduces per layer over the interconnect;
pipeline parallel splits the layers into stages that work on micro-batches in turn.
Prompt tokens share the same steps (chunked prefill), so they slow decode down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planner.core.serving_calibration import EngineParams

Array = NDArray[np.float64]
ACTIVATION_BYTES = 2  # all-reduce payloads are 16-bit activations


@dataclass(frozen=True)
class StepShape:
    """What one decode step moves and computes, before any efficiency is applied."""

    tp: int
    pp: int
    n_layers: int
    bandwidth_bps: float  # per GPU
    peak_flops: float  # per GPU, in the format's matmul precision
    dense_bytes: float  # weights every step reads in full (whole model)
    expert_bytes: float  # all routed experts (whole model); 0 for dense models
    expert_share: float  # experts a token routes to / experts in a layer
    kv_read_bytes: float  # one sequence's KV read per step, whole model
    kv_shard: int  # GPUs the KV heads split over (KV is replicated beyond n_kv_heads)
    flops_per_token: float  # 2 x active params + attention at the mean depth
    prompt_flops_per_token: float  # the same for a prompt token
    hidden_size: int
    link_bps: float  # all-reduce bandwidth per GPU
    allreduce_s: float  # latency of one all-reduce
    one_user_s: float | None = None  # llama.cpp: the calibrated one-user step from the estimator

    def weights_read(self, tokens: Array) -> Array:
        """Bytes of weights one step reads, whole model: MoE reads only the experts routed to."""
        if self.expert_bytes == 0:
            return np.full_like(tokens, self.dense_bytes)
        distinct = 1.0 - np.power(1.0 - self.expert_share, tokens)
        return self.dense_bytes + self.expert_bytes * distinct

    def comm_s(self, tokens: Array) -> Array:
        if self.tp == 1:
            return np.zeros_like(tokens)
        ring = 2 * (self.tp - 1) / self.tp
        per = self.allreduce_s + tokens * self.hidden_size * ACTIVATION_BYTES * ring / self.link_bps
        return 2 * (self.n_layers / self.pp) * per


def _mem_s(shape: StepShape, params: EngineParams, seqs: Array, tokens: Array) -> Array:
    per_gpu = shape.tp * shape.pp
    weights = shape.weights_read(tokens) / per_gpu / (shape.bandwidth_bps * params.bw_eff)
    kv = (
        seqs
        * shape.kv_read_bytes
        / (shape.kv_shard * shape.pp)
        / (shape.bandwidth_bps * params.bw_eff * params.kv_share)
    )
    fixed = params.step_s / shape.pp + params.layer_s * shape.n_layers / shape.pp
    return fixed + weights + kv + shape.comm_s(tokens) * params.comm_scale


def _pmean(a: Array, b: Array, p: float) -> Array:
    top = np.maximum(a, b)
    safe = np.where(top > 0, top, 1.0)
    return top * np.power(np.power(a / safe, p) + np.power(b / safe, p), 1.0 / p)


def stage_seconds(
    shape: StepShape, params: EngineParams, seqs: Array, prompt_tokens: Array, prompt_token_s: float
) -> Array:
    """One pipeline stage's step with `seqs` decoding sequences and `prompt_tokens` of prefill.

    A prompt token costs the compute side what it costs in a prompt alone (`prompt_token_s`,
    the whole replica's seconds per prompt token), so prompts slow decode by exactly the
    work they are."""
    # A prompt's own weight reads and all-reduces are in `prompt_token_s` (measured alone);
    # the memory side here is the decode batch's.
    mem = _mem_s(shape, params, seqs, seqs)
    if shape.one_user_s is not None:
        one = np.ones(1)
        mem = mem - _mem_s(shape, params, one, one) + shape.one_user_s / shape.pp
    decode = seqs * shape.flops_per_token / (shape.tp * shape.pp) / (shape.peak_flops * params.compute_eff)
    comp = decode + prompt_tokens * prompt_token_s / shape.pp
    return _pmean(mem, comp, params.p)


def token_period_s(
    shape: StepShape, params: EngineParams, seqs: Array, prompt_tokens: Array, prompt_token_s: float = 0.0
) -> Array:
    """Time between two tokens of one sequence: every pipeline stage runs one micro-batch."""
    micro = np.maximum(seqs / shape.pp, 1e-9)
    return shape.pp * stage_seconds(shape, params, micro, prompt_tokens / shape.pp, prompt_token_s)


def prefill_seconds(shape: StepShape, params: EngineParams, prompt: int, chunk: int) -> float:
    """A prompt alone on the hardware: chunks of `chunk` tokens, each reading the weights once."""
    chunks = -(-prompt // chunk)
    per_chunk = min(prompt, chunk)
    tokens = np.array([float(per_chunk)])
    mem = _mem_s(shape, params, np.zeros(1), tokens) * shape.pp
    comp = per_chunk * shape.prompt_flops_per_token / shape.tp / (shape.peak_flops * params.prefill_eff)
    return float(chunks * _pmean(mem, np.array([comp]), params.p)[0])
