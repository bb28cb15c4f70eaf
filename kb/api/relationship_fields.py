"""Resolving relationship fields of the node types: one DataLoader page per parent."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Protocol

import strawberry

from kb.api.context import Context
from kb.api.nodes import to_node
from kb.api.pagination import page_request
from kb.graph.records import Page, PageRequest

Info = strawberry.Info[Context, None]


class Where(Protocol):
    def to_graph(self) -> dict[str, Any]: ...


async def page_of(
    info: Info,
    relation: str,
    key: str,
    first: int | None,
    after: str | None,
    where: Where | None,
    order: Any,
    as_of: date | None = None,
) -> Page:
    request = page_request(first, after, where.to_graph() if where else None, order, as_of)
    return await info.context.loaders.related(relation, request).load(key)


async def single_of(info: Info, relation: str, key: str) -> Any:
    page = await info.context.loaders.related(relation, PageRequest(limit=1)).load(key)
    return to_node(page.items[0].node) if page.items else None


AsOf = Annotated[
    date | None,
    strawberry.argument(description="The day memberships are current on (default: today)."),
]
