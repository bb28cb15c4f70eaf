"""Relay connections: ``first``/``after``, ``pageInfo``, ``totalCount``, edges and nodes.

Cursors are opaque (base64 of the offset). A page holds 20 items unless ``first`` says
otherwise, and never more than :data:`MAX_PAGE`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry

from kb.api.enums import AddendumScope
from kb.api.errors import BadInputError
from kb.graph.records import Item, Page, PageRequest

DEFAULT_PAGE = 20
MAX_PAGE = 100

T = TypeVar("T")


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T] = strawberry.field(description="The nodes of the edges, for short queries.")
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many items the whole list has.")


@strawberry.type(description="A membership: the node at the other end, since and until when.")
class MembershipEdge(Generic[T]):
    node: T
    cursor: str
    since: date | None
    until: date | None


@strawberry.type
class MembershipConnection(Generic[T]):
    edges: list[MembershipEdge[T]]
    nodes: list[T]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="A participating addendum: the node at the other end and since when.")
class ParticipationEdge(Generic[T]):
    node: T
    cursor: str
    since: date | None
    signed: date | None = strawberry.field(description="The day the addendum was signed.")
    scope: AddendumScope | None = strawberry.field(description="Whom the addendum opens it to.")
    source: str | None = strawberry.field(description="Where the addendum can be read.")


@strawberry.type
class ParticipationConnection(Generic[T]):
    edges: list[ParticipationEdge[T]]
    nodes: list[T]
    page_info: PageInfo
    total_count: int


def _scope(value: str | None) -> AddendumScope | None:
    return AddendumScope(value) if value else None


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode("ascii")


def decode_cursor(cursor: str) -> int:
    """The offset a cursor stands for; BAD_USER_INPUT for anything we did not issue."""
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
        prefix, _, number = text.partition(":")
        offset = int(number)
        if prefix != "offset" or offset < 0:
            raise ValueError
    except (binascii.Error, UnicodeError, ValueError):
        raise BadInputError(f"after: {cursor!r} is not a cursor from this API", "after") from None
    return offset


def page_request(
    first: int | None,
    after: str | None,
    where: dict[str, Any] | None = None,
    order: Enum | None = None,
    as_of: date | None = None,
) -> PageRequest:
    """Check the paging arguments and turn them into a :class:`PageRequest`."""
    limit = DEFAULT_PAGE if first is None else first
    if not 0 <= limit <= MAX_PAGE:
        raise BadInputError(f"first: {limit} is out of range; expected 0..{MAX_PAGE}", "first")
    offset = decode_cursor(after) + 1 if after is not None else 0
    prop = str(order.value) if order is not None else "id"
    return PageRequest(
        offset=offset,
        limit=limit,
        order=prop.lstrip("-"),
        descending=prop.startswith("-"),
        where={k: v for k, v in (where or {}).items() if v is not None},
        as_of=as_of,
    )


def _page_info(page: Page) -> PageInfo:
    count = len(page.items)
    return PageInfo(
        has_next_page=page.offset + count < page.total,
        has_previous_page=page.offset > 0,
        start_cursor=encode_cursor(page.offset) if count else None,
        end_cursor=encode_cursor(page.offset + count - 1) if count else None,
    )


def connection(page: Page, convert: Callable[[Item], Any]) -> Connection[Any]:
    """A plain connection over ``page``; ``convert`` makes the GraphQL node of an item."""
    nodes = [convert(item) for item in page.items]
    edges = [Edge(node=n, cursor=encode_cursor(page.offset + i)) for i, n in enumerate(nodes)]
    return Connection(edges=edges, nodes=nodes, page_info=_page_info(page), total_count=page.total)


def membership_connection(page: Page, convert: Callable[[Item], Any]) -> MembershipConnection[Any]:
    nodes = [convert(item) for item in page.items]
    edges = [
        MembershipEdge(
            node=n,
            cursor=encode_cursor(page.offset + i),
            since=(item.edge or {}).get("since"),
            until=(item.edge or {}).get("until"),
        )
        for i, (n, item) in enumerate(zip(nodes, page.items, strict=True))
    ]
    return MembershipConnection(
        edges=edges, nodes=nodes, page_info=_page_info(page), total_count=page.total
    )


def participation_connection(
    page: Page, convert: Callable[[Item], Any]
) -> ParticipationConnection[Any]:
    nodes = [convert(item) for item in page.items]
    edges = [
        ParticipationEdge(
            node=n,
            cursor=encode_cursor(page.offset + i),
            since=(item.edge or {}).get("since"),
            signed=(item.edge or {}).get("signed"),
            scope=_scope((item.edge or {}).get("scope")),
            source=(item.edge or {}).get("addendumSource") or (item.edge or {}).get("source"),
        )
        for i, (n, item) in enumerate(zip(nodes, page.items, strict=True))
    ]
    return ParticipationConnection(
        edges=edges, nodes=nodes, page_info=_page_info(page), total_count=page.total
    )
