"""The records a feed lists, with their times from the change log.

A feed entry is one lesson, practice or contract: ``updated`` is the time of its newest
change-log entry, ``published`` the time of its oldest, ``author`` the author of the
newest. Each read is one statement; the change log is reached through its
``(label, id)`` index, newest entry first, so a feed costs the same whatever the size of
the log.

A deleted record stays in the feeds it was in, as an entry with the same ``id``, marked
``deleted``, titled as it was and ``updated`` at the delete: the title and the links it
had are kept on the DELETE entry of the change log (:mod:`kb.graph.tombstones`). Only
the whole-graph and linked scopes list deletes (a search cannot find what is gone, and a
curriculum refuses to lose an item without an edit of its own, which its feed shows).

Four scopes:

- :func:`newest_entries`: the newest changed records of the whole graph;
- :func:`linked_entries`: the records one relationship away from a node (a state's
  lessons, an alliance's contracts, a category's practices);
- :func:`entries_for`: given records (the hits of a search);
- :func:`curriculum_entries`: a curriculum and the practices and lessons of its modules.

Example:
    >>> [e.key for e in linked_entries(graph, "State", "UT", 3)]
    ['L-0112', 'nvp-cloud-solutions', 'L-0031']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from kb.graph.db import Graph
from kb.graph.history import native_datetime

#: The labels a feed lists, with the property that titles each.
FEED_LABELS = ("Lesson", "Practice", "Contract")

# `n` bound to a record: its label, title, summary and first and last change.
_ENTRY: LiteralString = (
    "WITH DISTINCT n, [x IN labels(n) WHERE x IN $labels][0] AS label "
    "CALL { WITH n, label "
    "  MATCH (c:Change {label: label, id: n.id}) "
    "  WITH c ORDER BY c.seq DESC "
    "  WITH collect(c) AS cs "
    "  RETURN cs[0] AS last, cs[-1] AS first } "
    "WITH n, label, last, first WHERE last IS NOT NULL "
    "RETURN label, n.id AS key, coalesce(n.title, n.name, n.id) AS title, "
    "coalesce(n.summary, n.lesson, n.description, '') AS summary, "
    "last.seq AS seq, last.at AS updated, first.at AS published, last.author AS author, "
    "false AS deleted "
    "ORDER BY seq DESC LIMIT $limit"
)

# `d` bound to DELETE entries: those still the newest entry of their record (it was not
# created again since), as entries of a deleted record.
_DELETED: LiteralString = (
    "CALL { WITH d "
    "  MATCH (c:Change {label: d.label, id: d.id}) "
    "  WITH c ORDER BY c.seq DESC "
    "  WITH collect(c) AS cs "
    "  RETURN cs[0] AS last, cs[-1] AS first } "
    "WITH d, last, first WHERE last.seq = d.seq "
    "RETURN d.label AS label, d.id AS key, coalesce(d.title, d.id) AS title, '' AS summary, "
    "d.seq AS seq, d.at AS updated, first.at AS published, d.author AS author, "
    "true AS deleted "
    "ORDER BY seq DESC LIMIT $limit"
)

_NEWEST_DELETED: LiteralString = (
    "MATCH (d:Change {op: 'DELETE'}) WHERE d.label IN $labels "
    "WITH d ORDER BY d.seq DESC LIMIT $scan "
)

_LINKED_DELETED: LiteralString = (
    "MATCH (d:Change {op: 'DELETE'}) WHERE d.label IN $labels AND $link IN d.links "
    "WITH d ORDER BY d.seq DESC LIMIT $scan "
)


def _with_deleted(live: LiteralString, deleted: LiteralString) -> LiteralString:
    return (
        "CALL { " + live + " UNION ALL " + deleted + " } "
        "RETURN label, key, title, summary, seq, updated, published, author, deleted "
        "ORDER BY seq DESC LIMIT $limit"
    )


_NEWEST: LiteralString = (
    "MATCH (c:Change) WHERE c.seq > 0 AND c.label IN $labels "
    "WITH c ORDER BY c.seq DESC LIMIT $scan "
    "WITH DISTINCT c.label AS label, c.id AS id "
    "OPTIONAL MATCH (l:Lesson {id: id}) WHERE label = 'Lesson' "
    "OPTIONAL MATCH (p:Practice {id: id}) WHERE label = 'Practice' "
    "OPTIONAL MATCH (k:Contract {id: id}) WHERE label = 'Contract' "
    "WITH coalesce(l, p, k) AS n WHERE n IS NOT NULL "
)

_LINKED: dict[str, LiteralString] = {
    label: "MATCH (x:" + label + " {id: $key})--(n) WHERE n:Lesson OR n:Practice OR n:Contract "
    for label in ("State", "Alliance", "Category", "Contract", "Practice")
}

_GIVEN: LiteralString = (
    "UNWIND $records AS r "
    "OPTIONAL MATCH (l:Lesson {id: r.key}) WHERE r.label = 'Lesson' "
    "OPTIONAL MATCH (p:Practice {id: r.key}) WHERE r.label = 'Practice' "
    "OPTIONAL MATCH (k:Contract {id: r.key}) WHERE r.label = 'Contract' "
    "WITH coalesce(l, p, k) AS n WHERE n IS NOT NULL "
)

_CURRICULUM: LiteralString = (
    "MATCH (c:Curriculum {id: $key}) "
    "OPTIONAL MATCH (c)-[:HAS_MODULE]->(:Module)-[:INCLUDES]->(i) WHERE i:Practice OR i:Lesson "
    "WITH c, collect(DISTINCT i) AS items "
    "UNWIND items + [c] AS n "
)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One record in a feed; ``label`` is Lesson, Practice, Contract or Curriculum."""

    label: str
    key: str
    title: str
    summary: str
    seq: int
    updated: datetime
    published: datetime
    author: str | None
    #: The record was deleted (at ``updated``); ``title`` is the one it had.
    deleted: bool = False


