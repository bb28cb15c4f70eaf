"""Counts of nodes per label and relationships per type."""

from __future__ import annotations

from dataclasses import dataclass

from kb.graph.db import Graph, Tx

#: Labels of the knowledge itself (bookkeeping labels such as Change are left out).
DOMAIN_LABELS = ("State", "Alliance", "Contract", "Category", "Practice", "Lesson", "Vendor")


@dataclass(frozen=True)
class GraphStats:
    nodes: dict[str, int]
    relationships: dict[str, int]


def graph_stats(graph: Graph) -> GraphStats:
    """Node counts for every domain label (0 when absent) and every relationship type."""

    def work(tx: Tx) -> GraphStats:
        nodes = {label: 0 for label in DOMAIN_LABELS}
        for row in tx.run("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n"):
            if row["label"] in nodes:
                nodes[row["label"]] = row["n"]
        rels = tx.run("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type")
        return GraphStats(nodes, {row["type"]: row["n"] for row in rels})

    return graph.execute_read(work)


def is_empty(graph: Graph) -> bool:
    """True when the graph holds no domain node."""
    rows = graph.read(
        "MATCH (n) WHERE n:State OR n:Alliance OR n:Contract OR n:Category OR n:Practice "
        "OR n:Lesson OR n:Vendor RETURN count(n) > 0 AS any"
    )
    return not rows[0]["any"]
