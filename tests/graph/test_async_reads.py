"""``AsyncReads``: the planner's statements sent from the event loop, as safe as
``Graph.read_column``: one auto-commit read in a READ session (a write is refused),
counted and observed, bounded by the deadline, and handing over to the blocking path
(which retries and reports) whenever the driver fails or Neo4j is taken to be down.
And the app sends its planned reads this way: from the event loop's thread, not a
worker thread, unless ``KB_ASYNC_READS=false``."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from typing import Any

import pytest
from neo4j._async.work.transaction import AsyncTransactionBase
from neo4j.exceptions import ClientError
from starlette.testclient import TestClient

from kb.app import create_app
from kb.config import Settings
from kb.graph.async_reads import AsyncReads, HandOver
from kb.graph.db import Graph


def _reads(graph: Graph) -> AsyncReads:
    reads = AsyncReads.open(graph)
    assert reads is not None, "the session graph was made by Graph.connect"
    return reads


def _soon(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


def test_a_read_is_one_auto_commit_statement_counted_and_observed(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph.write("UNWIND range(1, 3) AS i CREATE (:Probe {i: i})")
    begun: list[str] = []
    begin: Any = AsyncTransactionBase._begin

    async def spied_begin(self: Any, *args: Any, **kwargs: Any) -> Any:
        begun.append("BEGIN")
        return await begin(self, *args, **kwargs)

    monkeypatch.setattr(AsyncTransactionBase, "_begin", spied_begin)
    observed: list[str] = []
    graph.observers.append(lambda query, params: observed.append(query))
    query = "MATCH (p:Probe) WHERE p.i >= $low RETURN p.i ORDER BY p.i"

    async def main() -> list[Any]:
        reads = _reads(graph)
        try:
            return await reads.column(query, {"low": 2}, _soon())
        finally:
            await reads.close()

    try:
        before = graph.query_count
        assert asyncio.run(main()) == [2, 3]
        assert graph.query_count == before + 1
        assert observed == [query]
        assert begun == [], "the async read went through an explicit transaction"
        # What the blocking path reads for the same statement.
        assert graph.read_column(query, low=2) == [2, 3]
    finally:
        graph.observers.clear()


def test_a_write_is_refused_and_an_error_of_the_statement_is_raised(graph: Graph) -> None:
    async def main(query: str) -> list[Any]:
        reads = _reads(graph)
        try:
            return await reads.column(query, {}, _soon())
        finally:
            await reads.close()

    with pytest.raises(ClientError):
        asyncio.run(main("CREATE (p:Probe {i: 1}) RETURN p.i"))
    assert graph.read("MATCH (p:Probe) RETURN count(p) AS n") == [{"n": 0}]
    with pytest.raises(ClientError):  # a Cypher error: the caller's, not a hand-over
        asyncio.run(main("RETURN no_such_function(1)"))


def test_it_hands_over_past_the_deadline_or_when_neo4j_is_unreachable(graph: Graph) -> None:
    async def past_deadline() -> None:
        reads = _reads(graph)
        try:
            await reads.column("RETURN 1", {}, time.monotonic() - 1.0)
        finally:
            await reads.close()

    with pytest.raises(HandOver):
        asyncio.run(past_deadline())

    unreachable = Graph.connect("bolt://127.0.0.1:1", "neo4j", "unused")

    async def nowhere() -> None:
        reads = _reads(unreachable)
        try:
            await reads.column("RETURN 1", {}, _soon())
        finally:
            await reads.close()

    try:
        started = time.monotonic()
        with pytest.raises(HandOver):
            asyncio.run(nowhere())
        assert time.monotonic() - started < 5.0
        unreachable.availability.failed("test: taken to be down")
        with pytest.raises(HandOver):  # at once, without trying, while down
            asyncio.run(nowhere())
    finally:
        unreachable.close()


def test_a_graph_not_made_by_connect_has_no_async_reads(graph: Graph) -> None:
    assert AsyncReads.open(Graph(graph.driver, graph.database)) is None


def _threads_of_planned_reads(graph: Graph, settings: Settings) -> list[str]:
    names: list[str] = []
    graph.observers.append(lambda query, params: names.append(threading.current_thread().name))
    try:
        with TestClient(create_app(settings, graph, search=False)) as client:
            response = client.post("/graphql", json={"query": '{ state(code: "UT") { name } }'})
        assert response.status_code == 200
        assert response.json() == {"data": {"state": {"name": "Utah"}}}
    finally:
        graph.observers.clear()
    return names


def test_the_app_sends_planned_reads_from_the_event_loop(
    seeded_graph: Graph, settings: Settings
) -> None:
    on = dataclasses.replace(settings, planner="on", response_cache=0)
    names = _threads_of_planned_reads(seeded_graph, on)
    assert names and not any(name.startswith("kb-read") for name in names), names
    off = dataclasses.replace(on, async_reads=False)
    names = _threads_of_planned_reads(seeded_graph, off)
    assert names and all(name.startswith("kb-read") for name in names), names
