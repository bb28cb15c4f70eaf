"""Saved searches of signed-in users, and when each user last visited.

A saved search is a ``:SavedSearch`` node (the query, the facet filters as JSON, a name)
linked from the ``:ApiToken`` a web session signs in with: ``(t)-[:SAVED]->(s)``. Its id
is derived from the token and the search, so saving the same search twice keeps one
node. A ``:Visitor`` node per token remembers the visits: a visit is a run of page
views with gaps under :data:`VISIT_GAP`; "new since your last visit" counts what was
created after the previous visit ended, the same figure all through the current visit.

Example:
    >>> saved = save_search(graph, token.id, "piggyback", {"state": ("UT",)}, "piggyback · UT")
    >>> [s.name for s in saved_searches(graph, token.id)]
    ['piggyback · UT']
    >>> start_visit(graph, token.id) is None  # the first visit: nothing came before it
    True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

from kb.graph.db import Graph, Tx
from kb.graph.history import native_datetime

#: Saved searches one token may keep.
MAX_SAVED = 20
#: A page view this long after the one before starts a new visit.
VISIT_GAP = timedelta(minutes=30)


class SavedSearchLimitError(ValueError):
    """A token already keeps :data:`MAX_SAVED` saved searches."""


@dataclass(frozen=True)
class SavedSearch:
    """One saved search: its query and facet filters (``{"state": ("UT",)}``)."""

    id: str
    query: str
    filters: dict[str, tuple[str, ...]]
    name: str
    created_at: datetime


_FIELDS: LiteralString = (
    "s.id AS id, s.query AS query, s.filters AS filters, s.name AS name, s.createdAt AS createdAt"
)


def _of(row: Mapping[str, Any]) -> SavedSearch:
    filters = {str(k): tuple(map(str, v)) for k, v in json.loads(row["filters"]).items()}
    return SavedSearch(
        id=str(row["id"]),
        query=str(row["query"]),
        filters=filters,
        name=str(row["name"]),
        created_at=native_datetime(row["createdAt"]),
    )


def search_id(token_id: str, query: str, filters: Mapping[str, Sequence[str]]) -> str:
    """The id of a token's saved search: the same search saved twice has one id."""
    canonical = json.dumps(
        [token_id, query, {k: sorted(v) for k, v in sorted(filters.items()) if v}],
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def save_search(
    graph: Graph, token_id: str, query: str, filters: Mapping[str, Sequence[str]], name: str
) -> SavedSearch:
    """Save a search for the token ``token_id`` (or return it, when it is saved already).

    Raises:
        SavedSearchLimitError: the token keeps :data:`MAX_SAVED` searches already.
        ValueError: there is no token ``token_id``.
    """
    identifier = search_id(token_id, query, filters)
    stored = json.dumps({k: sorted(v) for k, v in sorted(filters.items()) if v})

    def work(tx: Tx) -> SavedSearch:
        rows = tx.run(
            "MATCH (t:ApiToken {id: $token}) "
            "OPTIONAL MATCH (t)-[:SAVED]->(s:SavedSearch) "
            "RETURN count(DISTINCT t) AS tokens, count(s) AS kept, "
            "sum(CASE WHEN s.id = $id THEN 1 ELSE 0 END) AS same",
            token=token_id,
            id=identifier,
        )
        if not rows or rows[0]["tokens"] == 0:
            raise ValueError(f"there is no token {token_id!r}")
        if rows[0]["same"] == 0 and rows[0]["kept"] >= MAX_SAVED:
            raise SavedSearchLimitError(
                f"{rows[0]['kept']} searches are saved already; at most {MAX_SAVED} are "
                "kept: delete one first"
            )
        saved = tx.run(
            "MATCH (t:ApiToken {id: $token}) "
            "MERGE (s:SavedSearch {id: $id}) "
            "ON CREATE SET s.query = $text, s.filters = $filters, s.name = $name, "
            "  s.tokenId = $token, s.createdAt = datetime() "
            "MERGE (t)-[:SAVED]->(s) RETURN " + _FIELDS,
            token=token_id,
            id=identifier,
            text=query,
            filters=stored,
            name=name,
        )
        return _of(saved[0])

    return graph.execute_write(work)


def saved_searches(graph: Graph, token_id: str) -> list[SavedSearch]:
    """The token's saved searches, oldest first."""
    rows = graph.read(
        "MATCH (:ApiToken {id: $token})-[:SAVED]->(s:SavedSearch) "
        "RETURN " + _FIELDS + " ORDER BY s.createdAt, s.id LIMIT $limit",
        token=token_id,
        limit=MAX_SAVED,
    )
    return [_of(row) for row in rows]


def delete_saved_search(graph: Graph, token_id: str, search: str) -> bool:
    """Delete the token's saved search ``search``; False when it has none of that id."""
    rows = graph.write(
        "MATCH (:ApiToken {id: $token})-[:SAVED]->(s:SavedSearch {id: $id}) "
        "DETACH DELETE s RETURN count(*) AS deleted",
        token=token_id,
        id=search,
    )
    return bool(rows and rows[0]["deleted"])


def start_visit(graph: Graph, token_id: str, now: datetime | None = None) -> datetime | None:
    """Record a page view by ``token_id`` at ``now`` and return when its previous visit
    ended (None on the first visit). A view within :data:`VISIT_GAP` of the last one
    belongs to the same visit and gets the same answer."""
    at = now or datetime.now(UTC)

    def work(tx: Tx) -> datetime | None:
        rows = tx.run(
            "MERGE (v:Visitor {tokenId: $token}) "
            "RETURN v.lastSeenAt AS lastSeen, v.previousVisitEnded AS previous",
            token=token_id,
        )
        last = rows[0]["lastSeen"]
        previous = rows[0]["previous"]
        if last is not None and at - native_datetime(last) > VISIT_GAP:
            previous = last  # a new visit: the one before ended at its last view
        tx.run(
            "MATCH (v:Visitor {tokenId: $token}) "
            "SET v.lastSeenAt = $at, v.previousVisitEnded = $previous",
            token=token_id,
            at=at,
            previous=previous,
        )
        return None if previous is None else native_datetime(previous)

    return graph.execute_write(work)


def created_after(
    graph: Graph, records: Sequence[tuple[str, str]], since: datetime
) -> list[tuple[str, str]]:
    """Of the ``(label, key)`` lessons and practices given, those created after
    ``since``, in the order given."""
    rows = graph.read(
        "UNWIND range(0, size($records) - 1) AS i "
        "WITH i, $records[i] AS r "
        "OPTIONAL MATCH (l:Lesson {id: r.key}) WHERE r.label = 'Lesson' "
        "OPTIONAL MATCH (p:Practice {id: r.key}) WHERE r.label = 'Practice' "
        "WITH i, r, coalesce(l, p) AS n WHERE n IS NOT NULL AND n.createdAt > $since "
        "RETURN r.label AS label, r.key AS key ORDER BY i",
        records=[{"label": label, "key": key} for label, key in records],
        since=since,
    )
    return [(str(row["label"]), str(row["key"])) for row in rows]
