# strawberry.field(...) / strawberry.mutation(...) with arguments are typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""The root ``Query``: lookups by global ID and natural key, root lists, paths, stats."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

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
from kb.api.ids import decode_id
from kb.api.nodes import Node, item_node, to_node
from kb.api.pagination import Connection, connection, page_request
from kb.api.relationship_fields import Info
from kb.api.types import Alliance, Category, Contract, Lesson, Practice, State
from kb.graph.paths import MAX_HOPS, shortest_path
from kb.graph.reads import list_nodes
from kb.graph.stats import graph_stats


@strawberry.type(description="One step of a path: from a node, along a relationship, to the next.")
class PathHop:
    source: Node = strawberry.field(name="from")
    target: Node = strawberry.field(name="to")
    relationship: str = strawberry.field(description="The relationship type, e.g. MEMBER_OF.")
    forward: bool = strawberry.field(
        description="True when the relationship points from 'from' to 'to'."
    )
    text: str = strawberry.field(description="The hop in words: 'UT -MEMBER_OF-> naspo'.")


@strawberry.type(description="The shortest connection between two nodes.")
class Path:
    length: int
    nodes: list[Node]
    hops: list[PathHop]


@strawberry.type
class LabelCount:
    label: str
    count: int


@strawberry.type
class Stats:
    nodes: list[LabelCount]
    relationships: list[LabelCount]


async def _lookup(info: Info, label: str, key: str) -> Any:
    info.context.require_read()
    record = await info.context.loaders.node(label).load(key)
    return to_node(record) if record is not None else None


async def _list(
    info: Info, label: str, first: int | None, after: str | None, where: Any, order: Any
) -> Any:
    info.context.require_read()
    request = page_request(first, after, where.to_graph() if where else None, order)
    page = await info.context.run(list_nodes, info.context.graph, label, request)
    return connection(page, item_node)


@strawberry.type
class Query:
    @strawberry.field(description="Any node by global ID (null when absent).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        label, key = decode_id(str(id), "id")
        return await _lookup(info, label, key)  # type: ignore[no-any-return]

    @strawberry.field(description="A state by USPS code, e.g. UT.")
    async def state(self, info: Info, code: str) -> State | None:
        return await _lookup(info, "State", code.upper())  # type: ignore[no-any-return]

    @strawberry.field(description="An alliance by slug.")
    async def alliance(self, info: Info, slug: str) -> Alliance | None:
        return await _lookup(info, "Alliance", slug)  # type: ignore[no-any-return]

    @strawberry.field(description="A contract by slug.")
    async def contract(self, info: Info, slug: str) -> Contract | None:
        return await _lookup(info, "Contract", slug)  # type: ignore[no-any-return]

    @strawberry.field(description="A category by code.")
    async def category(self, info: Info, code: str) -> Category | None:
        return await _lookup(info, "Category", code)  # type: ignore[no-any-return]

    @strawberry.field(description="A practice by slug.")
    async def practice(self, info: Info, slug: str) -> Practice | None:
        return await _lookup(info, "Practice", slug)  # type: ignore[no-any-return]

    @strawberry.field(description="A lesson by its id, e.g. L-0001.")
    async def lesson(self, info: Info, id: str) -> Lesson | None:
        return await _lookup(info, "Lesson", id)  # type: ignore[no-any-return]

    @strawberry.field(description="States, districts and territories.")
    async def states(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: StateWhere | None = None, order_by: StateOrder | None = None,
    ) -> Connection[State]:  # fmt: skip
        return await _list(info, "State", first, after, where, order_by)  # type: ignore[no-any-return]

    @strawberry.field(description="Purchasing alliances.")
    async def alliances(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: AllianceWhere | None = None, order_by: AllianceOrder | None = None,
    ) -> Connection[Alliance]:  # fmt: skip
        return await _list(info, "Alliance", first, after, where, order_by)  # type: ignore[no-any-return]

    @strawberry.field(description="Cooperative contracts.")
    async def contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: ContractWhere | None = None, order_by: ContractOrder | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        return await _list(info, "Contract", first, after, where, order_by)  # type: ignore[no-any-return]

    @strawberry.field(description="Procurement categories.")
    async def categories(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: CategoryWhere | None = None, order_by: CategoryOrder | None = None,
    ) -> Connection[Category]:  # fmt: skip
        return await _list(info, "Category", first, after, where, order_by)  # type: ignore[no-any-return]

    @strawberry.field(description="Practice write-ups.")
    async def practices(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: PracticeWhere | None = None, order_by: PracticeOrder | None = None,
    ) -> Connection[Practice]:  # fmt: skip
        return await _list(info, "Practice", first, after, where, order_by)  # type: ignore[no-any-return]

    @strawberry.field(description="Lessons learned.")
    async def lessons(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: LessonWhere | None = None, order_by: LessonOrder | None = None,
    ) -> Connection[Lesson]:  # fmt: skip
        return await _list(info, "Lesson", first, after, where, order_by)  # type: ignore[no-any-return]

    @strawberry.field(
        name="path",
        description=f"The shortest connection between two nodes (at most {MAX_HOPS} hops); "
        "null when there is none.",
    )
    async def path(
        self, info: Info,
        source: Annotated[strawberry.ID, strawberry.argument(name="from")],
        target: Annotated[strawberry.ID, strawberry.argument(name="to")],
    ) -> Path | None:  # fmt: skip
        info.context.require_read()
        start = decode_id(str(source), "from")
        end = decode_id(str(target), "to")
        hops = await info.context.run_expensive(shortest_path, info.context.graph, start, end)
        if hops is None:
            return None
        if not hops:
            node = await _lookup(info, *start)
            return Path(length=0, nodes=[node], hops=[]) if node is not None else None
        nodes = [to_node(hops[0].source)] + [to_node(hop.target) for hop in hops]
        steps = [
            PathHop(
                source=nodes[i],
                target=nodes[i + 1],
                relationship=hop.type,
                forward=hop.forward,
                text=f"{hop.source.key} -{hop.type}-> {hop.target.key}"
                if hop.forward
                else f"{hop.source.key} <-{hop.type}- {hop.target.key}",
            )
            for i, hop in enumerate(hops)
        ]
        return Path(length=len(hops), nodes=nodes, hops=steps)

    @strawberry.field(description="Node counts per label and relationship counts per type.")
    async def stats(self, info: Info) -> Stats:
        info.context.require_read()
        result = await info.context.run(graph_stats, info.context.graph)
        return Stats(
            nodes=[LabelCount(label=k, count=v) for k, v in result.nodes.items()],
            relationships=[LabelCount(label=k, count=v) for k, v in result.relationships.items()],
        )
