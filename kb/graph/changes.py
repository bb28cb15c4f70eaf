"""The change log: one entry per written node, in the same transaction as the write.

Entries carry a gap-free sequence number (``seq``) taken from a single ``Sequence``
node, whose write lock orders concurrent writers. The search indexer applies entries
in ``seq`` order and remembers the last one applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from kb.graph.db import Graph, Tx
from kb.graph.property_counts import recount, tracked

_RECORD = (
    "MERGE (s:Sequence {name: 'changes'}) ON CREATE SET s.value = 0, s.epoch = randomUUID() "
    "SET s.value = s.value + size($ids) "
    "WITH s.value - size($ids) AS base "
    "UNWIND range(0, size($ids) - 1) AS i "
    "CREATE (:Change {seq: base + i + 1, label: $label, id: $ids[i], op: $op, "
    "author: $author, at: datetime(), fields: $fields, diff: $diff})"
)


@dataclass(frozen=True)
class Change:
    """One change entry: ``op`` is UPSERT or DELETE."""

    seq: int
    label: str
    id: str
    op: str


def record_changes(
    tx: Tx,
    label: str,
    ids: list[str],
    op: str,
    author: str,
    fields: list[str] | None = None,
    diff: str | None = None,
) -> None:
    """Append one entry per id to the change log, inside ``tx``. ``fields`` names what
    changed, when the writer knows: properties and links by their input names, and
    ``+TYPE`` / ``-TYPE`` for a relationship linked or unlinked (none for bulk loads);
    ``diff`` their values before and after (:func:`kb.graph.history.encode_diffs`)."""
    if ids:
        tx.run(_RECORD, ids=ids, label=label, op=op, author=author, fields=fields, diff=diff)
        if _may_change_counts(label, op, fields):  # recounted after all of the tx's writes
            tx.before_commit.setdefault(f"counts:{label}", lambda t: recount(t, label))


def _may_change_counts(label: str, op: str, fields: list[str] | None) -> bool:
    """Whether a change can change ``label``'s property counts
    (:mod:`kb.graph.property_counts`): a create, a delete, a bulk write (no ``fields``)
    or an update of a tracked property can; an update that names only other fields
    (text, links) cannot remove a tracked property. (It may stamp ``updatedAt`` on a
    node that lacked it: a count left low only makes a reader look for nodes without
    it, and find none.)"""
    props = tracked().get(label, ())
    if not props:
        return False
    return op != "UPSERT" or fields is None or any(f in props for f in fields)


def changes_since(graph: Graph, seq: int, limit: int = 500) -> list[Change]:
    """Entries after ``seq``, oldest first, at most ``limit``."""
    rows = graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq RETURN c.seq AS seq, c.label AS label, "
        "c.id AS id, c.op AS op ORDER BY c.seq LIMIT $limit",
        seq=seq,
        limit=limit,
    )
    return [Change(**row) for row in rows]


def change_log_epoch(graph: Graph) -> str | None:
    """A random id given to the change log when it starts. A different epoch means the
    graph was replaced (emptied, restored, another server): sequences start over."""
    rows = graph.read("OPTIONAL MATCH (s:Sequence {name: 'changes'}) RETURN s.epoch AS epoch")
    return rows[0]["epoch"] if rows else None


def last_sequence(graph: Graph) -> int:
    """The sequence number of the newest change entry (0 when there is none)."""
    rows = graph.read("OPTIONAL MATCH (s:Sequence {name: 'changes'}) RETURN s.value AS value")
    return int(rows[0]["value"] or 0) if rows else 0


#: The records the change stream carries (the knowledge and its reference data).
STREAM_LABELS = ("Lesson", "Practice", "Contract", "Curriculum", "State", "Alliance", "Category")

# The entries after ``$after`` of the given labels, each with the op the record's history
# gives it (CREATE: its first entry, or the first after a DELETE) and the states and
# categories the record is linked to (for the stream's filters): for a delete, those it
# was linked to when deleted (``links``, kept by kb/graph/tombstones.py; null if none kept).
_STREAM = (
    "MATCH (c:Change) WHERE c.seq > $after AND c.label IN $labels "
    "WITH c ORDER BY c.seq LIMIT $limit "
    "CALL { WITH c "
    "  OPTIONAL MATCH (p:Change {label: c.label, id: c.id}) WHERE p.seq < c.seq "
    "  WITH p ORDER BY p.seq DESC LIMIT 1 RETURN p.op AS before } "
    "CALL { WITH c "
    "  OPTIONAL MATCH (n0:Lesson {id: c.id}) WHERE c.label = 'Lesson' "
    "  OPTIONAL MATCH (n1:Practice {id: c.id}) WHERE c.label = 'Practice' "
    "  OPTIONAL MATCH (n2:Contract {id: c.id}) WHERE c.label = 'Contract' "
    "  OPTIONAL MATCH (n3:Curriculum {id: c.id}) WHERE c.label = 'Curriculum' "
    "  OPTIONAL MATCH (n4:State {id: c.id}) WHERE c.label = 'State' "
    "  OPTIONAL MATCH (n5:Alliance {id: c.id}) WHERE c.label = 'Alliance' "
    "  OPTIONAL MATCH (n6:Category {id: c.id}) WHERE c.label = 'Category' "
    "  WITH coalesce(n0, n1, n2, n3, n4, n5, n6) AS n "
    "  OPTIONAL MATCH (n)--(s:State) "
    "  OPTIONAL MATCH (n)--(k:Category) "
    "  RETURN n IS NULL AS gone, "
    "         collect(DISTINCT s.code) AS states, collect(DISTINCT k.code) AS categories } "
    # A record deleted since this entry has no links left to read: it had, until its
    # delete, the links its DELETE entry keeps (the next one after this entry).
    "CALL { WITH c, gone "
    "  OPTIONAL MATCH (d:Change {label: c.label, id: c.id}) "
    "  WHERE gone AND c.op <> 'DELETE' AND d.seq > c.seq AND d.op = 'DELETE' "
    "  WITH d ORDER BY d.seq LIMIT 1 RETURN d.links AS later } "
    "WITH c, before, states, categories, c.op = 'DELETE' OR gone AS kept, "
    "     CASE WHEN c.op = 'DELETE' THEN c.links ELSE later END AS links "
    "RETURN c.seq AS seq, c.label AS label, c.id AS id, "
    "CASE WHEN c.op = 'DELETE' THEN 'DELETE' "
    "     WHEN before IS NULL OR before = 'DELETE' THEN 'CREATE' ELSE 'UPDATE' END AS op, "
    "c.at AS at, c.author AS author, links, kept AS gone, "
    "CASE WHEN kept "
    "     THEN [l IN coalesce(links, []) WHERE l STARTS WITH 'State:' | substring(l, 6)] "
    "     ELSE states END AS states, "
    "CASE WHEN kept "
    "     THEN [l IN coalesce(links, []) WHERE l STARTS WITH 'Category:' | substring(l, 9)] "
    "     ELSE categories END AS categories "
    "ORDER BY seq"
)


def stream_entries(
    graph: Graph, after: int, labels: list[str], limit: int = 100
) -> list[dict[str, object]]:
    """Up to ``limit`` entries after ``after`` of ``labels``, oldest first, with their op
    (CREATE/UPDATE/DELETE) and the states and categories the record is linked to."""
    return graph.read(_STREAM, after=after, labels=labels, limit=limit)


_MISSING: dict[str, LiteralString] = {
    label: "UNWIND $keys AS key OPTIONAL MATCH (n:" + label + " {id: key}) "
    "WITH key, n WHERE n IS NULL RETURN key"
    for label in STREAM_LABELS
}


def missing_keys(graph: Graph, label: str, keys: list[str]) -> list[str]:
    """Those of ``keys`` that are not the key of a ``label`` node, in the order given."""
    return [str(key) for key in graph.read_column(_MISSING[label], keys=keys)]
