"""Cypher from a neutral plan tree: one statement whose map projection has the response's shape.

The API layer reads a GraphQL selection into a :class:`NodePlan` (which properties under
which keys, which constants such as ``__typename``, which relationships with which
ordering and slice); this module turns that tree into one parameterised statement with
nested pattern comprehensions, so a nested read costs one Bolt statement.

Only what is known exactly is planned: a relationship of the table with a stored type
and edges of a known kind (memberships current on ``as_of``, as :mod:`kb.graph.reads`). Anything else (derived relationships, edge kinds
added to the table later) makes :func:`project` return None, and the caller runs the
field as before.

Example:
    >>> plan = NodePlan(fields=(Prop("code", "code"), Const("__typename", "State")))
    >>> stmt = project("State", plan, order="code", limit=2)
    >>> stmt.text.startswith("MATCH (n0:State)")
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kb.domain.relationships import Direction, Edge, Relationship
from kb.graph.db import Graph


@dataclass(frozen=True, slots=True)
class Prop:
    """``key: node.prop``; ``date`` encodes a date as its ISO string."""

    key: str
    prop: str
    date: bool = False


@dataclass(frozen=True, slots=True)
class Const:
    """``key: value`` (``__typename``), passed as a parameter, never spliced."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Rel:
    """``key: [related nodes]`` along one relationship of the table."""

    key: str
    relationship: Relationship
    plan: NodePlan
    order: str = "id"
    desc: bool = False
    skip: int = 0
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class NodePlan:
    """The fields to project from one node, in response order."""

    fields: tuple[Prop | Const | Rel, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Statement:
    """Cypher text and its parameters."""

    text: str
    params: dict[str, Any]


# Edge kinds whose node lists are known exactly (edge properties are not projected).
_EDGES = frozenset({Edge.PLAIN, Edge.SINCE, Edge.PERIOD})


class _Unplannable(Exception):
    """A part of the plan this module does not know exactly."""


def _ident(name: str) -> str:
    if not name.replace("_", "a").isalnum() or name[0].isdigit():
        raise _Unplannable(f"not a plain identifier: {name!r}")
    return f"`{name}`"


class _Builder:
    def __init__(self, as_of: date | None = None) -> None:
        self.as_of = as_of
        self.params: dict[str, Any] = {}
        self.depth = 0

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def projection(self, var: str, plan: NodePlan) -> str:
        parts = [f"{_ident(item.key)}: {self.item(var, item)}" for item in plan.fields]
        return f"{var} {{{', '.join(parts)}}}"

    def item(self, var: str, item: Prop | Const | Rel) -> str:
        if isinstance(item, Const):
            return self.param(item.value)
        if isinstance(item, Prop):
            read = f"{var}.{_ident(item.prop)}"
            return f"toString({read})" if item.date else read
        return self.related(var, item)

    def related(self, var: str, rel: Rel) -> str:
        r = rel.relationship
        if r.type is None or r.edge not in _EDGES:
            raise _Unplannable(f"{r.name}: derived, or edges of a kind not known here")
        self.depth += 1
        child = f"n{self.depth}"
        left, right = {
            Direction.OUT: ("-", "->"),
            Direction.IN: ("<-", "-"),
            Direction.EITHER: ("-", "-"),
        }[r.direction]
        edge = f"r{self.depth}"
        pattern = f"({var}){left}[{edge}:{_ident(r.type)}]{right}({child}:{_ident(r.target)})"
        if r.edge is Edge.PERIOD:  # current on asOf (today when null), as kb.graph.reads
            day = self.param(self.as_of)
            pattern += (
                f" WHERE ({edge}.since IS NULL OR {edge}.since <= coalesce({day}, date()))"
                f" AND ({edge}.until IS NULL OR {edge}.until > coalesce({day}, date()))"
            )
        inner = self.projection(child, rel.plan)
        order = f"{child}.{_ident(rel.order)}"
        slice_ = f" SKIP {self.param(rel.skip)}" if rel.skip else ""
        if rel.limit is not None:
            slice_ += f" LIMIT {self.param(rel.limit)}"
        direction = " DESC" if rel.desc else ""
        text = (
            f"COLLECT {{ MATCH {pattern} WITH {child} ORDER BY {order}{direction}, {child}.id"
            f"{slice_} RETURN {inner} }}"
        )
        if not r.many:
            text = f"head({text})"
        return text


def project(
    label: str,
    plan: NodePlan,
    *,
    order: str = "id",
    desc: bool = False,
    skip: int = 0,
    limit: int | None = None,
    as_of: date | None = None,
) -> Statement | None:
    """One statement listing ``label`` nodes, each as ``plan``'s map; None if unplannable."""
    builder = _Builder(as_of)
    try:
        node = _ident(label)
        body = builder.projection("n0", plan)
        key = _ident(order)
    except _Unplannable:
        return None
    text = f"MATCH (n0:{node}) WITH n0 ORDER BY n0.{key}{' DESC' if desc else ''}, n0.id"
    if skip:
        text += f" SKIP {builder.param(skip)}"
    if limit is not None:
        text += f" LIMIT {builder.param(limit)}"
    text += f" RETURN {body} AS item"
    return Statement(text, builder.params)


def read_items(graph: Graph, statement: Statement) -> list[Any]:
    """Run a planned statement: the items, already in the response's shape."""
    # The text holds only identifiers checked by _ident, quoted; every value is a parameter.
    return [row["item"] for row in graph.read(statement.text, **statement.params)]
