"""Index-backed order for an unfiltered root page: its first rows without sorting every node.

A root list ordered by a property (``lessons(orderBy: RECORDED_ON_DESC)``) is sorted as
:mod:`kb.graph.reads` sorts it: ascending with nulls last, descending with nulls first,
ties by ``id``. Written as one ``ORDER BY ... LIMIT``, Neo4j reads every node of the
label and keeps the top rows (a Top over 16,800 lessons at 100x the seed). A range
index on the property can give the order instead, but only over the nodes that have the
property (an index holds no nulls), so the page is built from two parts:

- the nodes with the property, read from the index in order (``WHERE n.p IS NOT NULL``,
  a NodeIndexScan with a PartialTop that stops after ``skip + limit`` rows and their ties);
- the nodes without it, in ``id`` order, read only when they can reach the page:
  ascending, when the first part came up short; descending, when the label counts more
  nodes (count store) than the index holds.

The nodes without the property are read from the id index in id order with a filter,
so that part stops after ``skip + limit`` rows as well.

Only a property with a single-property range index or a uniqueness constraint in
``schema/*.cypher`` is read this way (:func:`indexed_properties`); any other order
keeps the one ``ORDER BY``.

Example:
    >>> "recordedOn" in indexed_properties()["Lesson"]
    True
"""

from __future__ import annotations

import re
from functools import lru_cache

from kb.graph.schema import schema_statements

_INDEX = re.compile(r"FOR \(n:(\w+)\) ON \(n\.(\w+)\)\s*$")
_UNIQUE = re.compile(r"FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE\s*$")


#: The labels that grow with the data (the other labels are a few dozen nodes: expanding
#: a parent along them is bounded by the label itself).
GROWING = frozenset({"Contract", "Practice", "Lesson"})


@lru_cache(maxsize=1)
def indexed_properties() -> dict[str, frozenset[str]]:
    """Per label, the properties that a single-property range index (or a uniqueness
    constraint, which is backed by one) covers, read from ``schema/*.cypher``."""
    found: dict[str, set[str]] = {}
    for statement in schema_statements():
        match = _INDEX.search(statement) or _UNIQUE.search(statement)
        if match is not None:
            found.setdefault(match.group(1), set()).add(match.group(2))
    return {label: frozenset(props) for label, props in found.items()}


def ordered_nodes(label: str, prop: str, desc: bool, end: str, known: str = "null") -> str | None:
    """``WITH ... AS xs``: the first ``end`` (a parameter) nodes of ``label`` as
    ``[n, null]`` pairs, in the order of ``prop`` (descending when ``desc``), then
    ``id``; None when no index covers ``prop`` (or it is ``id``, already in order).

    ``known`` is a Cypher expression that says whether some node lacks ``prop`` without
    counting the index (:func:`kb.graph.property_counts.known_missing`), or null when
    it cannot: then the index is counted.

    ``label`` and ``prop`` must be plain identifiers (they are quoted here)."""
    if prop == "id" or prop not in indexed_properties().get(label, frozenset()):
        return None
    node, key = f"`{label}`", f"`{prop}`"
    present = (
        f"COLLECT {{ MATCH (n:{node}) WHERE n.{key} IS NOT NULL AND n.id IS NOT NULL"
        f" WITH n ORDER BY n.{key}{' DESC' if desc else ''}, n.id LIMIT {end}"
        " RETURN [n, null] }"
    )
    absent = (
        f"COLLECT {{ MATCH (n:{node}) WHERE n.id IS NOT NULL AND n.{key} IS NULL"
        f" WITH n ORDER BY n.id LIMIT {end} RETURN [n, null] }}"
    )
    if desc:  # nulls first: read them only when some node lacks the property
        counted = f"COUNT {{ (:{node}) }} > COUNT {{ MATCH (n:{node}) WHERE n.{key} IS NOT NULL }}"
        return (
            f"WITH {known} AS known WITH CASE WHEN known IS NULL"
            f" THEN CASE WHEN {counted} THEN {absent} ELSE [] END"
            f" WHEN known THEN {absent} ELSE [] END AS xs WITH xs + {present} AS xs"
        )
    # nulls last: read them only when the nodes with the property do not fill the page
    return (
        f"WITH {present} AS xs WITH xs + CASE WHEN size(xs) < {end} THEN {absent} ELSE [] END AS xs"
    )


def bounded_related(
    degree: str, target: str, pattern: str, order: str, skip: str, limit: str
) -> str:
    """The ``COLLECT`` of ``[n, r]`` pairs of a nested page in ``id`` order whose parent
    may have many related nodes (an alliance's contracts at 100x the seed).

    When the parent's ``degree`` (a ``COUNT`` Neo4j answers from the node's degree,
    without expanding) is large against the label's count, the page walks the label's id
    index in order, keeps the nodes ``pattern`` links to the parent and stops after
    ``skip + limit`` of them: about ``(skip + limit) * count / degree`` nodes read when the
    related nodes are spread over the id order, chosen when that is below ``degree``.
    Otherwise it expands from the parent and sorts, as before. Both give the same rows
    in the same order for nodes with an id (every write gives one; the root pages of
    :mod:`kb.graph.projection` list only those too).

    ``pattern`` is the ``MATCH`` from the parent to ``n`` binding ``r`` and the ``WITH``
    after it, ``order`` the ``ORDER BY`` on ``n.id``, ``skip`` and ``limit`` parameters;
    ``target`` a plain identifier."""
    node = f"`{target}`"
    tail = f"{order} SKIP {skip} LIMIT {limit} RETURN [n, r]"
    walk = (
        f"COLLECT {{ MATCH (n:{node}) USING INDEX n:{node}(id) WHERE n.id IS NOT NULL"
        f" {pattern} {tail} }}"
    )
    expand = f"COLLECT {{ {pattern} {tail} }}"
    return (
        f"CASE WHEN {degree} * {degree} > ({skip} + {limit}) * COUNT {{ (:{node}) }}"
        f" THEN {walk} ELSE {expand} END"
    )
