"""Hypothesis properties of the serving model: more users, more GPUs."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalog.store import Catalog
from planner.core.calibration import PRIORS
from planner.core.serving import interconnect
from planner.core.serving_calibration import ServingCalibration
from planner.estimation.front import Estimator
from planner.estimation.serving_front import ServeResult, ServingEstimator

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
GPU_SERVING = st.sampled_from(
    [
        ("h100-sxm5-80gb", "llama-3.1-8b", "FP8", "vllm"),
        ("h200-sxm-141gb", "qwen3-30b-a3b", "BF16", "sglang"),
        ("a100-sxm4-80gb", "llama-3.1-8b", "AWQ", "vllm"),
        ("mi300x", "mixtral-8x7b", "FP8", "vllm"),
        ("b200", "gpt-oss-120b", "MXFP4", "trt-llm"),
        ("rtx-3090", "llama-3.1-8b", "Q4_K_M", "llama.cpp"),
        ("rtx-4090", "qwen3-30b-a3b", "Q4_K_M", "llama.cpp"),
    ]
)
LENGTHS = st.sampled_from([(128, 128), (1024, 256), (512, 2048), (4096, 512)])


def serving(catalog: Catalog) -> ServingEstimator:
    return ServingEstimator(Estimator(catalog, PRIORS), ServingCalibration())


def serve(
    catalog: Catalog,
    gpu: str,
    count: int,
    model: str,
    quant: str,
    engine: str,
    lengths: tuple[int, int],
    users: int = 1,
    split: str = "tensor",
) -> ServeResult:
    spec = {"name": "t", "gpus": [{"gpu": gpu, "count": count}], "split": split, "interconnect": "NVLink (900 GB/s)"}
    est = serving(catalog)
    build = est.estimator.build_for({"build": spec})
    request = {
        "model": model,
        "quant": quant,
        "engine": engine,
        "users": users,
        "input": lengths[0],
        "output": lengths[1],
    }
    result = est.serve_build(build, request)
    assert isinstance(result, ServeResult)
    return result


@SETTINGS
@given(case=GPU_SERVING, lengths=LENGTHS)
def test_throughput_never_falls_and_per_user_never_rises_up_to_the_kv_limit(catalog: Catalog, case, lengths) -> None:
    gpu, model, quant, engine = case
    result = serve(catalog, gpu, 1, model, quant, engine, lengths)
    limit = min(result.setup.max_users, result.setup.batch_cap)
    users = np.arange(1, max(limit, 1) + 1, dtype=float)
    curve = result.sweep(users)
    assert np.all(np.diff(curve["output_tok_s"]) >= -1e-9 * curve["output_tok_s"][1:])
    assert np.all(np.diff(curve["decode_tok_s_aggregate"]) >= -1e-9 * curve["decode_tok_s_aggregate"][1:])
    assert np.all(np.diff(curve["per_user_tok_s"]) <= 1e-9 * curve["per_user_tok_s"][1:])


@SETTINGS
@given(
    case=st.sampled_from(
        [
            ("h100-sxm5-80gb", "llama-3.1-8b", "FP8", "vllm"),
            ("h200-sxm-141gb", "llama-3.3-70b", "FP8", "sglang"),
            ("a100-sxm4-80gb", "qwen3-30b-a3b", "BF16", "vllm"),
            ("b200", "llama-3.3-70b", "NVFP4", "trt-llm"),
        ]
    ),
    gpus=st.sampled_from([1, 2, 4]),
    users=st.sampled_from([1, 4, 32, 256, 2000]),
    lengths=LENGTHS,
)
def test_more_gpus_never_cut_throughput_for_a_model_that_fits_on_fewer(catalog, case, gpus, users, lengths) -> None:
    gpu, model, quant, engine = case
    fewer = serve(catalog, gpu, gpus, model, quant, engine, lengths, users)
    more = serve(catalog, gpu, gpus * 2, model, quant, engine, lengths, users)
    assert more.points()[0]["output_tok_s"] >= fewer.points()[0]["output_tok_s"] * (1 - 1e-9)


def test_moe_reads_more_distinct_experts_as_the_batch_grows(catalog: Catalog) -> None:
    result = serve(catalog, "h100-sxm5-80gb", 1, "qwen3-30b-a3b", "BF16", "vllm", (128, 128))
    shape = result.setup.shape
    read = shape.weights_read(np.array([1.0, 8.0, 64.0, 512.0]))
    assert np.all(np.diff(read) > 0)
    assert read[-1] <= shape.dense_bytes + shape.expert_bytes + 1


def test_batching_is_bandwidth_bound_small_and_compute_bound_large(catalog: Catalog) -> None:
    result = serve(catalog, "h100-sxm5-80gb", 1, "llama-3.1-8b", "BF16", "vllm", (128, 128))
    curve = result.sweep(np.array([1.0, 2.0, 1024.0, 2048.0]))
    one, two, big, bigger = curve["decode_tok_s_aggregate"]
    assert two / one > 1.8  # the weights are read once for both sequences
    assert bigger / big < 1.3  # FLOPs, not bytes, bound a large batch


def test_tensor_parallel_over_pcie_pays_for_its_all_reduces(catalog: Catalog) -> None:
    nvlink = serve(catalog, "rtx-3090", 2, "llama-3.1-8b", "BF16", "vllm", (128, 128), 64)
    spec = {"name": "pcie", "gpus": [{"gpu": "rtx-3090", "count": 2}], "split": "tensor"}
    est = serving(catalog)
    pcie = est.serve_build(
        est.estimator.build_for({"build": spec}),
        {
            "model": "llama-3.1-8b",
            "quant": "BF16",
            "engine": "vllm",
            "users": 64,
            "input": 128,
            "output": 128,
            "tensor_parallel": 2,
        },
    )
    assert isinstance(pcie, ServeResult)
    assert pcie.setup.shape.link_bps < nvlink.setup.shape.link_bps
    assert pcie.points()[0]["tpot_ms"] > nvlink.points()[0]["tpot_ms"] * 0.99


def test_datacenter_boards_bring_their_fabric_and_pcie_cards_do_not(catalog: Catalog) -> None:
    est = serving(catalog)
    sxm = est.estimator.build_for({"gpu": "B200", "gpus": 2})
    pcie = est.estimator.build_for({"gpu": "H100 PCIe", "gpus": 2})
    assert interconnect(sxm, 2)[0] == 900e9  # NVLink 5: 1.8 TB/s both ways, 900 GB/s one way
    assert interconnect(pcie, 2)[0] == 25e9  # PCIe 4.0 x16, one way
