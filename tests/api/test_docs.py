"""docs/api.md stays honest: every GraphQL example in it runs without errors."""

from __future__ import annotations

from api_support import EDITOR

from tests.docs_support import doc_example_tests

test_the_guide_has_examples, test_doc_example_runs = doc_example_tests(
    "api.md", minimum=8, runner="run", viewer=EDITOR
)
