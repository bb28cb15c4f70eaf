"""Constraints from schema/*.cypher: applied idempotently, and enforced."""

from __future__ import annotations

import pytest
from neo4j.exceptions import ConstraintError

from kb.graph.db import Graph
from kb.graph.schema import apply_schema, constraint_names, schema_statements


def test_schema_applies_twice_without_change(graph: Graph) -> None:
    before = constraint_names(graph)
    apply_schema(graph)
    assert constraint_names(graph) == before
    expected = {s.split()[2] for s in schema_statements() if s.startswith("CREATE CONSTRAINT")}
    assert expected <= before


def test_duplicate_state_code_is_refused(graph: Graph) -> None:
    graph.write("CREATE (:State {id: 'UT', code: 'UT', fips: '49'})")
    with pytest.raises(ConstraintError):
        graph.write("CREATE (:State {id: 'UT2', code: 'UT', fips: '99'})")
    assert graph.read("MATCH (s:State) RETURN count(s) AS n") == [{"n": 1}]


def test_duplicate_lesson_id_is_refused(graph: Graph) -> None:
    graph.write("CREATE (:Lesson {id: 'L-0001'})")
    with pytest.raises(ConstraintError):
        graph.write("CREATE (:Lesson {id: 'L-0001'})")
