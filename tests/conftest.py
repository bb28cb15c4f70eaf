"""Shared fixtures: one real Neo4j for the whole session, cleaned between tests.

The managed local Neo4j is started under a fresh data directory for the session and
stopped at its end. To run the suite against another server instead, set
``KB_TEST_NEO4J_URI`` (and ``KB_TEST_NEO4J_USER``, ``KB_TEST_NEO4J_PASSWORD``,
``KB_TEST_NEO4J_DATABASE``): the suite wipes that database between tests.

The managed server is reached with a routing URI (``neo4j://``, as a cluster or Aura is
reached), so that every read and write of the suite goes through the driver's routing;
``KB_TEST_NEO4J_SCHEME=bolt`` runs it over a direct connection instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kb.config import PROJECT_ROOT, Settings
from kb.domain import glossary as glossary_module
from kb.graph.connect import local_server
from kb.graph.db import Graph
from kb.graph.load import load_seed
from kb.graph.schema import apply_schema
from kb.seed import SeedData, read_seed

SEED_DIR = PROJECT_ROOT / "seed"

#: Fixtures that reach Neo4j (or start one): a test using none of them is in the fast
#: tier (``make test-fast``, ``-m fast``), which needs neither Java nor Neo4j.
NEEDS_NEO4J = frozenset({"session_graph", "test_env", "settings"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that need no Neo4j as ``fast``."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if not fixtures & NEEDS_NEO4J and "slow" not in item.keywords:
            item.add_marker(pytest.mark.fast)


def _test_env(data_dir: Path) -> dict[str, str]:
    env = {
        "KB_DATA_DIR": str(data_dir),
        "KB_CACHE_DIR": os.environ.get("KB_CACHE_DIR", str(Path.home() / ".cache" / "kb")),
        "KB_SEED_DIR": str(SEED_DIR),
        "KB_NEO4J_HEAP": "384m",
        "KB_NEO4J_PAGECACHE": "64m",
        "KB_NEO4J_SCHEME": os.environ.get("KB_TEST_NEO4J_SCHEME", "neo4j"),
        # Every read of the suite runs planned and plainly; a difference fails it.
        "KB_PLANNER": os.environ.get("KB_TEST_PLANNER", "check"),
        # No webhook worker polling the graph behind the tests' backs (its reads would
        # show in query counts); the webhook tests run one themselves.
        "KB_WEBHOOKS": "false",
        "KB_WEBHOOK_LOOPBACK_ONLY": "true",
    }
    if os.environ.get("KB_TEST_NEO4J_URI"):
        env["NEO4J_URI"] = os.environ["KB_TEST_NEO4J_URI"]
        env["NEO4J_USER"] = os.environ.get("KB_TEST_NEO4J_USER", "neo4j")
        env["NEO4J_PASSWORD"] = os.environ.get("KB_TEST_NEO4J_PASSWORD", "")
        env["NEO4J_DATABASE"] = os.environ.get("KB_TEST_NEO4J_DATABASE", "neo4j")
    return env


@pytest.fixture(scope="session")
def test_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh data directory for this session (under KB_TEST_DATA_DIR when set, so that
    CI can find and stop anything left running)."""
    root = os.environ.get("KB_TEST_DATA_DIR")
    if root:
        return _fresh(Path(root))
    return tmp_path_factory.mktemp("kb-data")


def _fresh(base: Path) -> Path:
    """A new numbered directory under ``base`` (one per session)."""
    base.mkdir(parents=True, exist_ok=True)
    number = 0
    while (base / f"session-{number}").exists():
        number += 1
    path = base / f"session-{number}"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def test_env(test_data_dir: Path) -> dict[str, str]:
    """Environment variables that point the application at the test Neo4j."""
    return _test_env(test_data_dir)


@pytest.fixture(scope="session")
def settings(test_env: dict[str, str]) -> Settings:
    return Settings.from_env(test_env)


@pytest.fixture(scope="session")
def session_graph(settings: Settings) -> Iterator[Graph]:
    """The one Neo4j of the session (started here, stopped at the end), schema applied."""
    target = settings.external_neo4j
    server = None
    if target is None:
        server = local_server(settings)
        info = server.start()
        uri = f"{settings.neo4j_scheme}://127.0.0.1:{info.port}"
        graph = Graph.connect(uri, info.user, info.password, settings.neo4j_database)
    else:
        graph = Graph.connect(target.uri, target.user, target.password, target.database)
    try:
        apply_schema(graph)
        yield graph
    finally:
        graph.close()
        if server is not None:
            server.stop()


@pytest.fixture
def graph(session_graph: Graph) -> Graph:
    """The session's graph, emptied for this test (constraints kept)."""
    session_graph.write("MATCH (n) DETACH DELETE n")
    return session_graph


@pytest.fixture(scope="session")
def seed_data() -> SeedData:
    """The repository's seed, read and validated once."""
    return read_seed(SEED_DIR)


@pytest.fixture
def seeded_graph(graph: Graph, seed_data: SeedData) -> Graph:
    """An empty graph with the whole seed loaded."""
    load_seed(graph, seed_data)
    return graph


@pytest.fixture
def packaged_glossary_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], Path]]:
    """Make the packaged glossary file the given text for this test (then restore it)."""

    def use(text: str) -> Path:
        path = tmp_path / "glossary.yaml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(glossary_module, "GLOSSARY_FILE", path)
        glossary_module.default_glossary.cache_clear()
        return path

    yield use
    monkeypatch.undo()
    glossary_module.default_glossary.cache_clear()
