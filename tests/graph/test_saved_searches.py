"""Saved searches and visits in Neo4j: one node per search and token, a bound per
token, visits split by gaps, and which records are new since a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kb.graph.db import Graph
from kb.graph.saved_searches import (
    MAX_SAVED,
    VISIT_GAP,
    SavedSearchLimitError,
    created_after,
    delete_saved_search,
    save_search,
    saved_searches,
    start_visit,
)
from kb.graph.tokens import create_token


def test_the_same_search_saved_twice_is_one_node(graph: Graph) -> None:
    token = create_token(graph, "saver", "editor")[0]
    first = save_search(graph, token.id, "rfp", {"state": ("UT", "CO")}, "rfp")
    again = save_search(graph, token.id, "rfp", {"state": ("CO", "UT")}, "renamed")
    assert again == first and first.filters == {"state": ("CO", "UT")}
    other = create_token(graph, "other", "editor")[0]
    theirs = save_search(graph, other.id, "rfp", {"state": ("UT", "CO")}, "rfp")
    assert theirs.id != first.id
    assert [s.id for s in saved_searches(graph, token.id)] == [first.id]
    assert not delete_saved_search(graph, other.id, first.id)  # not theirs to delete
    assert delete_saved_search(graph, token.id, first.id)
    assert saved_searches(graph, token.id) == []
    with pytest.raises(ValueError, match="no token 'nobody'"):
        save_search(graph, "nobody", "rfp", {}, "rfp")


def test_a_token_keeps_at_most_max_saved_searches(graph: Graph) -> None:
    token = create_token(graph, "hoarder", "editor")[0]
    for n in range(MAX_SAVED):
        save_search(graph, token.id, f"query {n}", {}, f"query {n}")
    with pytest.raises(SavedSearchLimitError, match=f"at most {MAX_SAVED}"):
        save_search(graph, token.id, "one more", {}, "one more")
    save_search(graph, token.id, "query 3", {}, "query 3")  # saving one again is fine
    assert len(saved_searches(graph, token.id)) == MAX_SAVED


def test_a_visit_ends_after_a_gap_and_keeps_its_answer(graph: Graph) -> None:
    token = create_token(graph, "visitor", "editor")[0]
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert start_visit(graph, token.id, start) is None  # the first visit
    assert start_visit(graph, token.id, start + timedelta(minutes=20)) is None
    later = start + timedelta(minutes=20) + VISIT_GAP + timedelta(minutes=1)
    ended = start + timedelta(minutes=20)
    assert start_visit(graph, token.id, later) == ended
    assert start_visit(graph, token.id, later + timedelta(minutes=10)) == ended  # same visit


def test_created_after_keeps_the_order_given(graph: Graph) -> None:
    graph.write(
        "CREATE (:Lesson {id: 'L-1', createdAt: datetime('2026-01-01T00:00:00Z')}), "
        "(:Lesson {id: 'L-2', createdAt: datetime('2026-03-01T00:00:00Z')}), "
        "(:Practice {id: 'p-1', createdAt: datetime('2026-04-01T00:00:00Z')})"
    )
    records = [("Practice", "p-1"), ("Lesson", "L-1"), ("Lesson", "L-2"), ("Lesson", "p-1")]
    since = datetime(2026, 2, 1, tzinfo=UTC)
    assert created_after(graph, records, since) == [("Practice", "p-1"), ("Lesson", "L-2")]
    assert created_after(graph, [], since) == []
