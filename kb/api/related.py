# strawberry.field(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""``relatedItems`` of practices and lessons: text similarity blended with the graph."""

from __future__ import annotations

from typing import Any

import strawberry

from kb.api.errors import ApiError, BadInputError
from kb.api.nodes import Node, to_node
from kb.api.relationship_fields import Info
from kb.search import RelatedItem
from kb.search.runtime import SearchRuntime

LABELS = {"practice": "Practice", "lesson": "Lesson", "contract": "Contract"}


class SearchUnavailableError(ApiError):
    """This process has no search index (it was started without one)."""


def runtime(info: Info) -> SearchRuntime:
    """The search runtime of this process, or an error saying there is none."""
    search = info.context.search
    if search is None:
        raise SearchUnavailableError("search is not available in this process")
    return search


@strawberry.type(description="An item related to another, with the parts of its score.")
class RelatedItemResult:
    kind: str
    key: str
    title: str
    score: float = strawberry.field(description="Blend of text and graph, 0..1.")
    text_score: float
    graph_score: float

    @strawberry.field
    async def node(self, info: Info) -> Node | None:
        record = await info.context.loaders.node(LABELS[self.kind]).load(self.key)
        return to_node(record) if record is not None else None


async def related_items(info: Info, kind: str, key: str, first: int) -> list[RelatedItemResult]:
    """The items related to the practice or lesson ``key`` (``kind``), best first."""
    info.context.require_read()
    if not 1 <= first <= 50:
        raise BadInputError(f"first={first} is out of range; expected 1..50", "first")
    # On the expensive threads: one call per parent, tens of milliseconds each.
    items: list[RelatedItem] = await info.context.run_expensive(
        runtime(info).service.related, kind, key, first
    )
    return [
        RelatedItemResult(
            kind=i.kind,
            key=i.id,
            title=i.title,
            score=i.score,
            text_score=i.text_score,
            graph_score=i.graph_score,
        )
        for i in items
    ]


def related_items_field(kind: str) -> Any:
    """The ``relatedItems`` field of the practice or lesson type (``kind``)."""

    async def resolve(root: Any, info: Info, first: int = 10) -> list[RelatedItemResult]:
        return await related_items(info, kind, root.key, first)

    return strawberry.field(
        resolver=resolve,
        description="Practices and lessons like this one: text similarity blended with "
        "graph neighbours (shared categories, contracts, states).",
    )
