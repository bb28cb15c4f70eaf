"""Two processes on one Neo4j: a `kb serve` with its response cache on, and this test
process writing as another server would (the write and its change entries in one
transaction). The server drops what the write affects within its indexer's poll, keeps
what it does not, and never answers stale after that."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from kb.bootstrap import seed_graph
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.writes import NodeWrite, update_node
from tests.serve_support import serving

pytestmark = pytest.mark.slow

#: The server polls the change log every second; a write shows within this.
LAG_SECONDS = 3.0

STATES = "{ states(first: 100) { nodes { code name } } }"
UT_LESSONS = '{ state(code: "UT") { lessons(first: 100) { nodes { key title } } } }'


def _read(base: str, query: str) -> tuple[str, Any]:
    response = httpx.post(f"{base}/graphql", json={"query": query}, timeout=10)
    body = response.json()
    assert "errors" not in body, body
    return response.headers["x-kb-cache"], body["data"]


def _titles(data: Any) -> list[str]:
    return [n["title"] for n in data["state"]["lessons"]["nodes"]]


def test_a_write_of_another_process_drops_only_what_it_affects_within_the_lag(
    graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path
) -> None:
    seed_graph(graph, settings)
    env = {**test_env, "KB_INDEX_DIR": str(tmp_path / "index")}
    with serving(env, tmp_path / "serve.log") as served:
        for query in (STATES, UT_LESSONS):
            _read(served.base, query)
            assert _read(served.base, query)[0] == "hit"
        lesson = _read(served.base, UT_LESSONS)[1]["state"]["lessons"]["nodes"][0]["key"]
        title = "Ask for the participating addendum before the first order"
        update_node(graph, NodeWrite("Lesson", lesson, {"title": title}), "other-process")
        written = time.monotonic()
        while title not in _titles(_read(served.base, UT_LESSONS)[1]):
            assert time.monotonic() - written < LAG_SECONDS, "still stale after the lag"
            time.sleep(0.05)
        for _ in range(5):  # and never stale again
            assert title in _titles(_read(served.base, UT_LESSONS)[1])
        assert _read(served.base, STATES)[0] == "hit"  # no lesson in it: kept
        counters = httpx.get(f"{served.base}/readyz", timeout=10).json()["responseCache"]
    assert counters["evictedByChange"] >= 1
