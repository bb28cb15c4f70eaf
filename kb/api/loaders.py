"""DataLoaders: each batches one kind of read for the whole request into one query.

Relationship loaders are keyed by the relationship and the page asked for (filters, order,
page): every parent asking for the same page shape shares one ``UNWIND`` query.
"""

from __future__ import annotations

from collections.abc import Hashable

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from kb.domain.relationships import Relationship
from kb.graph.db import Graph
from kb.graph.reads import nodes_by_keys, related_pages
from kb.graph.records import NodeRecord, Page, PageRequest


class Loaders:
    """The DataLoaders of one request (created on first use)."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._nodes: dict[str, DataLoader[str, NodeRecord | None]] = {}
        self._related: dict[Hashable, DataLoader[str, Page]] = {}

    def node(self, label: str) -> DataLoader[str, NodeRecord | None]:
        """Nodes of ``label`` by natural key (None when absent)."""
        if label not in self._nodes:

            async def load(keys: list[str]) -> list[NodeRecord | None]:
                found = await run_in_threadpool(nodes_by_keys, self._graph, label, keys)
                return [found.get(key) for key in keys]

            self._nodes[label] = DataLoader(load_fn=load)
        return self._nodes[label]

    def related(self, rel: Relationship, request: PageRequest) -> DataLoader[str, Page]:
        """Pages of ``rel`` for parents by key, all with the same ``request``."""
        cache_key = (rel, request.cache_key())
        if cache_key not in self._related:

            async def load(keys: list[str]) -> list[Page]:
                pages = await run_in_threadpool(related_pages, self._graph, rel, keys, request)
                empty = Page(total=0, offset=request.offset)
                return [pages.get(key, empty) for key in keys]

            self._related[cache_key] = DataLoader(load_fn=load)
        return self._related[cache_key]
