"""What a deleted record leaves in the change log: its title and what it was linked to.

A delete removes the node and its relationships, so once it is gone nothing says which
state's feed should tell its readers, or which ``changes(where: {states:})`` subscriber
should hear of it. So the delete, in its own transaction, first reads the record's title
and the nodes it is linked to (:func:`snapshot`), then, after the change entry is
written, keeps them on that ``DELETE`` entry (:func:`keep`): ``title`` and ``links``, a
list of ``Label:key`` strings (``State:UT``, ``Category:920``). Feeds
(:mod:`kb.graph.feeds`) and the change stream (:mod:`kb.graph.changes`) read them back.

Example:
    >>> tomb = snapshot(tx, "Lesson", "L-0001")
    >>> tomb.links
    ['Category:920', 'Contract:nvp-cloud-solutions', 'State:UT']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from kb.graph.db import Tx

#: The labels whose pages have a feed, or that the stream filters on.
LINKED_LABELS = ("State", "Alliance", "Category", "Contract", "Practice")

_SNAPSHOT: dict[str, LiteralString] = {
    label: "UNWIND $ids AS key MATCH (n:" + label + " {id: key}) "
    "OPTIONAL MATCH (n)--(x) WHERE any(l IN labels(x) WHERE l IN $linked) "
    "WITH n, collect(DISTINCT [l IN labels(x) WHERE l IN $linked][0] + ':' + x.id) AS links "
    "RETURN n.id AS id, coalesce(n.title, n.name, n.id) AS title, links"
    for label in ("Alliance", "Contract", "Category", "Practice", "Lesson")
}

_KEEP: LiteralString = (
    "UNWIND $tombs AS t "
    "MATCH (c:Change {label: $label, id: t.id}) WHERE c.op = 'DELETE' "
    "WITH t, max(c.seq) AS newest "
    "MATCH (c:Change {seq: newest}) "
    "SET c.title = t.title, c.links = t.links"
)


@dataclass(frozen=True)
class Tombstone:
    """A record's title and links, as they were just before it was deleted."""

    title: str
    links: list[str]


def snapshot(tx: Tx, label: str, key: str) -> Tombstone | None:
    """The title and links of the ``label`` node ``key`` (None when it is absent)."""
    return snapshot_all(tx, label, [key]).get(key)


def snapshot_all(tx: Tx, label: str, keys: list[str]) -> dict[str, Tombstone]:
    """:func:`snapshot` of many nodes in one statement, by key (absent ones left out; an
    empty dict for labels that keep no tombstone, such as memberships)."""
    if label not in _SNAPSHOT or not keys:
        return {}
    rows = tx.run(_SNAPSHOT[label], ids=keys, linked=list(LINKED_LABELS))
    return {
        str(row["id"]): Tombstone(str(row["title"]), sorted(str(x) for x in row["links"]))
        for row in rows
    }


def keep(tx: Tx, label: str, key: str, tombstone: Tombstone) -> None:
    """Keep ``tombstone`` on the newest DELETE entry of the record (written in ``tx``)."""
    keep_all(tx, label, {key: tombstone})


def keep_all(tx: Tx, label: str, tombstones: dict[str, Tombstone]) -> None:
    """:func:`keep` for many records in one statement."""
    if tombstones:
        tombs = [{"id": k, "title": t.title, "links": t.links} for k, t in tombstones.items()]
        tx.run(_KEEP, label=label, tombs=tombs)
