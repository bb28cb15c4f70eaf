"""Full-text search (Whoosh) over practices, lessons and contracts.

The only package that touches Whoosh. Use :class:`SearchService` to query and
:class:`Indexer` to keep an index directory (:class:`IndexStore`) in step with the graph.
"""

from kb.search.indexer import BackgroundIndexer, Indexer, ReindexReport
from kb.search.querying import SearchInputError
from kb.search.results import (
    FacetCount,
    Highlight,
    Hit,
    RelatedItem,
    SearchFilters,
    SearchResult,
)
from kb.search.service import SearchService
from kb.search.store import IndexLockedError, IndexStore

__all__ = [
    "BackgroundIndexer",
    "FacetCount",
    "Highlight",
    "Hit",
    "IndexLockedError",
    "IndexStore",
    "Indexer",
    "ReindexReport",
    "RelatedItem",
    "SearchFilters",
    "SearchInputError",
    "SearchResult",
    "SearchService",
]
