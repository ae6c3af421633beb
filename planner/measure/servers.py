"""Measure through a running Ollama or llama-server: list its models, run a short fixed
generation, and read the server's own timings (Ollama's eval_count/eval_duration and
prompt_eval_*, llama-server's `timings`)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
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

OLLAMA_URL = "http://127.0.0.1:11434"
GENERATE_TOKENS = 128
REQUEST_TIMEOUT_S = 300.0
# A fixed prompt (about 330 tokens), so runs on different days compare.
FIXED_PROMPT = (
    "Summarize the following notes on memory bandwidth in three sentences. "
    + "A language model generates one token at a time, and for every token it reads all of its "
    "active weights from memory once. The speed of generation is therefore set by how many bytes "
    "per second the memory system delivers, divided by the bytes read per token. Prompt processing "
    "is different: many tokens share each read of the weights, so it is bounded by arithmetic. " * 5
)


def _request(url: str, body: dict[str, Any] | None, timeout_s: float, what: str) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        raise MeasurementError(f"{what} answered {exc.code} at {url}: {detail}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise MeasurementError(f"{what} is not answering at {url} ({reason}). Is it running?") from exc
    except json.JSONDecodeError as exc:
        raise MeasurementError(f"{what} at {url} did not answer with JSON; is the URL right?") from exc
    if not isinstance(payload, dict):
        raise MeasurementError(f"{what} at {url} answered with unexpected JSON")
    return payload


def _request_cancellable(
    url: str, body: dict[str, Any], timeout_s: float, what: str, progress: Progress, cancelled: Cancelled
) -> dict[str, Any]:
    """The same request on a helper thread, so a cancel returns at once."""
    box: dict[str, Any] = {}

    def call() -> None:
        try:
            box["result"] = _request(url, body, timeout_s, what)
        except MeasurementError as exc:
            box["error"] = exc

    thread = threading.Thread(target=call, name="measure-request", daemon=True)
    start = time.monotonic()
    thread.start()
    while thread.is_alive():
        if cancelled():
            raise MeasurementCancelled(f"{what} measurement cancelled; nothing was stored")
        thread.join(0.1)
        progress(min(95, 10 + round(time.monotonic() - start)), f"generating ({time.monotonic() - start:.0f} s)")
    if "error" in box:
        raise box["error"]
    return dict(box["result"])


# ---- Ollama -------------------------------------------------------------------------------
def ollama_models(url: str = OLLAMA_URL, timeout_s: float = 5.0) -> list[dict[str, Any]]:
    """Ollama's local models (GET /api/tags)."""
    models = _request(f"{url.rstrip('/')}/api/tags", None, timeout_s, "Ollama").get("models") or []
    return [m for m in models if isinstance(m, dict) and m.get("name")]


