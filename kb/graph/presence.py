"""Which of some indexed nodes still exist: the graph's answer to a search index that
may be behind it.

Search reads a derived index; before a page of hits is shown, the keys on it are checked
here in one statement, so that a node deleted in the graph is never shown, however the
index fell behind (a write that bypassed the change log, a restore, an indexer that has
not polled yet).

Example:
    >>> existing_keys(graph, {"Lesson": ["L-0019", "L-9999"]})
    {'Lesson': {'L-0019'}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import LiteralString

from kb.graph.db import Graph
from kb.graph.search_docs import INDEXED_LABELS

# One fixed statement (no label from input): each branch is an index seek on `id`.
# Every branch takes the same list, never empty: Neo4j keys its plan cache by the
# parameters' types as well as the text, and an empty list is not typed as a list of
# strings, so one list per label gave a plan per combination of labels on a page (7),
# each planned on first use (30-70 ms on a quiet machine) and again after any schema
# change, such as a full-text index being created (bench/README.md, History).
_EXISTING: LiteralString = (
    "MATCH (n:Practice) WHERE n.id IN $ids RETURN 'Practice' AS label, n.id AS id "
    "UNION ALL MATCH (n:Lesson) WHERE n.id IN $ids RETURN 'Lesson' AS label, n.id AS id "
    "UNION ALL MATCH (n:Contract) WHERE n.id IN $ids RETURN 'Contract' AS label, n.id AS id"
)


def existing_keys(graph: Graph, keys: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """The keys of ``keys`` (label -> ids, labels of :data:`INDEXED_LABELS`) whose node
    exists now, by label.

    Raises:
        ValueError: a label the search index does not hold.
    """
    unknown = sorted(set(keys) - set(INDEXED_LABELS))
    if unknown:
        raise ValueError(f"labels {unknown} are not indexed; expected {sorted(INDEXED_LABELS)}")
    wanted = {label: set(keys.get(label, ())) for label in INDEXED_LABELS}
    found: dict[str, set[str]] = {label: set() for label in keys}
    ids = sorted(set().union(*wanted.values()))
    if not ids:
        return found
    for row in graph.read(_EXISTING, ids=ids):
        # The same id may name a node of another label than the one asked for.
        if row["id"] in wanted[row["label"]]:
            found.setdefault(row["label"], set()).add(row["id"])
    return found
