"""Planned pages read in index order (kb/graph/ordered.py) answer as plain execution does.

A root page ordered by an indexed property is built from the nodes that have it (read
from the range index in order) and those that lack it (nulls: last ascending, first
descending); a nested page of a parent with many related nodes walks the id index. Both
must give plain execution's answer exactly, at every offset, nulls included; and the
statements must not sort the whole label (EXPLAIN: an index scan, no full Sort or Top).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from planner_support import both

from kb.api.pagination import encode_cursor
from kb.api.schema import Schema
from kb.config import PROJECT_ROOT, Settings
from kb.graph.db import Graph
from kb.graph.deletes import delete_node
from kb.graph.load import load_seed
from kb.graph.property_counts import refresh
from kb.graph.writes import NodeWrite, create_node, update_node
from kb.seed import read_seed

SEED_DIR = PROJECT_ROOT / "seed"
STATES = ("UT", "CO", "WA", "OR", "ID", "NV", "AZ", "NM")

# Cypher in a test: it sets up data the API cannot write (lessons without a date).
_UNDATE = "MATCH (n:Lesson) WITH n ORDER BY n.id SKIP 5 LIMIT 3 REMOVE n.recordedOn"


@pytest.fixture
def scratch_graph(seeded_graph: Graph) -> Iterator[Graph]:
    """The seeded graph for a test that changes it behind the change log's back (Cypher);
    emptied afterwards, so that ``read_graph`` (which notices only node counts and change
    sequences) loads the seed again instead of reading what the test left."""
    yield seeded_graph
    seeded_graph.write("MATCH (n) DETACH DELETE n")


def _lessons(order: str, first: int, offset: int | None) -> tuple[str, dict[str, Any]]:
    after = encode_cursor(offset) if offset is not None else None
    return (
        "query ($first: Int, $after: String) { lessons(first: $first, after: $after,"
        f" orderBy: {order}) {{ totalCount pageInfo {{ hasNextPage endCursor }}"
        " nodes { key title recordedOn } } }",
        {"first": first, "after": after},
    )


@pytest.mark.parametrize(
    "order", ["RECORDED_ON_DESC", "RECORDED_ON_ASC", "TITLE_ASC", "UPDATED_AT_DESC"]
)
def test_pages_in_index_order_keep_the_order_of_nulls(
    schema: Schema, scratch_graph: Graph, settings: Settings, order: str
) -> None:
    seeded_graph = scratch_graph
    seeded_graph.write(_UNDATE)
    refresh(seeded_graph)  # written around the API's writers: recount (kb/graph/property_counts)
    total = seeded_graph.read("MATCH (n:Lesson) RETURN count(n) AS c")[0]["c"]
    seen: list[str] = []
    for first, offset in [(5, None), (2, 1), (20, total - 6), (20, total - 2), (3, total - 1)]:
        answer, planned = both(schema, seeded_graph, settings, *_lessons(order, first, offset))
        assert planned, answer[:300]
        seen.append(answer)
    # The three lessons without a date open the list descending and close it ascending.
    if order == "RECORDED_ON_DESC":
        assert seen[0].count('"recordedOn": null') == 3
    if order == "RECORDED_ON_ASC":
        assert seen[2].count('"recordedOn": null') == 3
        assert seen[3].count('"recordedOn": null') == 1


def _counts(graph: Graph) -> dict[str, Any]:
    rows = graph.read("MATCH (p:PropertyCounts {label: 'Lesson'}) RETURN properties(p) AS p")
    return rows[0]["p"] if rows else {}


def _actual(graph: Graph) -> dict[str, int]:
    row = graph.read(
        "MATCH (n:Lesson) RETURN count(n) AS total, count(n.recordedOn) AS recordedOn,"
        " count(n.updatedAt) AS updatedAt"
    )[0]
    return dict(row)


def test_a_lesson_written_around_the_writers_is_still_seen_first(
    schema: Schema, scratch_graph: Graph, settings: Settings
) -> None:
    """Without a recount, a node created in Cypher changes the label's count: the
    counts node is not trusted and the page counts the index, as before."""
    refresh(scratch_graph)
    assert _counts(scratch_graph)["total"] == _actual(scratch_graph)["total"]
    scratch_graph.write("CREATE (:Lesson {id: 'L-0000', title: 'Undated, in Cypher'})")
    answer, planned = both(schema, scratch_graph, settings, *_lessons("RECORDED_ON_DESC", 3, None))
    assert planned and '"key": "L-0000"' in answer and '"recordedOn": null' in answer, answer


def test_every_write_through_the_writers_recounts(
    schema: Schema, scratch_graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    """A load of undated lessons, an update, a delete: each transaction that records a
    change of a lesson leaves the counts node equal to the graph's counts, and the
    descending page (which trusts it) answers as plain execution does."""
    refresh(scratch_graph)
    seed = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed)
    lessons = sorted((seed / "lessons").glob("*.yaml"))[0]
    text = lessons.read_text()
    undated = re.sub(r"(?m)^  recorded: .*\n", "", text, count=2)
    assert undated != text, "the seed's lessons carry recorded:"
    lessons.write_text(undated)
    load_seed(scratch_graph, read_seed(seed))
    counts, actual = _counts(scratch_graph), _actual(scratch_graph)
    assert actual["recordedOn"] < actual["total"]  # the load wrote lessons without a date
    assert {k: counts[k] for k in actual} == actual
    answer, planned = both(schema, scratch_graph, settings, *_lessons("RECORDED_ON_DESC", 5, None))
    assert planned and answer.count('"recordedOn": null') == 2, answer[:400]
    first = scratch_graph.read("MATCH (n:Lesson) RETURN n.id AS id ORDER BY n.id LIMIT 1")[0]["id"]
    delete_node(scratch_graph, "Lesson", first, author="test")
    counts, actual = _counts(scratch_graph), _actual(scratch_graph)
    assert {k: counts[k] for k in actual} == actual
    answer, planned = both(schema, scratch_graph, settings, *_lessons("RECORDED_ON_DESC", 5, 1))
    assert planned, answer[:400]


def test_an_update_of_other_fields_does_not_recount(scratch_graph: Graph) -> None:
    """Only a write that can change a count recounts: a new context does not (one
    statement fewer per update), a new date does."""
    refresh(scratch_graph)
    sent: list[str] = []
    scratch_graph.observers.append(lambda query, params: sent.append(query))
    try:
        update_node(scratch_graph, NodeWrite("Lesson", "L-0047", {"context": "New."}), "t")
        assert not [q for q in sent if "PropertyCounts" in q], sent
        update_node(scratch_graph, NodeWrite("Lesson", "L-0047", {"recordedOn": None}), "t")
        assert [q for q in sent if "PropertyCounts" in q], sent
    finally:
        scratch_graph.observers.clear()
    counts, actual = _counts(scratch_graph), _actual(scratch_graph)
    assert actual["recordedOn"] == actual["total"] - 1
    assert {k: counts[k] for k in actual} == actual


def test_concurrent_writers_leave_the_counts_exact(scratch_graph: Graph) -> None:
    """Each recount runs after its transaction took the change log's lock, so writers in
    parallel (eight threads, sixteen lessons, half without a date) leave the counts
    equal to the graph's, not to what one of them saw."""
    refresh(scratch_graph)

    def create(i: int) -> None:
        props: dict[str, Any] = {"title": f"Parallel lesson {i}", "lesson": "Text."}
        if i % 2:
            props["recordedOn"] = date(2024, 1, 1 + i)
        state = STATES[i % len(STATES)]  # apart: no lock on a shared state orders them
        write = NodeWrite("Lesson", f"L-98{i:02d}", props, {"Lesson.state": [state]})
        create_node(scratch_graph, write, "t", "key")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(16)))
    counts, actual = _counts(scratch_graph), _actual(scratch_graph)
    assert actual["total"] - actual["recordedOn"] == 8
    assert {k: counts[k] for k in actual} == actual


