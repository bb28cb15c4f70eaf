"""The field factory: the GraphQL fields of the relationship table and the root lists.

:func:`relationship_field` makes the field of one :class:`~kb.domain.relationships.
Relationship`: a connection with ``first``/``after``/``where``/``orderBy`` over the
target's filter and order types (plus ``asOf`` when its edges are dated), or the one
node a single-node relationship names. Each reads through a DataLoader (one Cypher
statement per field for all parents of the request). :func:`list_field` makes a root
list of one label with the same arguments.

Strawberry reads a resolver's arguments and return type from its signature; the
factory writes that signature from the table (``__signature__``, which ``inspect``
honours), and names the target type lazily (``strawberry.lazy``), since a type's
fields are made before the types they lead to are defined. The names of the table
are tied to the types by :func:`check_fields`, which :mod:`kb.api.types` runs at
import.

Example:
    >>> @strawberry.type
    ... class State(Node):
    ...     alliances = relationship_field(STATE_ALLIANCES)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from typing import Annotated, Any, Protocol

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from kb.api.context import Context
from kb.api.enums import (
    AllianceOrder,
    CategoryOrder,
    ContractOrder,
    LessonOrder,
    PracticeOrder,
    StateOrder,
)
from kb.api.filters import (
    AllianceWhere,
    CategoryWhere,
    ContractWhere,
    LessonWhere,
    PracticeWhere,
    StateWhere,
)
from kb.api.nodes import Node, camel_case, item_node, to_node
from kb.api.pagination import (
    Connection,
    MembershipConnection,
    ParticipationConnection,
    connection,
    membership_connection,
    page_request,
    participation_connection,
)
from kb.domain.relationships import RELATIONSHIPS, Edge, Label, Relationship
from kb.graph.reads import list_nodes
from kb.graph.records import Item, Page, PageRequest

Info = strawberry.Info[Context, None]

#: The module that defines the node types (named lazily: see the module docstring).
TYPES_MODULE = "kb.api.types"


class Where(Protocol):
    def to_graph(self) -> dict[str, Any]: ...


#: The ``where:`` input and the ``orderBy:`` enum of each label's lists.
LIST_ARGUMENTS: dict[Label, tuple[type[Where], type[Enum]]] = {
    "State": (StateWhere, StateOrder),
    "Alliance": (AllianceWhere, AllianceOrder),
    "Contract": (ContractWhere, ContractOrder),
    "Category": (CategoryWhere, CategoryOrder),
    "Practice": (PracticeWhere, PracticeOrder),
    "Lesson": (LessonWhere, LessonOrder),
}

AsOf = Annotated[
    date | None,
    strawberry.argument(description="The day memberships are current on (default: today)."),
]

_METADATA_KEY = "relationship"

Convert = Callable[[Page, Callable[[Item], Any]], Any]
Resolver = Callable[..., Any]

#: Per kind of edge: the connection type a field returns and how a page becomes one.
_CONNECTIONS: dict[Edge, tuple[Any, Convert]] = {
    Edge.PLAIN: (Connection, connection),
    Edge.SINCE: (ParticipationConnection, participation_connection),
    Edge.PERIOD: (MembershipConnection, membership_connection),
}


def _node_type(label: Label) -> Any:
    return Annotated[label, strawberry.lazy(TYPES_MODULE)]


def _of(generic: Any, label: Label) -> Any:
    """``generic[Target]`` for the type of ``label`` (``Connection[State]``)."""
    return generic[_node_type(label)]


_ARG = inspect.Parameter.POSITIONAL_OR_KEYWORD


def _signed(resolve: Resolver, parameters: list[inspect.Parameter], returns: Any) -> Resolver:
    """``resolve`` showing Strawberry ``parameters`` and ``returns`` as its signature
    (``inspect.signature``, which Strawberry reads, honours ``__signature__``)."""
    resolve.__dict__["__signature__"] = inspect.Signature(parameters, return_annotation=returns)
    return resolve


def _list_parameters(label: Label, root: bool, as_of: bool = False) -> list[inspect.Parameter]:
    """(root,) info, first, after, where, orderBy (, asOf) for a list of ``label``."""
    where, order = LIST_ARGUMENTS[label]
    listed: list[tuple[str, Any]] = [
        ("first", int | None),
        ("after", str | None),
        ("where", where | None),
        ("order_by", order | None),
    ]
    if as_of:
        listed.append(("as_of", AsOf))
    return (
        [inspect.Parameter("root", _ARG)] * root
        + [inspect.Parameter("info", _ARG, annotation=Info)]
        + [inspect.Parameter(name, _ARG, default=None, annotation=t) for name, t in listed]
    )


def _request(
    first: int | None,
    after: str | None,
    where: Where | None,
    order_by: Enum | None,
    as_of: date | None = None,
) -> PageRequest:
    return page_request(first, after, where.to_graph() if where else None, order_by, as_of)


def relationship_field(rel: Relationship) -> Any:
    """The GraphQL field of ``rel`` on the type of ``rel.parent``: a connection over the
    target's ``where``/``orderBy`` types, or (``many=False``) the node or null."""
    if not rel.many:
        return _single_field(rel)
    returns, convert = _CONNECTIONS[rel.edge]

    async def resolve(
        root: Node,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        where: Where | None = None,
        order_by: Enum | None = None,
        as_of: date | None = None,  # shown only for dated edges (see _list_parameters)
    ) -> Any:
        request = _request(first, after, where, order_by, as_of)
        page = await info.context.loaders.related(rel, request).load(root.key)
        return convert(page, item_node)

    dated = rel.edge is Edge.PERIOD
    parameters = _list_parameters(rel.target, root=True, as_of=dated)
    return _field(rel, _signed(resolve, parameters, _of(returns, rel.target)))


