"""Ollama and llama-server through a local HTTP server replaying their recorded responses."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from planner.catalog.store import Catalog
from planner.measure.common import MeasurementCancelled, MeasurementError
from planner.measure.servers import measure_ollama, measure_server, ollama_models

DATA = Path(__file__).resolve().parents[1] / "data" / "measure"


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


OLLAMA = {"/api/tags": recorded("ollama_tags.json"), "/api/generate": recorded("ollama_generate.json")}
SERVER = {"/v1/models": recorded("server_models.json"), "/completion": recorded("server_completion.json")}


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_ollama_lists_its_models(replay: Any) -> None:
    server = replay(OLLAMA)
    assert [m["name"] for m in ollama_models(server.url)] == ["codellama:13b", "llama3:latest"]


def test_ollama_speeds_come_from_its_own_timings(replay: Any, catalog: Catalog) -> None:
    server = replay(OLLAMA)
    pp, tg = measure_ollama("llama3", catalog, server.url)
    # eval_count 290 / eval_duration 4.709213 s; prompt_eval_count 26 / 0.325953 s
    assert (tg.test, tg.tokens_per_s) == ("tg290", pytest.approx(61.58, abs=0.01))
    assert (pp.test, pp.tokens_per_s) == ("pp26", pytest.approx(79.77, abs=0.01))
    assert tg.tool == "ollama" and tg.quant == "Q4_0" and tg.model_label == "llama3:latest"
    path, body = server.requests[-1]
    assert path == "/api/generate" and body["stream"] is False and body["model"] == "llama3:latest"
    assert body["options"]["num_predict"] == 128 and body["options"]["temperature"] == 0


def test_a_model_ollama_lacks_is_named_with_the_ones_it_has(replay: Any, catalog: Catalog) -> None:
    server = replay(OLLAMA)
    with pytest.raises(MeasurementError, match=r"no model 'mistral'.*codellama:13b, llama3:latest"):
        measure_ollama("mistral", catalog, server.url)


def test_ollama_not_running_is_a_clear_error(catalog: Catalog) -> None:
    with pytest.raises(MeasurementError, match=r"Ollama is not answering.*Is it running"):
        measure_ollama("llama3", catalog, closed_port())


def test_llama_server_timings(replay: Any, catalog: Catalog) -> None:
    server = replay(SERVER)
    pp, tg = measure_server(server.url, catalog)
    assert (pp.test, pp.tokens_per_s) == ("pp463", 7384.017)
    assert (tg.test, tg.tokens_per_s) == ("tg20", 196.044)
    assert tg.model_id == "llama-3.1-8b" and tg.quant == "Q4_K_M"
    assert tg.params_b == 8.03
    assert server.requests[-1][1]["cache_prompt"] is False


def test_llama_server_without_a_model_route_is_an_error(replay: Any, catalog: Catalog) -> None:
    server = replay({"/v1/models": recorded("server_models.json")})
    with pytest.raises(MeasurementError, match="answered 404"):
        measure_server(server.url, catalog)


def test_cancel_returns_while_the_server_is_still_generating(replay: Any, catalog: Catalog) -> None:
    release = threading.Event()
    server = replay({"/api/tags": recorded("ollama_tags.json"), "/api/generate": release})
    calls = iter(range(1000))
    try:
        with pytest.raises(MeasurementCancelled, match="nothing was stored"):
            measure_ollama("llama3", catalog, server.url, cancelled=lambda: next(calls) > 2)
    finally:
        release.set()
