"""Fixtures for measuring: the fake llama-bench binaries, a local HTTP server replaying
recorded Ollama and llama-server responses, and a migrated user database."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from planner.catalog.userdb import UserDatabase
from planner.measure.store import MeasurementStore

ROOT = Path(__file__).resolve().parents[2]


class Replay(ThreadingHTTPServer):
    """Answers GET/POST paths from `routes` ({path: JSON}); records each request body."""

    daemon_threads = True

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, dict[str, Any] | None]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Replay

    def _answer(self, body: dict[str, Any] | None) -> None:
        self.server.requests.append((self.path, body))
        if self.path not in self.server.routes:
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b'{"error":"not found"}')
            return
        payload = json.dumps(self.server.routes[self.path]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._answer(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(json.loads(self.rfile.read(length) or b"{}"))

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture
def replay() -> Iterator[Any]:
    servers: list[Replay] = []

    def start(routes: dict[str, Any]) -> Replay:
        server = Replay(routes)
        threading.Thread(target=server.serve_forever, name="replay-http", daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def store(tmp_path: Path) -> MeasurementStore:
    database = UserDatabase(tmp_path / "user.sqlite", ROOT / "db" / "migrations")
    database.close()
    return MeasurementStore(database.path)


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    """A file where the user's GGUF would be; the fake llama-bench never opens it."""
    path = tmp_path / "Qwen2.5-7B-Instruct-Q4_K_M.gguf"
    path.write_bytes(b"GGUF")
    return path