def _single_field(rel: Relationship) -> Any:
    async def resolve(root: Node, info: Info) -> Any:
        page = await info.context.loaders.related(rel, PageRequest(limit=1)).load(root.key)
        return to_node(page.items[0].node) if page.items else None

    parameters = [inspect.Parameter("root", _ARG), inspect.Parameter("info", _ARG, annotation=Info)]
    return _field(rel, _signed(resolve, parameters, _node_type(rel.target) | None))


def _field(rel: Relationship, resolve: Resolver) -> Any:
    return strawberry.field(
        resolver=resolve,
        name=rel.field,
        description=rel.description,
        metadata={_METADATA_KEY: rel},
    )


def list_field(label: Label, description: str) -> Any:
    """A root list of the nodes of ``label``, with the same arguments as a connection."""

    async def resolve(
        info: Info,
        first: int | None = None,
        after: str | None = None,
        where: Where | None = None,
        order_by: Enum | None = None,
    ) -> Any:
        info.context.require_read()
        request = _request(first, after, where, order_by)
        page = await info.context.run(list_nodes, info.context.graph, label, request)
        return connection(page, item_node)

    signed = _signed(resolve, _list_parameters(label, root=False), _of(Connection, label))
    return strawberry.field(resolver=signed, description=description)


def relationship_of(field: StrawberryField) -> Relationship | None:
    """The relationship ``field`` was made for (None for any other field)."""
    rel = field.metadata.get(_METADATA_KEY) if field.metadata else None
    return rel if isinstance(rel, Relationship) else None


def check_fields(types: dict[str, type], table: Iterable[Relationship] = RELATIONSHIPS) -> None:
    """Fail unless each relationship of ``table`` is a field of the type of its parent
    (in ``types``, by label), made for it and named as the table names it.

    Raises:
        AssertionError: naming each relationship missing, doubled or misnamed.
    """
    wanted = {rel.name: rel for rel in table}
    problems: list[str] = []
    found: dict[str, list[str]] = {}
    for label, cls in types.items():
        for field in get_object_definition(cls, strict=True).fields:
            rel = relationship_of(field)
            if rel is None:
                continue
            where = f"{cls.__name__}.{field.python_name}"
            found.setdefault(rel.name, []).append(where)
            if rel.parent != label:
                problems.append(f"{where} is made for {rel}, a field of {rel.parent}")
            if camel_case(field.python_name) != rel.field:
                problems.append(f"{where} is made for {rel}; name it {_snake(rel.field)}")
            if rel.name not in wanted:
                problems.append(f"{where} is made for {rel}, which is not in the table")
    for name in wanted:
        places = found.get(name, [])
        if not places:
            problems.append(f"{name} has no field on its type (add relationship_field)")
        elif len(places) > 1:
            problems.append(f"{name} is a field twice: {', '.join(places)}")
    if problems:
        raise AssertionError("relationship fields differ from the table: " + "; ".join(problems))


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
