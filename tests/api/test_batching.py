"""No N+1: a nested read costs a bounded number of Bolt queries, whatever the sizes."""

from __future__ import annotations

import dataclasses

from api_support import execute

from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph

# Literal page sizes (a variable page size counts as the largest page in the cost limit).
NESTED = """{
  states(first: STATES, orderBy: CODE_ASC) { nodes { code
    alliances(first: INNER) { nodes { slug
      contracts(first: INNER) { nodes { slug leadState { code }
        categories(first: INNER) { nodes { code parent { code } } } } } } } } }
}"""


def _cost(
    schema: Schema, graph: Graph, settings: Settings, states: int, inner: int
) -> tuple[int, int]:
    before = graph.query_count
    query = NESTED.replace("STATES", str(states)).replace("INNER", str(inner))
    result = execute(schema, graph, settings, query)
    assert result.errors == []
    data = result.data or {}
    contracts = sum(
        len(a["contracts"]["nodes"])
        for s in data["states"]["nodes"]
        for a in s["alliances"]["nodes"]
    )
    return graph.query_count - before, contracts


def test_nested_read_costs_one_query_per_relationship_field(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    settings = dataclasses.replace(settings, planner="off")
    small, small_contracts = _cost(schema, read_graph, settings, states=2, inner=3)
    large, large_contracts = _cost(schema, read_graph, settings, states=20, inner=5)
    assert large_contracts > small_contracts * 5  # the lists really grew
    # states, alliances, contracts, leadState, categories, parent: one statement each
    assert large == small == 6


def test_a_planned_nested_read_costs_one_statement_per_root_field(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    planned = dataclasses.replace(settings, planner="on")
    small, small_contracts = _cost(schema, read_graph, planned, states=2, inner=3)
    large, large_contracts = _cost(schema, read_graph, planned, states=20, inner=5)
    assert large_contracts > small_contracts * 5
    assert large == small == 1  # one root field: one statement, whatever the nesting
    before = read_graph.query_count
    two_roots = "{ a: states(first: 3) { nodes { code alliances { nodes { slug } } } } " + (
        'b: contract(slug: "nvp-cloud-solutions") { slug categories { nodes { code } } } }'
    )
    assert execute(schema, read_graph, planned, two_roots).errors == []
    assert read_graph.query_count - before == 2
