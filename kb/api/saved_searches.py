"""Saved searches (:mod:`kb.graph.saved_searches`) as a service of the API layer, and
what is new for each since the user's last visit.

The pages never reach the graph or the index themselves (``tests/test_layers.py``):
the handlers of :mod:`kb.web.saved_searches` call these, which run off the event loop.

"New" is the lessons and practices among a search's first :data:`SCAN` matches (the
search as saved: query and facets) that were created after the previous visit ended;
on a first visit, after the search was saved.

There is no GraphQL field for saved searches yet: the response cache keys reads by
role, not by token, so a per-user read would need a cache exemption first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.concurrency import run_in_threadpool

from kb.graph import saved_searches as store
from kb.graph.db import Graph
from kb.graph.saved_searches import MAX_SAVED, SavedSearch, SavedSearchLimitError
from kb.search import SearchFilters, SearchInputError
from kb.search.runtime import SearchRuntime

__all__ = [
    "MAX_SAVED",
    "News",
    "SavedSearch",
    "SavedSearchLimitError",
    "delete",
    "listed",
    "news",
    "save",
    "visit",
]

#: Matches of a saved search looked at for new records.
SCAN = 100
#: The kinds that can be new (contracts are not counted).
NEW_KINDS = {"lesson": "Lesson", "practice": "Practice"}


@dataclass(frozen=True)
class News:
    """A saved search and the ``(label, key)`` records new for it ``since`` a time: the
    end of the last visit, or (``since_saved``) when the search was saved."""

    search: SavedSearch
    since: datetime
    new: list[tuple[str, str]]
    since_saved: bool = False


async def save(
    graph: Graph, token_id: str, query: str, filters: dict[str, tuple[str, ...]], name: str
) -> SavedSearch:
    """See :func:`kb.graph.saved_searches.save_search`."""
    return await run_in_threadpool(store.save_search, graph, token_id, query, filters, name)


async def listed(graph: Graph, token_id: str) -> list[SavedSearch]:
    """See :func:`kb.graph.saved_searches.saved_searches`."""
    return await run_in_threadpool(store.saved_searches, graph, token_id)


async def delete(graph: Graph, token_id: str, search: str) -> bool:
    """See :func:`kb.graph.saved_searches.delete_saved_search`."""
    return await run_in_threadpool(store.delete_saved_search, graph, token_id, search)


async def visit(graph: Graph, token_id: str) -> datetime | None:
    """See :func:`kb.graph.saved_searches.start_visit`."""
    return await run_in_threadpool(store.start_visit, graph, token_id)


def _filters(saved: SavedSearch) -> SearchFilters | None:
    """The saved facets as search filters, kinds narrowed to those that can be new;
    None when the search asks only for kinds that cannot."""
    asked = saved.filters.get("kind", ())
    kinds = tuple(k for k in asked if k in NEW_KINDS) if asked else tuple(NEW_KINDS)
    if not kinds:
        return None
    return SearchFilters(
        kinds=kinds,
        states=saved.filters.get("state", ()),
        alliances=saved.filters.get("alliance", ()),
        categories=saved.filters.get("category", ()),
        years=saved.filters.get("year", ()),
    )


def _news(graph: Graph, search: SearchRuntime, saved: SavedSearch, since: datetime) -> News:
    since_saved = since == saved.created_at
    filters = _filters(saved)
    if filters is None:
        return News(saved, since, [], since_saved)
    try:
        result = search.service.search(saved.query, filters, SCAN, None)
    except SearchInputError:  # saved before the search syntax changed: nothing to count
        return News(saved, since, [], since_saved)
    hits = [(NEW_KINDS[h.kind], h.id) for h in result.hits if h.kind in NEW_KINDS]
    return News(saved, since, store.created_after(graph, hits, since), since_saved)


async def news(
    graph: Graph, search: SearchRuntime, saved: SavedSearch, last_visit: datetime | None
) -> News:
    """What is new for ``saved`` since ``last_visit`` (since it was saved, on a first
    visit or when it was saved later)."""
    since = max(last_visit, saved.created_at) if last_visit else saved.created_at
    return await run_in_threadpool(_news, graph, search, saved, since)
