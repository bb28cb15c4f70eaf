"""The feeds' reads as a service of the API layer, for the pages' Atom feeds.

The pages never reach the graph themselves (see ``tests/test_layers.py``): the feed
handlers in :mod:`kb.web.feeds` call these, which run the reads of
:mod:`kb.graph.feeds` off the event loop.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from kb.graph import feeds
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.graph.feeds import FeedEntry

__all__ = ["DatabaseUnavailableError", "FeedEntry", "feed_entries", "record_title"]


async def feed_entries(
    graph: Graph,
    limit: int,
    *,
    linked_to: tuple[str, str] | None = None,
    records: list[tuple[str, str]] | None = None,
    curriculum: str | None = None,
) -> list[FeedEntry]:
    """The newest ``limit`` entries of one scope: what is linked to the ``(label, key)``
    node ``linked_to``, the given ``records``, a ``curriculum`` and its items, or (none
    given) the newest changed records of the graph."""
    if linked_to is not None:
        return await run_in_threadpool(feeds.linked_entries, graph, *linked_to, limit)
    if records is not None:
        return await run_in_threadpool(feeds.entries_for, graph, records, limit)
    if curriculum is not None:
        return await run_in_threadpool(feeds.curriculum_entries, graph, curriculum, limit)
    return await run_in_threadpool(feeds.newest_entries, graph, limit)


async def record_title(graph: Graph, label: str, key: str) -> str | None:
    """The title of the ``label`` node ``key`` a feed is about; None when there is none."""
    return await run_in_threadpool(feeds.record_title, graph, label, key)
