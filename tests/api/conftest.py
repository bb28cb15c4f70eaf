"""Fixtures for the API: the schema executed directly against the real test Neo4j."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import EDITOR, Result, Run, execute

from kb.api.context import Viewer
from kb.api.schema import Schema, build_schema
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.load import load_seed
from kb.seed import SeedData


@pytest.fixture(scope="session")
def schema() -> Schema:
    return build_schema()


@pytest.fixture(scope="session")
def production_schema() -> Schema:
    return build_schema(production=True)


_FINGERPRINT = (
    "MATCH (n) WITH count(n) AS nodes OPTIONAL MATCH (s:Sequence {name: 'changes'}) "
    "RETURN nodes, s.value AS seq"
)
_seeded: dict[str, Any] = {}


@pytest.fixture
def read_graph(session_graph: Graph, seed_data: SeedData) -> Graph:
    """The seeded graph for tests that only read: loaded again only when something
    (another test) changed it since it was last loaded."""
    if _seeded.get("fingerprint") != session_graph.read(_FINGERPRINT):
        session_graph.write("MATCH (n) DETACH DELETE n")
        load_seed(session_graph, seed_data)
        _seeded["fingerprint"] = session_graph.read(_FINGERPRINT)
    return session_graph


@pytest.fixture
def run(schema: Schema, read_graph: Graph, settings: Settings) -> Run:
    """Execute a document against the seeded graph (anonymous unless ``viewer``);
    for tests that do not write."""

    def run(
        query: str, variables: dict[str, Any] | None = None, viewer: Viewer | None = None
    ) -> Result:
        return execute(schema, read_graph, settings, query, variables, viewer)

    return run


@pytest.fixture
def edit(schema: Schema, seeded_graph: Graph, settings: Settings) -> Run:
    """Execute a document as the editor against a freshly seeded graph; it must succeed."""

    def edit(query: str, variables: dict[str, Any] | None = None) -> Result:
        result = execute(schema, seeded_graph, settings, query, variables, EDITOR)
        assert result.errors == [], result.errors
        return result

    return edit
