"""Helpers for the search tests: writes through Cypher with their change entries."""

from __future__ import annotations

from pathlib import Path

import yaml

from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx
from kb.search import SearchFilters

JUDGMENTS = Path(__file__).with_name("judgments.yaml")
#: Whoosh operator queries beside the judged ones (tests/search/test_matchsets.py and
#: test_scoring.py check the fast paths against Whoosh itself on both).
OPERATORS = [
    '"participating addendum"',
    "cooperative -pharmacy",
    "+protest bid",
    "state:UT contract",
    "protes*",
    "*",
    "kind:lesson snow",
]
FILTER_SETS = [
    SearchFilters(),
    SearchFilters(kinds=("lesson",)),
    SearchFilters(states=("UT", "CO"), years=("2023", "2024")),
]


def judged_and_operator_queries() -> list[str]:
    """The queries of judgments.yaml, then :data:`OPERATORS`."""
    judged = [q["query"] for q in yaml.safe_load(JUDGMENTS.read_text())["queries"]]
    return judged + OPERATORS


def write_lesson(
    graph: Graph, id: str, title: str, text: str, state: str = "UT", recorded: str = "2025-06-01"
) -> None:
    """Create or update a lesson and record its change, in one transaction (as every
    write of the application does)."""

    def work(tx: Tx) -> None:
        tx.run(
            "MERGE (n:Lesson {id: $id}) "
            "SET n.title = $title, n.context = $text, n.lesson = $text, "
            "n.recommendation = '', n.recordedOn = date($recorded), n.tags = ['test'], "
            "n.status = 'OBSERVATION' "
            "WITH n MATCH (s:State {id: $state}) MERGE (n)-[:FROM]->(s)",
            id=id, title=title, text=text, recorded=recorded, state=state,
        )  # fmt: skip
        record_changes(tx, "Lesson", [id], "UPSERT", "test")

    graph.execute_write(work)


def delete_lesson(graph: Graph, id: str) -> None:
    """Delete a lesson and record the deletion, in one transaction."""

    def work(tx: Tx) -> None:
        tx.run("MATCH (n:Lesson {id: $id}) DETACH DELETE n", id=id)
        record_changes(tx, "Lesson", [id], "DELETE", "test")

    graph.execute_write(work)


def rename_alliance(graph: Graph, id: str, name: str) -> None:
    """Rename an alliance and record the change, in one transaction."""

    def work(tx: Tx) -> None:
        tx.run("MATCH (a:Alliance {id: $id}) SET a.name = $name", id=id, name=name)
        record_changes(tx, "Alliance", [id], "UPSERT", "test")

    graph.execute_write(work)
