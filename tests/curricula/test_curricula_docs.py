"""docs/curricula.md stays honest: every GraphQL example in it runs without errors."""

from __future__ import annotations

from tests.docs_support import doc_example_tests

# The ``gql`` fixture runs as an editor over the seeded curricula graph.
test_the_guide_has_examples, test_doc_example_runs = doc_example_tests(
    "curricula.md", minimum=4, runner="gql"
)
