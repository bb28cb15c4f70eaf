"""examples/client.py works against a real server (uvicorn on a free port)."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from types import ModuleType

import pytest
import uvicorn

from kb.app import create_app
from kb.config import PROJECT_ROOT, Settings
from kb.graph.db import Graph


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server_url(read_graph: Graph, settings: Settings) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, read_graph), host="127.0.0.1", port=port, log_level="error", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "example_client", PROJECT_ROOT / "examples" / "client.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_client_reads_pages(server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_URL", server_url)
    example = _example()
    with example.client() as session:
        eligible = example.eligible_contracts(session, "UT")
        lessons = example.all_lessons(session, "IT")
    assert eligible and all(c["status"] != "EXPIRED" for c in eligible)
    assert len(lessons) > 5  # more than one page of 5
    assert len({lesson["key"] for lesson in lessons}) == len(lessons)