def _find_ollama_model(models: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for model in models:
        if name in (model["name"], model.get("model"), str(model["name"]).removesuffix(":latest")):
            return model
    known = ", ".join(m["name"] for m in models) or "none (pull one with `ollama pull NAME`)"
    raise MeasurementError(f"Ollama has no model {name!r}. Its models: {known}")


def measure_ollama(
    name: str,
    catalog: ModelCatalog,
    url: str = OLLAMA_URL,
    tokens: int = GENERATE_TOKENS,
    timeout_s: float = REQUEST_TIMEOUT_S,
    progress: Progress = ignore_progress,
    cancelled: Cancelled = never_cancelled,
) -> list[PcMeasurement]:
    url = url.rstrip("/")
    progress(0, "listing Ollama's models")
    model = _find_ollama_model(ollama_models(url), name)
    body = {
        "model": model["name"], "prompt": FIXED_PROMPT, "stream": False,
        "options": {"num_predict": tokens, "temperature": 0, "seed": 42},
    }  # fmt: skip
    reply = _request_cancellable(f"{url}/api/generate", body, timeout_s, "Ollama", progress, cancelled)
    details = model.get("details") or {}
    size_label = f"{str(model['name']).split(':')[0]}:{details.get('parameter_size', '')}".lower()
    common: dict[str, Any] = {
        "tool": "ollama",
        "model_label": str(model["name"]),
        "measured_at": now_utc(),
        "model_id": resolve_model_id(catalog, str(model["name"]), size_label),
        "quant": resolve_quant(catalog, str(details.get("quantization_level") or ""), quant_from_label(name)),
        "model_size_gib": round(float(model["size"]) / 1024**3, 2) if model.get("size") else None,
        "settings": {"options": body["options"], "prompt_tokens": reply.get("prompt_eval_count")},
        "source_url": f"{url}/api/generate",
    }
    rows = []
    for count_key, duration_key, generation in (("prompt_eval_count", "prompt_eval_duration", False),
                                                ("eval_count", "eval_duration", True)):  # fmt: skip
        count, duration_ns = reply.get(count_key), reply.get(duration_key)
        if count and duration_ns:
            test = test_name(0, int(count)) if generation else test_name(int(count), 0)
            speed = int(count) / (float(duration_ns) / 1e9)
            n_prompt, n_gen = (0, int(count)) if generation else (int(count), 0)
            rows.append(
                PcMeasurement(test=test, tokens_per_s=round(speed, 3), n_prompt=n_prompt, n_gen=n_gen, **common)
            )
    if not rows:
        raise MeasurementError("Ollama's reply had no eval_count/eval_duration; update Ollama and retry")
    progress(100, "done")
    return rows


# ---- llama-server ----------------------------------------------------------------------------
def server_models(url: str, timeout_s: float = 5.0) -> list[dict[str, Any]]:
    """llama-server's loaded model (GET /v1/models)."""
    data = _request(f"{url.rstrip('/')}/v1/models", None, timeout_s, "llama-server").get("data") or []
    return [m for m in data if isinstance(m, dict) and m.get("id")]


def measure_server(
    url: str,
    catalog: ModelCatalog,
    tokens: int = GENERATE_TOKENS,
    timeout_s: float = REQUEST_TIMEOUT_S,
    progress: Progress = ignore_progress,
    cancelled: Cancelled = never_cancelled,
) -> list[PcMeasurement]:
    url = url.rstrip("/")
    progress(0, "asking llama-server for its model")
    models = server_models(url)
    if not models:
        raise MeasurementError(f"llama-server at {url} has no model loaded yet; wait for it to load")
    model = models[0]
    body = {"prompt": FIXED_PROMPT, "n_predict": tokens, "temperature": 0, "seed": 42, "cache_prompt": False}
    reply = _request_cancellable(f"{url}/completion", body, timeout_s, "llama-server", progress, cancelled)
    timings = reply.get("timings") or {}
    label = str(model["id"])
    meta = model.get("meta") or {}
    common: dict[str, Any] = {
        "tool": "llama-server",
        "model_label": file_stem(label),
        "measured_at": now_utc(),
        "model_id": resolve_model_id(catalog, label),
        "quant": resolve_quant(catalog, quant_from_label(label)),
        "params_b": round(float(meta["n_params"]) / 1e9, 2) if meta.get("n_params") else None,
        "model_size_gib": round(float(meta["size"]) / 1024**3, 2) if meta.get("size") else None,
        "settings": {"n_predict": tokens, "cache_prompt": False},
        "source_url": f"{url}/completion",
    }
    rows = []
    if timings.get("prompt_n") and timings.get("prompt_per_second"):
        n = int(timings["prompt_n"])
        rows.append(PcMeasurement(test=test_name(n, 0), n_prompt=n,
                                  tokens_per_s=round(float(timings["prompt_per_second"]), 3), **common))  # fmt: skip
    if timings.get("predicted_n") and timings.get("predicted_per_second"):
        n = int(timings["predicted_n"])
        rows.append(PcMeasurement(test=test_name(0, n), n_gen=n,
                                  tokens_per_s=round(float(timings["predicted_per_second"]), 3), **common))  # fmt: skip
    if not rows:
        raise MeasurementError("llama-server's reply had no timings; update llama.cpp and retry")
    progress(100, "done")
    return rows
