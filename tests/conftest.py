"""Shared fixtures: a catalog built once per session from db/ into a temp folder."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from planner.catalog.build import build_catalog
from planner.catalog.store import Catalog

ROOT = Path(__file__).resolve().parents[1]
DB_DIR = ROOT / "db"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_catalog(DB_DIR, tmp_path_factory.mktemp("catalog") / "catalog.sqlite")


@pytest.fixture(scope="session")
def catalog(catalog_file: Path) -> Catalog:
    return Catalog(catalog_file)


@pytest.fixture(autouse=True)
def _catalog_env(catalog_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the CLI at the test catalog and user data at a temp folder."""
    resources = tmp_path / "resources"
    resources.mkdir()
    (resources / "catalog.sqlite").symlink_to(catalog_file)
    for name in ("calibration.json", "serving_calibration.json"):
        if (ROOT / "resources" / name).exists():
            (resources / name).symlink_to(ROOT / "resources" / name)
    monkeypatch.setenv("PLANNER_RESOURCES", str(resources))
    monkeypatch.setenv("PLANNER_USER_DATA", str(tmp_path / "userdata"))


# ---- a local HTTP server replaying recorded responses (Ollama, llama-server) ----------------
class Replay(ThreadingHTTPServer):
    """Answers GET/POST paths from `routes` ({path: JSON}); records each request body. A route whose
    answer is a `threading.Event` hangs until the event is set (then answers 503)."""

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
        answer = self.server.routes[self.path]
        if isinstance(answer, threading.Event):  # a server that takes its time: wait to be released
            answer.wait(10)
            self.send_response(503)
            self.end_headers()
            return
        payload = json.dumps(answer).encode()
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
