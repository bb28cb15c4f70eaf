"""Two `kb serve` processes on one Neo4j, each with its own index: a write made through
one is found by a search through the other (its background indexer polls the log)."""

from __future__ import annotations

import time
from collections.abc import Iterator
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

SEARCH = '{ search(query: "wombat", first: 5) { totalCount hits { key } } }'


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


def _search(base: str) -> Any:
    return httpx.post(f"{base}/graphql", json={"query": SEARCH}).json()["data"]["search"]


def test_a_write_through_one_process_is_found_through_the_other(
    two_servers: tuple[str, str], graph: Graph
) -> None:
    first, second = two_servers
    assert _search(second)["totalCount"] == 0
    _, secret = create_token(graph, "two-process-editor", "editor")
    mutation = """mutation($input: CreateLessonInput!) { createLesson(input: $input) {
        lesson { key } } }"""
    lesson = {
        "key": "L-7777",
        "title": "Wombat crossing signs need a reflectivity standard",
        "context": "Signs for wombat crossings faded within a year.",
        "lesson": "Name the reflectivity class.",
        "recommendation": "Cite the standard.",
        "status": "OBSERVATION",
        "state": encode_id("State", "VT"),
        "illustrative": True,
    }
    created = httpx.post(
        f"{first}/graphql",
        json={"query": mutation, "variables": {"input": lesson}},
        headers={"Authorization": f"Bearer {secret}"},
    ).json()
    assert created["data"]["createLesson"]["lesson"]["key"] == "L-7777"
    assert [h["key"] for h in _search(first)["hits"]] == ["L-7777"]  # at once, in the writer

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if _search(second)["totalCount"] == 1:
            break
        time.sleep(0.25)
    assert [h["key"] for h in _search(second)["hits"]] == ["L-7777"]