def newest_entries(graph: Graph, limit: int) -> list[FeedEntry]:
    """The ``limit`` most recently changed lessons, practices and contracts, deleted
    ones included."""
    # The newest few hundred entries of the log hold the newest ``limit`` records unless
    # one record was written hundreds of times in a row.
    query = _with_deleted(_NEWEST + _ENTRY, _NEWEST_DELETED + _DELETED)
    return _entries(graph, query, limit, scan=max(200, limit * 20))


def linked_entries(graph: Graph, label: str, key: str, limit: int) -> list[FeedEntry]:
    """The records one relationship away from the ``label`` node ``key``, newest first,
    with those deleted while linked to it."""
    query = _with_deleted(_LINKED[label] + _ENTRY, _LINKED_DELETED + _DELETED)
    return _entries(graph, query, limit, key=key, link=f"{label}:{key}", scan=limit)


def entries_for(graph: Graph, records: list[tuple[str, str]], limit: int) -> list[FeedEntry]:
    """The given ``(label, key)`` records that still exist, newest change first."""
    rows = [{"label": label, "key": key} for label, key in records]
    return _entries(graph, _GIVEN + _ENTRY, limit, records=rows)


def curriculum_entries(graph: Graph, key: str, limit: int) -> list[FeedEntry]:
    """A curriculum and the practices and lessons its modules include, newest first."""
    return _entries(
        graph, _CURRICULUM + _ENTRY, limit, key=key, labels=[*FEED_LABELS, "Curriculum"]
    )


def _entries(
    graph: Graph, query: LiteralString, limit: int, labels: list[str] | None = None, **params: Any
) -> list[FeedEntry]:
    rows = graph.read(query, labels=labels or list(FEED_LABELS), limit=limit, **params)
    return [
        FeedEntry(
            label=row["label"],
            key=row["key"],
            title=row["title"],
            summary=row["summary"] or "",
            seq=int(row["seq"]),
            updated=native_datetime(row["updated"]),
            published=native_datetime(row["published"]),
            author=row["author"],
            deleted=bool(row.get("deleted")),
        )
        for row in rows
    ]


_TITLE: dict[str, LiteralString] = {
    label: "MATCH (x:" + label + " {id: $key}) RETURN coalesce(x.title, x.name, x.id) AS title"
    for label in ("State", "Alliance", "Category", "Contract", "Curriculum")
}


def record_title(graph: Graph, label: str, key: str) -> str | None:
    """The title (or name) of the ``label`` node ``key``; None when there is none."""
    rows = graph.read(_TITLE[label], key=key)
    return str(rows[0]["title"]) if rows else None
