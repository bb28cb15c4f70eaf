"""The documents of the planner's differential tests (tests/api/test_planner.py through
the schema, tests/api/test_fast_path.py over HTTP): the reads of docs/api.md and
hostile documents, each with whether the planner is expected to answer it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

from api_support import EDITOR

from kb.api import planner
from kb.api.context import Context, Viewer
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph
from tests.docs_support import graphql_examples

READS = [
    example for example in graphql_examples("api.md") if not example.lstrip().startswith("mutation")
]


FRAGMENTS = """
fragment Named on Node { id key }
fragment StateBits on State { code ...Named }
query Q($withName: Boolean!, $skipRegion: Boolean!, $n: Int, $order: StateOrder) {
  __typename
  first: states(first: $n, orderBy: $order) {
    __typename totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
    edges { cursor __typename node { ...StateBits name @include(if: $withName)
      region @skip(if: $skipRegion) ... on Node { illustrative source } } }
    nodes { kind fips ... on State { naspoRegion } }
  }
  again: states(first: 2, orderBy: NAME_DESC) { nodes { code name } }
}
"""

DEEP = """
query Deep($states: Int, $inner: Int, $as: Date) {
  states(first: $states, orderBy: CODE_ASC, where: {kind: [STATE]}) { totalCount nodes { code
    alliances(first: $inner, asOf: $as) { totalCount edges { since until cursor node { slug scope
      contracts(first: $inner, orderBy: TITLE_ASC) { pageInfo { hasNextPage endCursor } nodes {
        slug status startsOn endsOn leadState { code name } alliance { slug }
        categories(first: $inner) { nodes { code kind parent { code parent { code } } } }
        participants(first: 3) { totalCount edges { since node { code } } } } } } } } } }
}
"""

HOSTILE: list[tuple[str, dict[str, Any] | None, bool]] = [
    # (document, variables, expected to be planned)
    (FRAGMENTS, {"withName": True, "skipRegion": False, "n": 3, "order": "NAME_ASC"}, True),
    (FRAGMENTS, {"withName": False, "skipRegion": True, "n": 0, "order": None}, True),
    # The cost rule prices this document at 10,201 whatever the variables, so plain
    # execution refuses it (QUERY_TOO_COMPLEX) before the planner: both must say so.
    (DEEP, {"states": 20, "inner": 5, "as": None}, False),
    (DEEP, {"states": 4, "inner": 2, "as": "2014-06-30"}, False),
    # the same field under two aliases with different arguments
    (
        '{ a: state(code: "ut") { code } b: state(code: "CO") { code name } '
        'c: state(code: "ZZ") { code } }',
        None,
        True,
    ),
    (
        "query($s: String!, $f: Int) { alliance(slug: $s) { name acronym founded "
        'x: contracts(first: $f) { totalCount } y: contracts(first: 1, after: "b2Zmc2V0OjA=") '
        "{ edges { cursor } pageInfo { hasPreviousPage startCursor } } members { totalCount } } }",
        {"s": "naspo-valuepoint", "f": 2},
        True,
    ),
    # filters, orderings and dates through variables; a page after a cursor
    (
        "query($w: ContractWhere, $o: ContractOrder, $after: String) { contracts(where: $w, "
        "orderBy: $o, first: 5, after: $after) { totalCount nodes { slug endsOn } } }",
        {
            "w": {"status": ["ACTIVE"], "ends": {"from": "2025-01-01"}},
            "o": "ENDS_ON_DESC",
            "after": "b2Zmc2V0OjI=",
        },
        True,
    ),
    (
        "{ practices(first: 4, orderBy: PUBLISHED_ON_DESC) { nodes { slug focusArea tags "
        "publishedOn related { nodes { slug } } prerequisites { totalCount } } } "
        "lessons(first: 3) { nodes { id key status recordedOn state { code } practice { slug } } } "
        "categories(where: {topLevel: true}) "
        "{ nodes { code children(first: 2) { nodes { code } } } } }",
        None,
        True,
    ),
    ('{ contract(slug: "nvp-cloud-solutions") { createdAt updatedAt createdBy } }', None, True),
    # null variable, first: 0, a missing node
    (
        "query($w: StateWhere) { states(where: $w, first: 0) { totalCount pageInfo { hasNextPage "
        "startCursor } nodes { code } } }",
        {"w": None},
        True,
    ),
    # refused by plain execution: the planner must leave them (and their errors) to it
    ("{ states(first: 500) { nodes { code } } }", None, False),
    ('{ states(after: "not-a-cursor") { nodes { code } } }', None, False),
    ("query($o: StateOrder) { states(orderBy: $o) { nodes { code } } }", {"o": "SIDEWAYS"}, False),
    ("{ states(orderBy: SIDEWAYS) { nodes { code } } }", None, False),
    ("query($c: String!) { state(code: $c) { code } }", {"c": None}, False),
    # not planned: derived relationships, resolvers of their own, other roots, interfaces
    # derived: eligibleContracts, planned with kb.graph.reads' own Cypher
    ('{ state(code: "UT") { code eligibleContracts { totalCount } } }', None, True),
    (
        '{ s: state(code: "CO") { eligibleContracts(first: 3, orderBy: TITLE_DESC, '
        "where: {status: [ACTIVE]}) { totalCount pageInfo { hasNextPage endCursor } "
        "edges { cursor node { slug title status alliance { slug } } } } } "
        't: state(code: "UT") { eligibleContracts(first: 100) { nodes { slug title } } } }',
        None,
        True,
    ),
    ('{ node(id: "U3RhdGU6VVQ=") { id ... on State { code } } }', None, False),
    ('{ state(code: "UT") { code } stats { nodes { label count } } }', None, False),
    ("{ __schema { queryType { name } } }", None, False),
]


def _answer(
    schema: Schema, graph: Graph, settings: Settings, mode: str, query: str,
    variables: dict[str, Any] | None, viewer: Viewer,
) -> str:  # fmt: skip
    context = Context(graph, dataclasses.replace(settings, planner=mode), viewer)
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
    errors = [e.formatted for e in result.errors or []]
    return json.dumps({"data": result.data, "errors": errors})


def both(
    schema: Schema, graph: Graph, settings: Settings, query: str,
    variables: dict[str, Any] | None = None, viewer: Viewer = EDITOR,
) -> tuple[str, bool]:  # fmt: skip
    """The plain answer (asserted equal to the planned one) and whether it was planned."""
    plain = _answer(schema, graph, settings, "off", query, variables, viewer)
    if "QUERY_TOO_COMPLEX" in plain:  # a cold statement on a loaded machine: once more
        plain = _answer(schema, graph, settings, "off", query, variables, viewer)
    before = planner.COUNTS.planned
    planned = _answer(schema, graph, settings, "on", query, variables, viewer)
    assert planned == plain, f"planner differs for {query} {variables}"
    return plain, planner.COUNTS.planned > before
