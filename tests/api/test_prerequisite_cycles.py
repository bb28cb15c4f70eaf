"""Prerequisite links written through the API never form a cycle."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import EDITOR, Result, execute

from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph

FIRST = "needs-assessment-and-requirements-definition"  # start of a seeded chain
LAST = "running-a-request-for-proposals"  # its end, three steps later


@pytest.fixture
def write(schema: Schema, seeded_graph: Graph, settings: Settings) -> Any:
    def write(query: str, variables: dict[str, Any]) -> Result:
        return execute(schema, seeded_graph, settings, query, variables, EDITOR)

    return write


def _prerequisites(graph: Graph, slug: str) -> list[str]:
    rows = graph.read(
        "MATCH (p:Practice)-[:PREREQUISITE_OF]->(:Practice {id: $id}) RETURN p.id AS id "
        "ORDER BY id",
        id=slug,
    )
    return [row["id"] for row in rows]


def test_link_that_closes_a_cycle_is_refused_naming_it(write: Any, seeded_graph: Graph) -> None:
    before = (last_sequence(seeded_graph), _prerequisites(seeded_graph, FIRST))
    result = write(
        """mutation($i: PracticeLinkInput!) { linkPractice(input: $i) { source { key } } }""",
        {
            "i": {
                "practice": encode_id("Practice", FIRST),
                "target": encode_id("Practice", LAST),
                "prerequisite": True,
            }
        },
    )
    assert result.codes == ["BAD_USER_INPUT"]
    message = result.errors[0]["message"]
    assert "cycle" in message and FIRST in message and LAST in message
    assert (last_sequence(seeded_graph), _prerequisites(seeded_graph, FIRST)) == before


def test_update_that_closes_a_cycle_is_refused(write: Any, seeded_graph: Graph) -> None:
    before = (last_sequence(seeded_graph), _prerequisites(seeded_graph, FIRST))
    result = write(
        """mutation($i: UpdatePracticeInput!) { updatePractice(input: $i) { practice { key } } }""",
        {"i": {"id": encode_id("Practice", FIRST), "prerequisites": [encode_id("Practice", LAST)]}},
    )
    assert result.codes == ["BAD_USER_INPUT"]
    assert "cycle" in result.errors[0]["message"]
    assert (last_sequence(seeded_graph), _prerequisites(seeded_graph, FIRST)) == before


def test_a_link_without_a_cycle_is_written(write: Any, seeded_graph: Graph) -> None:
    result = write(
        """mutation($i: PracticeLinkInput!) { linkPractice(input: $i) { source { key } } }""",
        {
            "i": {
                "practice": encode_id("Practice", LAST),
                "target": encode_id("Practice", "procurement-policy-manual"),
                "prerequisite": True,
            }
        },
    )
    assert result.errors == []
    assert "procurement-policy-manual" in _prerequisites(seeded_graph, LAST)
