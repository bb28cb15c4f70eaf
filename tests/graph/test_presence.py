"""``existing_keys``: which indexed nodes still exist, in one statement whose plan Neo4j
makes once, whatever labels a page of hits holds."""

from __future__ import annotations

from typing import Any

import pytest

from kb.graph.db import Graph
from kb.graph.presence import existing_keys


@pytest.fixture
def nodes(graph: Graph) -> Graph:
    graph.write(
        "CREATE (:Practice {id: 'shared-id'}), (:Practice {id: 'p-1'}), "
        "(:Lesson {id: 'L-1'}), (:Contract {id: 'C-1'})"
    )
    return graph


def test_existing_keys_reports_each_label_apart(nodes: Graph) -> None:
    found = existing_keys(
        nodes,
        {"Practice": ["p-1", "p-gone"], "Lesson": ["L-1", "shared-id"], "Contract": ["C-9"]},
    )
    # 'shared-id' is a practice, not a lesson: asked as a lesson, it is not there.
    assert found == {"Practice": {"p-1"}, "Lesson": {"L-1"}, "Contract": set()}


def test_existing_keys_of_no_ids_reads_nothing(nodes: Graph) -> None:
    assert existing_keys(nodes, {"Lesson": []}) == {"Lesson": set()}


def test_existing_keys_sends_the_same_statement_and_parameter_types_for_any_labels(
    nodes: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neo4j plans a statement again for each new set of parameter types (an empty list
    # is not a list of strings): one shape is one plan, made once.
    sent: list[tuple[str, dict[str, Any]]] = []
    read = nodes.read

    def spied(statement: str, **params: Any) -> Any:
        sent.append((statement, params))
        return read(statement, **params)

    monkeypatch.setattr(nodes, "read", spied)
    pages = [{"Practice": ["p-1"]}, {"Lesson": ["L-1"], "Contract": ["C-1"]}, {"Contract": ["C-1"]}]
    results = [existing_keys(nodes, page) for page in pages]
    assert results == [
        {"Practice": {"p-1"}},
        {"Lesson": {"L-1"}, "Contract": {"C-1"}},
        {"Contract": {"C-1"}},
    ]
    assert len({statement for statement, _ in sent}) == 1
    shapes = {tuple(sorted(params)) for _, params in sent}
    assert shapes == {("ids",)}
    assert all(
        params["ids"] and all(isinstance(i, str) for i in params["ids"]) for _, params in sent
    )
