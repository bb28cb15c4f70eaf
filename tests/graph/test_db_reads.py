"""``Graph.read_column``: one auto-commit read (no BEGIN, no COMMIT), as safe as a managed
read: read-only, bounded by the request's deadline, counted and observed, and failing
fast with ``DatabaseUnavailableError`` when Neo4j cannot be reached."""

from __future__ import annotations

import time
from typing import Any

import pytest
from neo4j._sync.work.transaction import TransactionBase

from kb.graph.db import DatabaseUnavailableError, Graph, QueryError
from kb.graph.deadline import DeadlineExceededError, deadline


def _spy_transactions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each explicit transaction the driver begins and commits (it still sends
    them: the spy only counts)."""
    seen: list[str] = []
    begin: Any = TransactionBase._begin
    commit: Any = TransactionBase._commit

    def spied_begin(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append("BEGIN")
        return begin(self, *args, **kwargs)

    def spied_commit(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append("COMMIT")
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(TransactionBase, "_begin", spied_begin)
    monkeypatch.setattr(TransactionBase, "_commit", spied_commit)
    return seen


def test_read_column_sends_no_begin_or_commit(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph.write("UNWIND range(1, 3) AS i CREATE (:Probe {i: i})")
    seen = _spy_transactions(monkeypatch)
    observed: list[str] = []
    graph.observers.append(lambda query, params: observed.append(query))
    try:
        before = graph.query_count
        values = graph.read_column(
            "MATCH (p:Probe) WHERE p.i >= $low RETURN p.i ORDER BY p.i", low=2
        )
        assert values == [2, 3]
        assert seen == [], "a single-column read went through an explicit transaction"
        assert graph.query_count == before + 1
        assert observed == ["MATCH (p:Probe) WHERE p.i >= $low RETURN p.i ORDER BY p.i"]
        graph.read("MATCH (p:Probe) RETURN count(p) AS n")  # managed reads stay managed
        assert seen == ["BEGIN", "COMMIT"]
    finally:
        graph.observers.clear()


def test_read_column_is_read_only(graph: Graph) -> None:
    with pytest.raises(QueryError):
        graph.read_column("CREATE (p:Probe {i: 1}) RETURN p.i")
    assert graph.read("MATCH (p:Probe) RETURN count(p) AS n") == [{"n": 0}]


def test_read_column_keeps_to_the_deadline(graph: Graph) -> None:
    with deadline(time.monotonic() - 1.0), pytest.raises(DeadlineExceededError):
        graph.read_column("RETURN 1")
    with deadline(time.monotonic() + 5.0):
        assert graph.read_column("RETURN 1") == [1]


def test_read_column_fails_fast_when_neo4j_is_unreachable() -> None:
    graph = Graph.connect("bolt://127.0.0.1:1", "neo4j", "unused")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailableError):
            graph.read_column("RETURN 1")
        assert graph.availability.down, "the outage was not recorded"
        with pytest.raises(DatabaseUnavailableError):  # at once, while down
            graph.read_column("RETURN 1")
        assert time.monotonic() - started < 5.0
    finally:
        graph.close()
