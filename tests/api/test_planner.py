"""The planner answers exactly what plain execution answers (the differential test).

Each document runs twice against the seeded graph, with ``KB_PLANNER=off`` and ``on``,
each with a fresh context; the two JSON answers (data, nulls, errors, key order) must be
identical. The planner's counters show which runs it planned, so that a test cannot pass
by always falling back. (The rest of the suite runs with ``KB_PLANNER=check``: see
``tests/conftest.py``.)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from api_support import EDITOR
from planner_support import HOSTILE, READS, both

from kb.api.context import Viewer
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph


def test_every_read_of_the_api_guide_answers_the_same(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    planned = [both(schema, read_graph, settings, example)[1] for example in READS]
    assert len(READS) >= 8
    # Search, paths, stats, curricula and history are not planned; the others are.
    assert sum(planned) >= 3, f"only {sum(planned)} of {len(READS)} guide reads planned"


@pytest.mark.parametrize(
    ("query", "variables", "plannable"), HOSTILE, ids=[f"doc-{i}" for i in range(len(HOSTILE))]
)
def test_hostile_documents_answer_the_same(
    schema: Schema, read_graph: Graph, settings: Settings,
    query: str, variables: dict[str, Any] | None, plannable: bool,
) -> None:  # fmt: skip
    answer, planned = both(schema, read_graph, settings, query, variables)
    assert planned == plannable, f"planned={planned} for {query}: {answer[:300]}"
    if plannable:
        assert '"errors": []' in answer and "null" not in answer[:9]


def test_a_reader_token_is_still_required_when_reads_are_closed(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    closed = dataclasses.replace(settings, public_read=False)
    query = "{ states(first: 2) { nodes { code } } }"
    answer, planned = both(schema, read_graph, closed, query, viewer=Viewer())
    assert not planned and "UNAUTHENTICATED" in answer
    answer, planned = both(schema, read_graph, closed, query, viewer=EDITOR)
    assert planned and "UNAUTHENTICATED" not in answer
