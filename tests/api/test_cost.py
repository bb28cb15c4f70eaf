"""The cost model: what fields cost (kb/api/costs.py) and the limit refusing on it."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Run
from graphql import GraphQLObjectType, get_named_type, get_nullable_type, is_list_type, parse

from kb.api.costs import CALL_COSTS, LIST_SIZES
from kb.api.limits import measure_operation
from kb.api.schema import Schema

REPORTED = "{ lessons(first: 100) { nodes { relatedItems(first: 50) { __typename } } } }"


def measure(schema: Schema, query: str) -> Any:
    return measure_operation(schema._schema, parse(query))


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        # The simple read: the connection and its 20 states.
        ("{ states(first: 20) { nodes { code name } } }", 21),
        # pageInfo is one object per page, not one per item asked for.
        ("{ states(first: 100) { totalCount pageInfo { hasNextPage } } }", 2),
        # 1 connection + 10 states + 10 connections + 100 lessons.
        ("{ states(first: 10) { nodes { lessons(first: 10) { nodes { key } } } } }", 121),
        # relatedItems: 100 + 4 per item asked for, per parent (default first: 10);
        # 1 + 5 lessons + 5 x 10 items + 5 x 140.
        ("{ lessons(first: 5) { nodes { relatedItems { key } } } }", 756),
        # The example of docs/api.md.
        ("{ lessons(first: 10) { nodes { relatedItems { key } } } }", 1511),
        # search: 300 + 2 per hit asked for; 1 results + 20 hits + 20 nodes + 1 facets
        # + 60 state facet values.
        (
            '{ search(query: "rfp") { hits { node { id } } facets { state { value } } } }',
            340 + 1 + 20 + 20 + 1 + 60,
        ),
        # Lists without first: 10 certifications x 20 domains x 20 practices, + 50.
        ("{ certifications { code domains { key practices { slug } } } }", 50 + 10 + 200 + 4000),
        # path: 100 per call, then 1 path + 7 nodes + 6 hops + 6 'from' nodes.
        (
            '{ path(from: "a", to: "b") { length nodes { id } hops { from { id } } } }',
            100 + 1 + 7 + 6 + 6,
        ),
        # A variable page size counts as the largest page (100): 100 + 4 x 100 per call.
        ('query($n: Int!) { practice(slug: "x") { relatedItems(first: $n) { key } } }', 601),
    ],
)
def test_costs_of_queries(schema: Schema, query: str, cost: int) -> None:
    assert measure(schema, query).cost == cost


def test_reported_query_costs_what_its_related_items_do(schema: Schema) -> None:
    measured = measure(schema, REPORTED)
    # 1 + 100 lessons + 100 x 50 items, and 100 calls of relatedItems at 100 + 4 x 50.
    assert measured.cost == 1 + 100 + 5000 + 30_000
    assert measured.calls == {"Lesson.relatedItems": [100, 30_000]}


def test_reported_query_is_refused_naming_cost_limit_and_field(run: Run) -> None:
    result = run(REPORTED)
    assert result.data is None
    assert result.codes == ["QUERY_TOO_COMPLEX"]
    message = result.errors[0]["message"]
    assert "the query costs 35,101" in message
    assert "at most 10,000 is allowed" in message
    assert "Lesson.relatedItems runs 100 times for 30,000" in message
    assert "it may produce 5,101 objects" in message


def test_aliases_of_an_expensive_root_field_each_pay(schema: Schema) -> None:
    fields = " ".join(f'p{i}: path(from: "a", to: "b") {{ length }}' for i in range(15))
    measured = measure(schema, "{ " + fields + " }")
    assert measured.cost == 15 * (100 + 1)
    assert measured.calls == {"Query.path": [15, 1500]}


def test_every_list_without_first_has_a_size(schema: Schema) -> None:
    """A list of objects without ``first:`` is either a page's own list (sized by the
    ``first:`` that returned the page) or priced in LIST_SIZES: none falls to the
    default by accident, and no entry of the price lists names a missing field."""
    graphql_schema = schema._schema
    unsized = []
    for type_name, named in graphql_schema.type_map.items():
        if type_name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        is_page = "pageInfo" in named.fields
        for field_name, definition in named.fields.items():
            nullable = get_nullable_type(definition.type)
            objects = isinstance(get_named_type(definition.type), GraphQLObjectType)
            if not (is_list_type(nullable) and objects) or "first" in definition.args:
                continue
            if not is_page and (type_name, field_name) not in LIST_SIZES:
                unsized.append(f"{type_name}.{field_name}")
    assert unsized == []
    for type_name, field_name in [*LIST_SIZES, *CALL_COSTS]:
        costed = graphql_schema.get_type(type_name)
        assert isinstance(costed, GraphQLObjectType), type_name
        assert field_name in costed.fields, f"{type_name}.{field_name}"


def test_cheap_reads_stay_far_below_the_expensive_threshold(schema: Schema) -> None:
    # What the web pages send must not count as expensive (KB_EXPENSIVE_COST 2,000).
    from kb.web.search import SEARCH

    assert measure(schema, SEARCH).cost < 2000
