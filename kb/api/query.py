# strawberry.field(...) / strawberry.mutation(...) with arguments are typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""The root ``Query``: lookups by global ID and natural key, root lists, paths, stats."""

from __future__ import annotations

from typing import Annotated, TypeVar

import strawberry

from kb.api.ids import decode_id
from kb.api.nodes import Node, label_of, node_as, registered_types, to_node
from kb.api.relationship_fields import Info, list_field
from kb.api.types import Alliance, Category, Contract, Lesson, Practice, State
from kb.graph.paths import MAX_HOPS, shortest_path
from kb.graph.stats import graph_stats

N = TypeVar("N", bound=Node)


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


async def _lookup(info: Info, cls: type[N], key: str) -> N | None:
    """The node of type ``cls`` with natural key ``key``, or None."""
    info.context.require_read()
    record = await info.context.loaders.node(label_of(cls)).load(key)
    return node_as(cls, record) if record is not None else None


async def _lookup_label(info: Info, label: str, key: str) -> Node | None:
    return await _lookup(info, registered_types()[label], key)


@strawberry.type
class Query:
    @strawberry.field(description="Any node by global ID (null when absent).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        label, key = decode_id(str(id), "id")
        return await _lookup_label(info, label, key)

    @strawberry.field(description="A state by USPS code, e.g. UT.")
    async def state(self, info: Info, code: str) -> State | None:
        return await _lookup(info, State, code.upper())

    @strawberry.field(description="An alliance by slug.")
    async def alliance(self, info: Info, slug: str) -> Alliance | None:
        return await _lookup(info, Alliance, slug)

    @strawberry.field(description="A contract by slug.")
    async def contract(self, info: Info, slug: str) -> Contract | None:
        return await _lookup(info, Contract, slug)

    @strawberry.field(description="A category by code.")
    async def category(self, info: Info, code: str) -> Category | None:
        return await _lookup(info, Category, code)

    @strawberry.field(description="A practice by slug.")
    async def practice(self, info: Info, slug: str) -> Practice | None:
        return await _lookup(info, Practice, slug)

    @strawberry.field(description="A lesson by its id, e.g. L-0001.")
    async def lesson(self, info: Info, id: str) -> Lesson | None:
        return await _lookup(info, Lesson, id)

    states = list_field("State", "States, districts and territories.")
    alliances = list_field("Alliance", "Purchasing alliances.")
    contracts = list_field("Contract", "Cooperative contracts.")
    categories = list_field("Category", "Procurement categories.")
    practices = list_field("Practice", "Practice write-ups.")
    lessons = list_field("Lesson", "Lessons learned.")

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
            node = await _lookup_label(info, *start)
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
