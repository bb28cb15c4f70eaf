"""/healthz says the process is up; /readyz says whether Neo4j answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from kb.app import create_app
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.stats import graph_stats
from kb.neo4j_local import LocalNeo4j, free_port
from tests.serve_support import serving


def test_health_and_ready_with_neo4j_up(settings: Settings, graph: Graph) -> None:
    with TestClient(create_app(settings, graph)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        assert set(ready.json()["responseCache"]) >= {"hits", "misses", "evictedByChange"}


def test_ready_is_503_with_a_reason_when_nothing_listens(settings: Settings) -> None:
    down = Graph.connect(f"bolt://127.0.0.1:{free_port()}", "neo4j", "x")
    try:
        with TestClient(create_app(settings, down)) as client:
            ready = client.get("/readyz")
            assert ready.status_code == 503
            body = ready.json()
            assert body["status"] == "unavailable"
            assert "Neo4j is unavailable" in body["reason"]
            assert client.get("/healthz").status_code == 200  # still serving
    finally:
        down.close()


@pytest.mark.slow
def test_ready_follows_a_real_server_going_down(
    tmp_path: Path, settings: Settings, session_graph: Graph
) -> None:
    server = LocalNeo4j(tmp_path / "neo4j", settings.cache_dir, heap="256m", pagecache="32m")
    info = server.start()
    graph = Graph.connect(info.uri, info.user, info.password)
    try:
        with TestClient(create_app(settings, graph)) as client:
            assert client.get("/readyz").status_code == 200
            server.stop()
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["status"] == "unavailable"
            assert client.get("/healthz").status_code == 200
    finally:
        graph.close()
        server.stop()


@pytest.fixture
def served(graph: Graph, test_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`kb serve` as a real process on a free port, against the session's Neo4j."""
    with serving(test_env, tmp_path / "serve.log", timeout=120) as server:
        yield server.base


def test_kb_serve_seeds_an_empty_graph_and_answers_over_http(served: str, graph: Graph) -> None:
    assert httpx.get(f"{served}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{served}/readyz").json()["status"] == "ready"
    stats = graph_stats(graph)
    assert stats.nodes["State"] == 56
    assert stats.nodes["Lesson"] > 0
