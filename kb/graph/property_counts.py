"""How many nodes of a growing label have each ordered property, kept by every write.

A root page in descending order (``lessons(orderBy: RECORDED_ON_DESC)``) puts the nodes
without the property first (:mod:`kb.graph.ordered`), so it must know whether there are
any. A range index holds no nulls and Neo4j's count store counts labels, not
properties, so asking means counting the index: 16,800 entries at 100x the seed, the
part of the paged read that grew with the data.

Instead, one ``PropertyCounts`` node per growing label holds the label's node count
(``total``) and, per indexed property a page reads newest first (:data:`NEWEST_FIRST`),
how many of its nodes have it. It is
recounted at the end of every write transaction that records a change of the label
that can change them: a create, a delete, a bulk write, an update of a tracked property
(:func:`kb.graph.changes.record_changes` asks for it; :class:`kb.graph.db.Tx` runs it
before the commit). Writers are ordered by the change log's ``Sequence`` node, whose
write lock every writer takes before the recount (and by the counts node's own lock,
taken before its counts are read), so each recount sees the writes committed before
it: the counts are the graph's, not a cache's, in every process.

A reader trusts the node only when its ``total`` equals the count store's count of the
label (a constant-time lookup): a node written around the API's writers (a bulk load
in Cypher, an older version of this code) changes that count, and the reader then
counts the index itself, as before. What it cannot see is a property removed by such a
writer without a change of the count; :func:`refresh` (run at start, and after any
bulk load) makes the node true again.

Example:
    >>> refresh(graph)  # every growing label
    >>> known_missing("Lesson", "recordedOn")  # a Cypher expression: true, false or null
"""

from __future__ import annotations

from functools import cache, lru_cache, partial

from kb.graph.db import Graph, Tx
from kb.graph.ordered import GROWING, indexed_properties
from kb.graph.records import ORDER_PROPERTIES

LABEL = "PropertyCounts"


#: The orders read newest first (the pages' "latest lessons", an application's "recently
#: changed"): the dates and ``updatedAt``. Each costs an index count per counted write;
#: a page in descending order of another property (title, status, slug) counts its
#: index itself, as before.
NEWEST_FIRST = frozenset({"recordedOn", "publishedOn", "startsOn", "endsOn", "updatedAt"})


@lru_cache(maxsize=1)
def tracked() -> dict[str, tuple[str, ...]]:
    """Per growing label, the properties counted: those of :data:`NEWEST_FIRST` a root
    page may be ordered by from a range index (which
    :func:`kb.graph.ordered.ordered_nodes` reads in two parts)."""
    indexed = indexed_properties()
    found: dict[str, tuple[str, ...]] = {}
    for label in sorted(GROWING):
        has = indexed.get(label, frozenset()) & ORDER_PROPERTIES.get(label, frozenset())
        found[label] = tuple(sorted(has & NEWEST_FIRST))
    return found


@cache
def _recount(label: str) -> str:
    """The recount statement of ``label`` (built once: it runs on every counted write)."""
    props = tracked()[label]
    node = f"`{label}`"
    counts = "".join(
        f", p.`{p}` = COUNT {{ MATCH (n:{node}) WHERE n.`{p}` IS NOT NULL }}" for p in props
    )
    return (
        f"MERGE (p:{LABEL} {{label: '{label}'}}) SET p.total = COUNT {{ MATCH (n:{node}) }}{counts}"
    )


def recount(tx: Tx, label: str) -> None:
    """Count ``label``'s nodes and each tracked property of them, inside ``tx`` (after
    its writes: the counts include them)."""
    if tracked().get(label):
        tx.run(_recount(label))  # identifiers from the code's own tables, quoted


def refresh(graph: Graph) -> None:
    """Recount every growing label, one write transaction each."""
    for label, props in tracked().items():
        if props:
            graph.execute_write(partial(recount, label=label))


def known_missing(label: str, prop: str) -> str:
    """A Cypher expression: whether some node of ``label`` lacks ``prop``, from the
    counts node when its total is the count store's; null when it is not to be trusted
    (or ``prop`` is not tracked). ``label`` and ``prop`` must be plain identifiers."""
    if prop not in tracked().get(label, ()):
        return "null"
    return (
        f"head(COLLECT {{ MATCH (p:{LABEL} {{label: '{label}'}})"
        f" WHERE p.total = COUNT {{ (:`{label}`) }} RETURN p.total > p.`{prop}` }})"
    )
