"""docs/api.md stays honest: every GraphQL example in it runs without errors."""

from __future__ import annotations

import re

import pytest
from api_support import EDITOR, execute

from kb.api.schema import Schema
from kb.config import PROJECT_ROOT, Settings
from kb.graph.db import Graph

DOC = PROJECT_ROOT / "docs" / "api.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", DOC.read_text(), re.DOTALL)


def test_the_guide_has_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_doc_example_runs(
    example: str, schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    result = execute(schema, read_graph, settings, example, None, EDITOR)
    assert result.errors == [], result.errors
    assert result.data and all(value is not None for value in result.data.values()), result.data
