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
    label: "MATCH (n:" + label + " {id: $id}) "
    "OPTIONAL MATCH (n)--(x) WHERE any(l IN labels(x) WHERE l IN $linked) "
    "WITH n, collect(DISTINCT [l IN labels(x) WHERE l IN $linked][0] + ':' + x.id) AS links "
    "RETURN coalesce(n.title, n.name, n.id) AS title, links"
    for label in ("Alliance", "Contract", "Category", "Practice", "Lesson")
}

_KEEP: LiteralString = (
    "MATCH (c:Change {label: $label, id: $id}) WHERE c.op = 'DELETE' "
    "WITH c ORDER BY c.seq DESC LIMIT 1 "
    "SET c.title = $title, c.links = $links"
)


@dataclass(frozen=True)
class Tombstone:
    """A record's title and links, as they were just before it was deleted."""

    title: str
    links: list[str]


def snapshot(tx: Tx, label: str, key: str) -> Tombstone | None:
    """The title and links of the ``label`` node ``key`` (None when it is absent)."""
    rows = tx.run(_SNAPSHOT[label], id=key, linked=list(LINKED_LABELS))
    if not rows:
        return None
    return Tombstone(str(rows[0]["title"]), sorted(str(link) for link in rows[0]["links"]))


def keep(tx: Tx, label: str, key: str, tombstone: Tombstone) -> None:
    """Keep ``tombstone`` on the newest DELETE entry of the record (written in ``tx``)."""
    tx.run(_KEEP, label=label, id=key, title=tombstone.title, links=tombstone.links)
