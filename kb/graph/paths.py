"""How two nodes connect: the shortest path between them, hop by hop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from kb.domain.relationships import LABELS
from kb.graph.db import Graph
from kb.graph.records import NodeRecord, native

#: The longest path looked for (hops); longer connections say little.
MAX_HOPS = 6

_DOMAIN: LiteralString = (
    "n:State OR n:Alliance OR n:Contract OR n:Category OR n:Practice OR n:Lesson"
)

_LABELS: tuple[LiteralString, ...] = LABELS


def _shortest(source: LiteralString, target: LiteralString) -> LiteralString:
    # Both ends are matched by label and key, so each is one seek in the label's id
    # constraint index (an unlabelled `MATCH (a {id: ...})` scans every node).
    return (
        "MATCH (a:" + source + " {id: $fromKey}) "
        "MATCH (b:" + target + " {id: $toKey}) "
        "MATCH p = allShortestPaths((a)-[*..6]-(b)) "
        "WHERE all(n IN nodes(p) WHERE " + _DOMAIN + ") "
        # Several paths can be equally short: pick one the same way every time.
        "WITH p ORDER BY [r IN relationships(p) | type(r)], [n IN nodes(p) | n.id] LIMIT 1 "
        "RETURN [n IN nodes(p) | {label: [l IN labels(n) WHERE l IN $labels][0], props: n {.*}}] AS nodes, "
        "[r IN relationships(p) | {type: type(r), start: elementId(startNode(r)), props: properties(r)}] AS rels, "
        "[n IN nodes(p) | elementId(n)] AS elementIds"
    )


#: One statement per pair of labels (36), planned once each.
_SHORTEST: dict[tuple[str, str], LiteralString] = {
    (source, target): _shortest(source, target) for source in _LABELS for target in _LABELS
}


@dataclass(frozen=True)
class Hop:
    """One relationship of a path, read from ``source`` to ``target``.

    ``forward`` is True when the relationship points from ``source`` to ``target``
    (``(source)-[type]->(target)``), False when it points back.
    """

    source: NodeRecord
    target: NodeRecord
    type: str
    forward: bool
    props: dict[str, Any]


def shortest_path(
    graph: Graph, source: tuple[str, str], target: tuple[str, str]
) -> list[Hop] | None:
    """The hops of a shortest path between two nodes given as ``(label, key)``; an
    empty list when they are the same node, None when no path of at most
    :data:`MAX_HOPS` hops joins them (or either is absent, or of another label)."""
    if source == target:
        return []
    statement = _SHORTEST.get((source[0], target[0]))
    if statement is None:  # not a label of the knowledge: no node to start or end at
        return None
    rows = graph.read(statement, fromKey=source[1], toKey=target[1], labels=list(_LABELS))
    if not rows:
        return None
    row = rows[0]
    nodes = [NodeRecord.of(n["label"], n["props"]) for n in row["nodes"]]
    hops = []
    for i, rel in enumerate(row["rels"]):
        forward = rel["start"] == row["elementIds"][i]
        props = {k: native(v) for k, v in rel["props"].items() if k != "seedHash"}
        hops.append(Hop(nodes[i], nodes[i + 1], rel["type"], forward, props))
    return hops
