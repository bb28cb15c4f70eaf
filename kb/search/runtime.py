"""What one application process runs for search: its index, indexer and service.

Example:
    >>> runtime = SearchRuntime.start(graph, settings.index_dir)
    >>> runtime.service.search("participating addendum")
    >>> runtime.stop()
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kb.graph.db import DatabaseUnavailableError, Graph
from kb.search.indexer import BackgroundIndexer, Indexer
from kb.search.service import SearchService, settle_heap
from kb.search.store import IndexStore

log = logging.getLogger(__name__)


@dataclass
class SearchRuntime:
    """The index of this process, kept in step with the change log."""

    store: IndexStore
    indexer: Indexer
    background: BackgroundIndexer
    service: SearchService

    @classmethod
    def start(cls, graph: Graph, index_dir: Path, interval: float = 1.0) -> SearchRuntime:
        """Build the index (or catch up with the change log), then poll it every
        ``interval`` seconds so that writes made by other processes arrive too."""
        store = IndexStore(index_dir)
        indexer = Indexer(graph, store)
        try:
            indexer.start()
        except DatabaseUnavailableError as error:
            # Serve anyway (health, readiness, pages say what is wrong); the background
            # indexer catches up once Neo4j answers.
            log.warning("search index not brought up to date at start: %s", error)
            store.ensure()
        service = SearchService(store, graph)
        # Each snapshot is prepared before searches get it (arrays read whole), at start
        # and after each commit; the searchers left idle on the previous one are closed
        # then, rather than holding the segments a merge removed until the next request.
        service.warm()
        settle_heap()  # what the build and warm-up left, out of the collector's walks
        indexer.listeners.append(service.warm)
        # A page of hits that names a deleted node: its documents leave the index too.
        service.on_missing.append(indexer.forget)
        background = BackgroundIndexer(indexer, interval=interval)
        # A rebuild by another process (`kb reindex`) swaps the generation without a
        # commit of this indexer: the poll publishes it.
        background.after_poll.append(service.warm)
        background.start()
        return cls(store, indexer, background, service)

    def catch_up(self) -> int:
        """Apply pending change entries now (after this process wrote something)."""
        return self.indexer.catch_up()

    def stop(self) -> None:
        """Stop polling the change log and close the searchers."""
        self.background.stop()
        self.service.close()
