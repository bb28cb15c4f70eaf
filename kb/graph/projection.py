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
from kb.graph.filters import FILTERS, given, list_match
from kb.graph.ordered import GROWING, bounded_related, ordered_nodes
from kb.graph.property_counts import known_missing
from kb.graph.reads import derived_match
from kb.graph.records import PageRequest


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


# --- Rows: whole GraphQL reads, one statement per root field --------------------------
#
# Neo4j returns maps with their keys in an order of its own, while a GraphQL response
# keeps the order of the selection. The planner (kb.api.planner) therefore asks for
# rows: each object is a Cypher list of values in a fixed order, which it turns into
# the response's dictionaries in one generated pass. The plan below says which value
# sits at which position; constants (``__typename``, cursors) are not sent to Neo4j.


@dataclass(frozen=True, slots=True)
class Column:
    """One property of the node: ``plain`` as stored, ``date`` as its ISO string,
    ``flag`` false when absent, ``tags`` an empty list when absent, ``names`` mapped
    through ``names`` (an enum whose GraphQL names differ from the stored values)."""

    prop: str
    kind: str = "plain"
    names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class EdgeColumn:
    """A property of the edge that led to the node (``since``, ``until``: dates)."""

    prop: str


@dataclass(frozen=True, slots=True)
class Row:
    """The values to read from one node, in order."""

    columns: tuple[Column | One | Page, ...]


@dataclass(frozen=True, slots=True)
class One:
    """The one node a single-node relationship names (first by key), or null."""

    relationship: Relationship
    row: Row


@dataclass(frozen=True, slots=True)
class Page:
    """A page of the nodes along ``relationship`` (None: the root list of a label), as
    ``[total, items]`` when ``counted``, else ``items`` alone; each item holds one value
    per part (a row of the node or an edge property), ``[part, ...]``, or is the value
    of its only part when there is one (:func:`single`)."""

    relationship: Relationship | None
    request: PageRequest
    parts: tuple[Row | EdgeColumn, ...]
    counted: bool


def _order(var: str, params: dict[str, Any]) -> str:
    """The order of a list, as :mod:`kb.graph.reads` sorts it (nulls last ascending,
    first descending, ties by key); the property is one of the label's whitelist."""
    if params["order"] == "id":
        return f"ORDER BY {var}.id{' DESC' if params['desc'] else ''}"
    return f"ORDER BY {var}.{_ident(params['order'])}{' DESC' if params['desc'] else ''}, {var}.id"


def _where(builder: _RowBuilder, label: str, params: dict[str, Any]) -> str:
    """The ``WHERE`` of a list's filters, or none when nothing filters (a smaller
    statement is planned faster by Neo4j)."""
    if not params["w"]:
        return ""
    return " WHERE " + FILTERS[label].replace("$w.", f"{builder.param(params['w'])}.")


def _degree(var: str, rel: Relationship) -> str | None:
    """``var``'s number of ``rel`` edges (any target), which Neo4j reads from the node's
    degree without expanding; None for a derived or undirected relationship."""
    if rel.type is None or rel.edge not in _EDGES or rel.direction is Direction.EITHER:
        return None
    left, right = ("-", "->") if rel.direction is Direction.OUT else ("<-", "-")
    return f"COUNT {{ ({var}){left}[:{_ident(rel.type)}]{right}() }}"


def _current(edge: str, day: str) -> str:
    return (
        f"({edge}.since IS NULL OR {edge}.since <= coalesce({day}, date()))"
        f" AND ({edge}.until IS NULL OR {edge}.until > coalesce({day}, date()))"
    )


