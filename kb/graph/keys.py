"""The keys and titles already in the graph, so that an import can refer to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import LiteralString

from kb.graph.db import Graph, Tx


@dataclass(frozen=True)
class GraphKeys:
    """Natural keys per label, and the titles of practices and lessons.

    ``titles`` maps a normalised title (lower case, single spaces) to its owner, as
    ``("Practice", slug)`` or ``("Lesson", id)``; ``prerequisites`` holds
    ``(before, after)`` for each PREREQUISITE_OF link.
    """

    states: frozenset[str] = frozenset()
    alliances: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    contracts: frozenset[str] = frozenset()
    practices: frozenset[str] = frozenset()
    lessons: frozenset[str] = frozenset()
    prerequisites: frozenset[tuple[str, str]] = frozenset()
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)


def normalise_title(title: str) -> str:
    """The form in which two titles are compared: case and spacing ignored."""
    return " ".join(title.lower().split())


def graph_keys(graph: Graph) -> GraphKeys:
    """Read every natural key and every practice and lesson title, in one transaction."""

    def work(tx: Tx) -> GraphKeys:
        def keys(query: LiteralString) -> frozenset[str]:
            return frozenset(row["k"] for row in tx.run(query) if row["k"] is not None)

        titles: dict[str, tuple[str, str]] = {}
        for row in tx.run(
            "MATCH (n) WHERE n:Practice OR n:Lesson "
            "RETURN CASE WHEN n:Practice THEN 'Practice' ELSE 'Lesson' END AS label, "
            "n.id AS id, n.title AS title ORDER BY label DESC, id"
        ):
            if row["title"]:
                titles.setdefault(normalise_title(row["title"]), (row["label"], row["id"]))
        return GraphKeys(
            states=keys("MATCH (n:State) RETURN n.code AS k"),
            alliances=keys("MATCH (n:Alliance) RETURN n.slug AS k"),
            categories=keys("MATCH (n:Category) RETURN n.code AS k"),
            contracts=keys("MATCH (n:Contract) RETURN n.slug AS k"),
            practices=keys("MATCH (n:Practice) RETURN n.slug AS k"),
            lessons=keys("MATCH (n:Lesson) RETURN n.id AS k"),
            prerequisites=frozenset(
                (row["before"], row["after"])
                for row in tx.run(
                    "MATCH (b:Practice)-[:PREREQUISITE_OF]->(a:Practice) "
                    "RETURN b.slug AS before, a.slug AS after"
                )
            ),
            titles=titles,
        )

    return graph.execute_read(work)
