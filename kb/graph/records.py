"""Plain records that cross from ``kb.graph`` to the API: nodes, pages of related nodes.

Neo4j values are turned into Python ones here (``neo4j.time.Date`` into
``datetime.date`` and so on), so that no driver type leaks upward.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import neo4j.time

#: The property that holds each label's natural key (``id`` holds the same value).
KEY_PROPERTY: dict[str, str] = {
    "State": "code",
    "Alliance": "slug",
    "Contract": "slug",
    "Category": "code",
    "Practice": "slug",
    "Lesson": "id",
}

#: Properties a list may be ordered by, per label (the API's orderBy enums map here).
ORDER_PROPERTIES: dict[str, frozenset[str]] = {
    "State": frozenset({"code", "name", "fips", "region", "updatedAt"}),
    "Alliance": frozenset({"slug", "name", "scope", "founded", "updatedAt"}),
    "Contract": frozenset({"slug", "title", "status", "startsOn", "endsOn", "updatedAt"}),
    "Category": frozenset({"code", "name", "updatedAt"}),
    "Practice": frozenset({"slug", "title", "publishedOn", "updatedAt"}),
    "Lesson": frozenset({"id", "title", "status", "recordedOn", "updatedAt"}),
}


#: Bookkeeping properties that are not part of a record.
_INTERNAL = frozenset({"seedHash"})


def native(value: Any) -> Any:
    """A driver value as a plain Python value (dates, datetimes, lists, maps)."""
    if isinstance(value, neo4j.time.Date | neo4j.time.DateTime | neo4j.time.Time):
        return value.to_native()
    if isinstance(value, list):
        return [native(item) for item in value]
    if isinstance(value, dict):
        return {key: native(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class NodeRecord:
    """One node: its label, natural key and properties (Python values)."""

    label: str
    key: str
    props: Mapping[str, Any]

    @classmethod
    def of(cls, label: str, props: Mapping[str, Any]) -> NodeRecord:
        clean = {
            k: native(v) for k, v in props.items() if not k.startswith("_") and k not in _INTERNAL
        }
        return cls(label, str(clean["id"]), clean)


@dataclass(frozen=True)
class Item:
    """A node in a list, with the properties of the relationship that led to it."""

    node: NodeRecord
    edge: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Page:
    """One page of a list: the items from ``offset`` on, and how many there are in all."""

    total: int
    offset: int
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class PageRequest:
    """What page of a list to read, filtered and ordered.

    ``where`` maps the filter names of the label (see :mod:`kb.graph.filters`) to
    values; absent names do not filter. ``order`` is a property of
    :data:`ORDER_PROPERTIES`; ``as_of`` restricts memberships to those current on a day.
    """

    offset: int = 0
    limit: int = 20
    order: str = "id"
    descending: bool = False
    where: Mapping[str, Any] = field(default_factory=dict)
    as_of: date | None = None

    def params(self, label: str) -> dict[str, Any]:
        allowed = ORDER_PROPERTIES[label] | {"id"}
        if self.order not in allowed:
            raise ValueError(
                f"cannot order {label} by {self.order!r}; expected one of {sorted(allowed)}"
            )
        if self.offset < 0 or self.limit < 0:
            raise ValueError(f"offset {self.offset} and limit {self.limit} must not be negative")
        return {
            "skip": self.offset,
            "limit": self.limit,
            "order": self.order,
            "desc": self.descending,
            "w": dict(self.where),
            "asOf": self.as_of,
        }

    def cache_key(self) -> tuple[Any, ...]:
        """A hashable form (for batching requests that ask for the same page shape)."""
        where = tuple(sorted((k, _hashable(v)) for k, v in self.where.items()))
        return (self.offset, self.limit, self.order, self.descending, where, self.as_of)


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    return value


def page_of(label: str, row: Mapping[str, Any], offset: int) -> Page:
    """A :class:`Page` from a row with ``total`` and ``items`` (maps with ``_edge``)."""
    items = [Item(NodeRecord.of(label, item), _edge(item.get("_edge"))) for item in row["items"]]
    return Page(total=int(row["total"]), offset=offset, items=items)


def _edge(props: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if props is None:
        return None
    return {k: native(v) for k, v in props.items() if k not in _INTERNAL}