class _RowBuilder:
    """Cypher list expressions for :class:`Row` plans; values become parameters."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.depth = 0

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def row(self, var: str, row: Row) -> str:
        return "[" + ", ".join(self.column(var, c) for c in row.columns) + "]"

    def column(self, var: str, column: Column | One | Page) -> str:
        if isinstance(column, One):
            return self.one(var, column)
        if isinstance(column, Page):
            return self.page(var, column)
        read = f"{var}.{_ident(column.prop)}"
        if column.kind == "date":
            return f"toString({read})"
        if column.kind == "flag":
            return f"coalesce({read}, false)"
        if column.kind == "tags":
            return f"coalesce({read}, [])"
        if column.kind == "names":
            return f"{self.param(dict(column.names))}[{read}]"
        return read

    def match(self, var: str, rel: Relationship, day: str) -> tuple[str, str]:
        """``MATCH ... (n)`` from ``var`` along ``rel``, binding ``n`` and ``r``
        (as :func:`kb.graph.reads.relationship_pattern`), and the ``WITH`` after it."""
        if rel.type is None and rel.many:
            # A derived list (eligibleContracts): the Cypher kb.graph.reads runs for it.
            derived = derived_match(rel, var)
            if derived is None:
                raise _Unplannable(f"{rel.name}: a derived relationship without Cypher")
            text, _, rest = derived.rpartition(" WITH ")
            return text, "WITH " + rest
        if rel.type is None or rel.edge not in _EDGES:
            raise _Unplannable(f"{rel.name}: derived, or edges of a kind not known here")
        kind, target = _ident(rel.type), _ident(rel.target)
        if rel.direction is Direction.EITHER:
            return f"MATCH ({var})-[:{kind}]-(n:{target})", "WITH DISTINCT n, null AS r"
        left, right = ("-", "->") if rel.direction is Direction.OUT else ("<-", "-")
        text = f"MATCH ({var}){left}[r:{kind}]{right}(n:{target})"
        if rel.edge is Edge.PERIOD:
            text += " WHERE " + _current("r", day)
        return text, "WITH n, r"

    def one(self, var: str, one: One) -> str:
        self.depth += 1
        child = f"c{self.depth}"
        pattern, with_ = self.match(var, one.relationship, "null")
        inner = self.row(child, one.row)
        return (
            f"head(COLLECT {{ {pattern} {with_} ORDER BY n.id LIMIT 1"
            f" WITH n AS {child} RETURN {inner} }})"
        )

    def page(self, var: str, page: Page) -> str:
        """The expression of a nested page (``var`` its parent): ``[total, items]`` when
        it is counted, else the list of items alone."""
        self.depth += 1
        d = self.depth
        if page.relationship is None:
            raise _Unplannable("a nested page follows a relationship from a node")
        label = page.relationship.target
        params = page.request.params(label)
        day = self.param(params["asOf"]) if params["asOf"] is not None else "null"
        pattern, with_ = self.match(var, page.relationship, day)
        select = f"{pattern} {with_}{_where(self, label, params)} WITH n, r {_order('n', params)}"
        item = self.item(d, page.parts)
        if page.counted:
            skip, limit = self.param(params["skip"]), self.param(params["limit"])
            return (
                f"head([xs{d} IN [COLLECT {{ {select} RETURN [n, r] }}] | [size(xs{d}),"
                f" [x{d} IN xs{d}[{skip}..{skip} + {limit}] | {item}]]])"
            )
        skip, limit = self.param(params["skip"]), self.param(params["limit"])
        degree = _degree(var, page.relationship)
        if degree is not None and label in GROWING and params["order"] == "id" and not params["w"]:
            # in id order, unfiltered: bounded by the page, not the parent's degree
            pairs = bounded_related(
                degree, label, f"{pattern} {with_}", _order("n", params), skip, limit
            )
            return f"[x{d} IN {pairs} | {item}]"
        slice_ = f"SKIP {skip} LIMIT {limit}"
        return f"[x{d} IN COLLECT {{ {select} {slice_} RETURN [n, r] }} | {item}]"

    def item(self, d: int, parts: tuple[Row | EdgeColumn, ...]) -> str:
        """One item of a page, from ``x{d}`` (``[node, edge]``): one value per part, or
        the one part's value itself when there is a single part (:func:`single`)."""
        values = []
        for part in parts:
            if isinstance(part, EdgeColumn):
                values.append(f"toString(x{d}[1].{_ident(part.prop)})")
            else:
                values.append(self.row(f"c{d}", part))
        value = values[0] if single(parts) else f"[{', '.join(values)}]"
        return f"head([c{d} IN [x{d}[0]] | {value}])"


def single(parts: tuple[Row | EdgeColumn, ...]) -> bool:
    """Whether a page's items are their one part's value (a row, or an edge's column)
    rather than a list of parts: the driver decodes a list far more slowly than the
    values in it (``bench/api/README.md``), and most pages select ``nodes`` alone."""
    return len(parts) == 1


def root_page(label: str, page: Page) -> Statement | None:
    """One statement for a root list of ``label``: one row, ``v``, as :class:`Page`
    values; None when some part is not plannable."""
    builder = _RowBuilder()
    try:
        node = _ident(label)
        params = page.request.params(label)
        conditions = given(label, params["w"]) if params["w"] else ()
        item = builder.item(0, page.parts)
        skip, limit = builder.param(params["skip"]), builder.param(params["limit"])

        def paged(total: str, items: str) -> str:  # as nested pages: a pair when counted
            return f"[{total}, {items}]" if page.counted else items

        if conditions:
            # As kb.graph.reads lists: only the filters given, the first linked one
            # leading from an index seek on its node's key; every match for the total.
            match = list_match(node, conditions).replace("$w.", f"{builder.param(params['w'])}.")
            select = f"{match} WITH n {_order('n', params)}"
            items = f"[x0 IN xs0[{skip}..{skip} + {limit}] | {item}]"
            text = (
                f"{select} WITH collect([n, null]) AS xs0 RETURN {paged('size(xs0)', items)} AS v"
            )
        else:
            # Nothing filters: the total from the count store, the page in order from
            # the id index (every node has an id), as kb.graph.reads does.
            total = f"COUNT {{ (:{node}) }}"
            _ident(params["order"])  # a plain identifier, or unplannable
            end = f"{skip} + {limit}"
            known = known_missing(label, params["order"])
            head = ordered_nodes(label, params["order"], params["desc"], end, known)
            if head is not None:  # the order from a range index (kb.graph.ordered)
                items = f"[x0 IN xs[{skip}..{end}] | {item}]"
                text = f"{head} RETURN {paged(total, items)} AS v"
                return Statement(text, builder.params)
            items = (
                f"COLLECT {{ MATCH (n:{node}) WHERE n.id IS NOT NULL"
                f" WITH n {_order('n', params)} SKIP {skip} LIMIT {limit}"
                f" WITH [n, null] AS x0 RETURN {item} }}"
            )
            text = f"RETURN {paged(total, items)} AS v"
    except _Unplannable:
        return None
    return Statement(text, builder.params)


def root_node(label: str, key: str, row: Row) -> Statement | None:
    """One statement for the node of ``label`` with key ``key``: a row ``v`` as
    :class:`Row` values, or no row; None when some part is not plannable."""
    builder = _RowBuilder()
    try:
        text = (
            f"MATCH (c0:{_ident(label)} {{id: {builder.param(key)}}})"
            f" RETURN {builder.row('c0', row)} AS v"
        )
    except _Unplannable:
        return None
    return Statement(text, builder.params)