def test_pages_without_nulls_answer_the_same(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    for order in ("RECORDED_ON_DESC", "RECORDED_ON_ASC", "TITLE_ASC", "UPDATED_AT_DESC"):
        answer, planned = both(schema, read_graph, settings, *_lessons(order, 7, 3))
        assert planned and '"recordedOn": null' not in answer, answer[:300]


def test_a_parent_with_many_related_nodes_pages_the_same(
    schema: Schema, scratch_graph: Graph, settings: Settings
) -> None:
    seeded_graph = scratch_graph
    alliance = seeded_graph.read("MATCH (a:Alliance) RETURN a.id AS id ORDER BY a.id LIMIT 1")
    seeded_graph.write(
        "MATCH (a:Alliance {id: $id}) UNWIND range(1, 400) AS i"
        " CREATE (a)-[:AWARDED]->(:Contract {id: 'Z-' + toString(i), slug: 'z-' + toString(i),"
        " title: 'Bulk ' + toString(i), status: 'ACTIVE'})",
        id=alliance[0]["id"],
    )
    query = (
        "query ($after: String) { alliances(first: 20) { nodes { slug"
        " contracts(first: 10, after: $after) { nodes { slug title } } } } }"
    )
    for offset in (None, 0, 45, 395, 405):
        after = encode_cursor(offset) if offset is not None else None
        answer, planned = both(schema, seeded_graph, settings, query, {"after": after})
        assert planned, answer[:300]
    answer, _ = both(schema, seeded_graph, settings, query, {"after": encode_cursor(45)})
    assert '"slug": "z-' in answer  # the big alliance's page is its bulk contracts


def _operators(plan: Any) -> list[tuple[str, str]]:
    found = [(plan["operatorType"].split("@")[0], str(plan.get("args", {}).get("Details", "")))]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


def test_an_ordered_page_does_not_sort_the_label(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    read_graph.observers.append(lambda query, params: sent.append((query, dict(params))))
    try:
        both(schema, read_graph, settings, *_lessons("RECORDED_ON_DESC", 20, None))
    finally:
        read_graph.observers.clear()
    planned = [(q, p) for q, p in sent if "recordedOn` IS NOT NULL" in q]
    assert planned, [q for q, _ in sent]
    with read_graph.driver.session(database=read_graph.database) as session:
        plan = session.run("EXPLAIN " + planned[0][0], planned[0][1]).consume().plan
    operators = _operators(dict(plan or {}))
    names = [name for name, _ in operators]
    assert "Sort" not in names and "Top" not in names, operators
    assert any(n.startswith("NodeIndexScan") and "recordedOn" in d for n, d in operators)
