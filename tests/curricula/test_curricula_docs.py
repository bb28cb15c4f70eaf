"""docs/curricula.md stays honest: every GraphQL example in it runs without errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kb.config import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "curricula.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", DOC.read_text(), re.DOTALL)


def test_the_guide_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_doc_example_runs(example: str, gql: Any) -> None:
    result = gql(example)
    assert result.errors == [], result.errors
    assert result.data and all(value is not None for value in result.data.values()), result.data
