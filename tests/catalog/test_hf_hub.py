"""Hugging Face lookups against a local HTTP server that replays Hub responses (real HTTP)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gguf
import numpy as np
import pytest

from planner.catalog import hf_hub
from planner.cli import main
from planner.errors import InputError, PlannerError

DATA = Path(__file__).resolve().parents[1] / "data" / "hf_hub"
QWEN_SHA = "b968826d9c46dd6066d109eabc6255188de91218"
GGUF_SHA = "0123456789abcdef0123456789abcdef01234567"


def big_gguf(path: Path) -> bytes:
    """A valid GGUF whose tensor data (4 MiB) is far past its header."""
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("Tiny Llama")
    for add, value in ((writer.add_block_count, 2), (writer.add_embedding_length, 64),
                       (writer.add_feed_forward_length, 128), (writer.add_head_count, 4),
                       (writer.add_head_count_kv, 2), (writer.add_context_length, 8192)):  # fmt: skip
        add(value)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    writer.add_token_list([f"t{i}" for i in range(100)])
    writer.add_tensor("token_embd.weight", np.zeros((100, 64), dtype=np.float32))
    writer.add_tensor("blk.0.ffn_up.weight", np.zeros((1024, 1024), dtype=np.float32))
    writer.add_tensor("output.weight", np.zeros((100, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


class Hub:
    def __init__(self, gguf_bytes: bytes) -> None:
        self.files = {
            f"/Qwen/Qwen3-8B/resolve/{QWEN_SHA}/config.json": (DATA / "qwen3_8b_config.json").read_bytes(),
            f"/someone/Tiny-Llama-GGUF/resolve/{GGUF_SHA}/Tiny-Llama-Q4_K_M.gguf": gguf_bytes,
        }
        self.api = {
            "/api/models/Qwen/Qwen3-8B": DATA / "info_qwen3_8b.json",
            "/api/models/someone/Tiny-Llama-GGUF": DATA / "info_gguf_repo.json",
        }
        self.requests: list[tuple[str, str, str, int]] = []  # method, path, range, bytes sent


def make_handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool = False) -> None:
            # recorded before answering: the client may finish before a later append would run
            hub.requests.append((self.command, self.path, self.headers.get("Range", ""), 0 if head else len(body)))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _route(self, head: bool) -> None:
            path = self.path.split("?")[0].removesuffix("/revision/main")
            if path == "/api/models":
                return self._send(200, (DATA / "search_qwen3.json").read_bytes(), {"Content-Type": "application/json"})
            if path in hub.api:
                return self._send(200, hub.api[path].read_bytes(), {"Content-Type": "application/json"})
            body = hub.files.get(path)
            if body is None:
                return self._send(404, b'{"error": "Entry not found"}', {"X-Error-Code": "EntryNotFound"}, head)
            commit = path.split("/")[4]
            headers = {"X-Repo-Commit": commit, "ETag": f'"{abs(hash(body))}"', "Accept-Ranges": "bytes"}
            range_header = self.headers.get("Range")
            if range_header and not head:
                start, end = (int(x) for x in range_header.removeprefix("bytes=").split("-"))
                part = body[start : end + 1]
                headers["Content-Range"] = f"bytes {start}-{start + len(part) - 1}/{len(body)}"
                return self._send(206, part, headers)
            return self._send(200, body, headers, head)

        def do_GET(self) -> None:
            self._route(head=False)

        def do_HEAD(self) -> None:
            self._route(head=True)

    return Handler


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    replay = Hub(big_gguf(tmp_path / "tiny.gguf"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(replay))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield replay
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_search_lists_repos_most_downloaded_first(hub: Hub) -> None:
    found = hf_hub.search("qwen3 8b")
    assert [r["repo"] for r in found] == ["Qwen/Qwen3-8B", "unsloth/Qwen3-8B-GGUF"]
    assert found[1]["gguf"] and not found[0]["gguf"]
    assert hub.requests[0][1].startswith("/api/models?")


def test_import_reads_config_json_into_the_cache(hub: Hub, tmp_path: Path) -> None:
    result = hf_hub.lookup("hf:Qwen/Qwen3-8B")
    assert result.model_source == "config.json" and result.model is not None
    assert (result.model["n_layers"], result.model["n_kv_heads"], result.model["max_context"]) == (36, 8, 40960)
    assert result.model["repo"] == "Qwen/Qwen3-8B"
    assert list((tmp_path / "hf-cache").glob("models--Qwen--Qwen3-8B/snapshots/*/config.json"))


def test_gguf_repo_lists_real_sizes_and_reads_one_header_by_range(hub: Hub) -> None:
    result = hf_hub.lookup("someone/Tiny-Llama-GGUF")
    files = {f.filename: f for f in result.gguf_files}
    assert files["BF16/Tiny-Llama-BF16-00001-of-00002.gguf"].size_bytes == 50_000_000
    assert files["BF16/Tiny-Llama-BF16-00001-of-00002.gguf"].parts == 2
    assert (files["Tiny-Llama-Q4_K_M.gguf"].quant, files["Tiny-Llama-UD-Q2_K_XL.gguf"].quant) == (
        "Q4_K_M",
        "UD-Q2_K_XL",
    )
    assert result.model_source == "gguf header Tiny-Llama-Q4_K_M.gguf"
    assert result.model is not None and (result.model["n_layers"], result.model["max_context"]) == (2, 8192)
    gets = [r for r in hub.requests if r[1].endswith(".gguf")]
    assert gets and all(r[2].startswith("bytes=0-") for r in gets)
    file_size = len(hub.files[f"/someone/Tiny-Llama-GGUF/resolve/{GGUF_SHA}/Tiny-Llama-Q4_K_M.gguf"])
    assert sum(r[3] for r in gets) < file_size  # the weights were never downloaded


def test_unknown_repo_and_bad_id_are_input_errors(hub: Hub) -> None:
    with pytest.raises(InputError, match="ORG/NAME"):
        hf_hub.lookup("not-a-repo")


def test_no_network_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(hf_hub.NoNetworkError, match="no network"):
        hf_hub.search("qwen")


def test_cli_search_and_import_as_json(hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "search", "qwen3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["repo"] == "Qwen/Qwen3-8B"
    assert main(["models", "import", "hf:someone/Tiny-Llama-GGUF", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"]["n_layers"] == 2 and len(data["gguf_files"]) == 3


def test_offline_reads_config_json_from_the_cache(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    hf_hub.lookup("Qwen/Qwen3-8B")  # fills the cache
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # and nothing is reachable
    seen = len(hub.requests)
    result = hf_hub.lookup("Qwen/Qwen3-8B")
    assert result.model is not None and result.model["n_layers"] == 36
    assert "offline" in result.notes[0] and len(hub.requests) == seen
    with pytest.raises(PlannerError):
        hf_hub.lookup("someone/Not-Cached")  # not in the cache: a clear error, not a traceback
