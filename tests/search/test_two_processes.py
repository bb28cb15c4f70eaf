"""Two `kb serve` processes on one Neo4j, each with its own index: what is created,
changed or deleted through either is what a search through both finds, within 2 s
(the writer at once; the other through its background indexer polling the change log).

Searches go over real HTTP with the response cache on (the default), as a client sees
them; a search is repeated before and after each write, so a stale cached answer or a
stale searcher fails the test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kb.api.ids import encode_id
from kb.bootstrap import seed_graph
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token
from tests.serve_support import Served, start_serve

pytestmark = pytest.mark.slow

#: What every server must show within this many seconds of a write acknowledged by one.
LIVE_SECONDS = 2.0

SEARCH = """query($q: String!) { search(query: $q, first: 10) {
    totalCount hits { key title node { id } } } }"""
CREATE = """mutation($input: CreateLessonInput!) { createLesson(input: $input) {
    lesson { key } } }"""
UPDATE = """mutation($input: UpdateLessonInput!) { updateLesson(input: $input) {
    lesson { key title } } }"""
DELETE = """mutation($input: DeleteInput!) { deleteLesson(input: $input) { deletedId } }"""


@pytest.fixture
def two_servers(
    graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path
) -> Iterator[tuple[str, str]]:
    seed_graph(graph, settings)
    started: list[Served] = []
    try:
        for name in ("a", "b"):  # both start before either is waited for
            env = {**test_env, "KB_INDEX_DIR": str(tmp_path / f"index-{name}")}
            started.append(start_serve(env, tmp_path / f"serve-{name}.log"))
        for served in started:
            served.wait_ready()
        yield started[0].base, started[1].base
    finally:
        for served in started:
            served.stop()


def _search(base: str, query: str) -> Any:
    body = httpx.post(
        f"{base}/graphql", json={"query": SEARCH, "variables": {"q": query}}, timeout=10
    ).json()
    assert "errors" not in body, body
    return body["data"]["search"]


def _write(base: str, secret: str, document: str, input: dict[str, Any]) -> Any:
    body = httpx.post(
        f"{base}/graphql",
        json={"query": document, "variables": {"input": input}},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    ).json()
    assert "errors" not in body, body
    return body["data"]


def _keys(result: Any) -> list[str]:
    return [hit["key"] for hit in result["hits"]]


def _within(seconds: float, base: str, query: str, expect: Callable[[Any], bool]) -> Any:
    """The first search result through ``base`` that meets ``expect``, or a failure
    naming what was found last when none did within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        result = _search(base, query)
        # Defence in depth: a hit whose node is gone is never shown, stale index or not.
        assert all(hit["node"] is not None for hit in result["hits"]), result
        if expect(result):
            return result
        if time.monotonic() >= deadline:
            pytest.fail(f"{base}: after {seconds:g}s, {query!r} still finds {_keys(result)}")
        time.sleep(0.1)


def _lesson(key: str) -> dict[str, Any]:
    return {
        "key": key,
        "title": "Wombat crossing signs need a reflectivity standard",
        "context": "Signs for wombat crossings faded within a year.",
        "lesson": "Name the reflectivity class.",
        "recommendation": "Cite the standard.",
        "status": "OBSERVATION",
        "state": encode_id("State", "VT"),
        "illustrative": True,
    }


def test_create_update_delete_through_one_process_reach_both_within_2s(
    two_servers: tuple[str, str], graph: Graph
) -> None:
    servers = two_servers
    _, secret = create_token(graph, "two-process-editor", "editor")
    for base in servers:  # cached answers of "nothing found" that the writes must replace
        assert _search(base, "wombat")["totalCount"] == 0
        assert _search(base, "echidna")["totalCount"] == 0

    writer, other = servers
    created = _write(writer, secret, CREATE, _lesson("L-7777"))
    assert created["createLesson"]["lesson"]["key"] == "L-7777"
    assert _keys(_search(writer, "wombat")) == ["L-7777"]  # at once, in the writer
    _within(LIVE_SECONDS, other, "wombat", lambda r: _keys(r) == ["L-7777"])

    node = encode_id("Lesson", "L-7777")
    title = "Echidna crossing signs need a reflectivity standard"
    _write(writer, secret, UPDATE, {"id": node, "title": title})
    assert _keys(_search(writer, "echidna")) == ["L-7777"]
    _within(LIVE_SECONDS, other, "echidna", lambda r: _keys(r) == ["L-7777"])
    for base in servers:
        assert _search(base, "echidna")["hits"][0]["title"] == title

    # Deleted through the other process this time: both must forget it.
    assert _write(other, secret, DELETE, {"id": node})["deleteLesson"]["deletedId"] == node
    assert _search(other, "echidna")["totalCount"] == 0
    _within(LIVE_SECONDS, writer, "echidna", lambda r: r["totalCount"] == 0)
    for base in servers:
        assert _search(base, "wombat")["totalCount"] == 0
