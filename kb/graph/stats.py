"""Counts of nodes per label and relationships per type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from kb.graph.db import Graph, Tx

#: Labels of the knowledge itself (bookkeeping labels such as Change are left out).
DOMAIN_LABELS = ("State", "Alliance", "Contract", "Category", "Practice", "Lesson", "Vendor")


@dataclass(frozen=True)
class GraphStats:
    nodes: dict[str, int]
    relationships: dict[str, int]


# `COUNT { (:Label) }` and `COUNT { ()-[:TYPE]->() }` standing alone are answered from
# Neo4j's count store, without touching a node; a count grouped over `MATCH (n)` or
# `MATCH ()-[r]->()` reads every node of the graph.
_NODES: LiteralString = ", ".join(
    "COUNT { (:" + label + ") } AS " + label for label in DOMAIN_LABELS
)
_TYPES: LiteralString = (
    "CALL db.relationshipTypes() YIELD relationshipType "
    "RETURN collect(relationshipType) AS types, " + _NODES
)


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _relationship_counts(types: list[str]) -> LiteralString:
    # The type names come from the database itself (db.relationshipTypes), quoted as
    # identifiers, so no input reaches the statement text.
    counts = [f"COUNT {{ ()-[:{_quoted(t)}]->() }}" for t in types]
    # (mypy treats LiteralString as str, so no cast is needed here.)
    return "RETURN [" + ", ".join(counts) + "] AS counts"


def graph_stats(graph: Graph) -> GraphStats:
    """Node counts for every domain label (0 when absent) and every relationship type
    that has relationships, from the count store (two statements)."""

    def work(tx: Tx) -> GraphStats:
        row = tx.run(_TYPES)[0]
        nodes = {label: int(row[label]) for label in DOMAIN_LABELS}
        types = sorted(row["types"])
        counts = tx.run(_relationship_counts(types))[0]["counts"] if types else []
        return GraphStats(nodes, {t: int(n) for t, n in zip(types, counts, strict=True) if n})

    return graph.execute_read(work)


_ANY: LiteralString = (
    "RETURN " + " + ".join("COUNT { (:" + label + ") }" for label in DOMAIN_LABELS) + " > 0 AS any"
)


def is_empty(graph: Graph) -> bool:
    """True when the graph holds no domain node (from the count store)."""
    rows = graph.read(_ANY)
    return not rows[0]["any"]
