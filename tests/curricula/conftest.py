"""Curriculum fixtures: the real seed and curriculum seed, in the real test Neo4j."""

from __future__ import annotations

from typing import Any

import pytest
from curricula_support import EDITOR, Result, execute

from kb.api.context import Viewer
from kb.api.schema import Schema, build_schema
from kb.config import PROJECT_ROOT, Settings
from kb.domain.curricula import CurriculaSeed
from kb.graph.curricula_load import load_curricula
from kb.graph.db import Graph
from kb.seed import SeedData
from kb.seed.curriculum_files import read_curricula

SEED_DIR = PROJECT_ROOT / "seed"


@pytest.fixture(scope="session")
def curricula_seed(seed_data: SeedData) -> CurriculaSeed:
    return read_curricula(SEED_DIR, seed_data)


@pytest.fixture
def curricula_graph(seeded_graph: Graph, curricula_seed: CurriculaSeed) -> Graph:
    """The whole seed, curricula included, in an otherwise empty graph."""
    load_curricula(seeded_graph, curricula_seed)
    return seeded_graph


@pytest.fixture(scope="session")
def schema() -> Schema:
    return build_schema()


@pytest.fixture
def gql(schema: Schema, curricula_graph: Graph, settings: Settings) -> Any:
    """Execute a document against the seeded graph, as an editor unless told otherwise."""

    def run(
        query: str, variables: dict[str, Any] | None = None, viewer: Viewer | None = EDITOR
    ) -> Result:
        return execute(schema, curricula_graph, settings, query, variables, viewer)

    return run
