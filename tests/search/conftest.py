"""Search fixtures: a real Whoosh index (under tmp_path) built from the real seeded graph.

``seed_index`` is built once per session and then only read, so tests that use it do
not need the graph any more; tests that write use ``seeded_graph`` and their own index.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.graph.db import Graph
from kb.graph.load import load_seed
from kb.search import Indexer, IndexStore, SearchService
from kb.seed import SeedData


@pytest.fixture(scope="session")
def seed_index(
    session_graph: Graph, seed_data: SeedData, tmp_path_factory: pytest.TempPathFactory
) -> IndexStore:
    """An index of the whole seed (the graph is seeded for it, then left to other tests)."""
    session_graph.write("MATCH (n) DETACH DELETE n")
    load_seed(session_graph, seed_data)
    store = IndexStore(tmp_path_factory.mktemp("seed-index"))
    Indexer(session_graph, store).start()
    return store


@pytest.fixture(scope="session")
def search(seed_index: IndexStore) -> SearchService:
    """A search service over the seed index (text only: no graph for related items)."""
    return SearchService(seed_index)


@pytest.fixture
def store(tmp_path: Path) -> IndexStore:
    """An empty index directory for this test."""
    return IndexStore(tmp_path / "index")
