"""The harness that keeps a guide in ``docs/`` honest: every ```` ```graphql ```` example
in it runs without errors and returns data for every field it asks for.

A test module declares only which guide it checks and how to run a document::

    test_the_guide_has_examples, test_doc_example_runs = doc_example_tests(
        "api.md", minimum=8, runner="run", viewer=EDITOR
    )

``runner`` names a fixture that returns ``run(query, **run_kwargs) -> Result``. It is
requested with ``usefixtures`` (not only looked up by name) so that pytest sees it, and
``tests/conftest.py`` does not mark a test that needs Neo4j as fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from kb.config import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
_EXAMPLE = re.compile(r"```graphql\n(.*?)```", re.DOTALL)


def graphql_examples(doc: str) -> list[str]:
    """The GraphQL examples of ``docs/<doc>``, in the order they appear."""
    return _EXAMPLE.findall((DOCS / doc).read_text(encoding="utf-8"))


def doc_example_tests(
    doc: str, minimum: int, runner: str, **run_kwargs: Any
) -> tuple[Callable[[], None], Callable[..., None]]:
    """The two tests of a guide: it has at least ``minimum`` examples, and each runs."""
    examples = graphql_examples(doc)

    def test_the_guide_has_examples() -> None:
        assert len(examples) >= minimum, (
            f"docs/{doc} has {len(examples)} graphql examples; expected at least {minimum}"
        )

    @pytest.mark.usefixtures(runner)
    @pytest.mark.parametrize(
        "example", examples, ids=[f"example-{i}" for i in range(len(examples))]
    )
    def test_doc_example_runs(example: str, request: pytest.FixtureRequest) -> None:
        result = request.getfixturevalue(runner)(example, **run_kwargs)
        assert result.errors == [], f"docs/{doc} example fails:\n{example}\n{result.errors}"
        data = result.data or {}
        empty = [name for name, value in data.items() if value is None]
        assert data and not empty, f"docs/{doc} example returns null for {empty}:\n{example}"

    return test_the_guide_has_examples, test_doc_example_runs
