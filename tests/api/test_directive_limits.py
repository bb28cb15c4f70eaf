"""Directive limits (graphql-cop's "directive overloading"), executed on the schema."""

from __future__ import annotations

import pytest
from api_support import execute
from graphql import parse, validate

from kb.api.directive_limits import DirectiveLimits, directive_limits_rule
from kb.api.limits import Limits
from kb.api.request_json import MAX_DEPTH
from kb.api.schema import Schema
from kb.config import PROJECT_ROOT, Settings
from kb.graph.db import Graph


@pytest.fixture(params=["development", "production"])
def any_schema(request: pytest.FixtureRequest, schema: Schema, production_schema: Schema) -> Schema:
    return schema if request.param == "development" else production_schema


def test_graphql_cop_overloading_gets_one_error_naming_count_and_limit(
    any_schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    query = "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }"
    result = execute(any_schema, session_graph, settings, query)
    assert result.data is None
    assert result.codes == ["QUERY_TOO_COMPLEX"]
    assert result.errors[0]["message"] == (
        "the field '__typename' carries 10 directives; at most 5 are allowed on one location"
    )


def test_hundreds_of_repeated_known_directives_are_one_error(
    any_schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    query = "{ __typename" + " @include(if: true)" * 200 + " }"
    result = execute(any_schema, session_graph, settings, query)
    assert [e["message"] for e in result.errors] == [
        "the field '__typename' carries 200 directives; at most 5 are allowed on one location",
        "the document uses 200 directives; at most 50 are allowed",
    ]
    assert result.codes == ["QUERY_TOO_COMPLEX", "QUERY_TOO_COMPLEX"]


def test_directives_spread_over_many_fields_are_counted_per_document(
    any_schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    fields = " ".join(f"a{i}: __typename @skip(if: false) @include(if: true)" for i in range(30))
    result = execute(any_schema, session_graph, settings, "{ " + fields + " }")
    messages = [e["message"] for e in result.errors]
    assert "the document uses 60 directives; at most 50 are allowed" in messages
    assert set(result.codes) == {"QUERY_TOO_COMPLEX"}


def test_directives_on_operations_fragments_and_variables_count(
    schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    spread = "{ ...F" + " @include(if: true)" * 6 + " } fragment F on Query { __typename }"
    result = execute(schema, session_graph, settings, spread)
    assert result.errors[0]["message"].startswith("the spread of 'F' carries 6 directives")
    operation = "query Q" + " @aa" * 6 + " { __typename }"
    result = execute(schema, session_graph, settings, operation)
    assert result.errors[0]["message"].startswith("the operation 'Q' carries 6 directives")


def test_ordinary_directives_still_work(
    any_schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    query = "query($no: Boolean = false) { a: __typename @include(if: true) @skip(if: $no) " \
        "b: __typename @skip(if: true) }"  # fmt: skip
    result = execute(any_schema, session_graph, settings, query)
    assert result.errors == []
    assert result.data == {"a": "Query"}


def test_rule_counts_exactly_at_its_limits(schema: Schema) -> None:
    rule = directive_limits_rule(DirectiveLimits(per_location=3, per_document=4))
    graphql_schema = schema._schema
    at_limit = parse("{ a: __typename @x @x @x b: __typename @x }")
    assert validate(graphql_schema, at_limit, [rule]) == []
    over = parse("{ a: __typename @x @x @x @x }")
    assert [e.message for e in validate(graphql_schema, over, [rule])] == [
        "the field 'a' carries 4 directives; at most 3 are allowed on one location"
    ]
    total = parse("{ a: __typename @x @x b: __typename @x @x c: __typename @x }")
    assert [e.message for e in validate(graphql_schema, total, [rule])] == [
        "the document uses 5 directives; at most 4 are allowed"
    ]


def test_the_api_guide_states_the_limits_the_code_enforces() -> None:
    guide = " ".join((PROJECT_ROOT / "docs" / "api.md").read_text().split())
    limits = DirectiveLimits()
    assert f"at most {limits.per_location} directives on one field" in guide
    assert f"and {limits.per_document} in a document" in guide
    assert f"JSON nested at most {MAX_DEPTH} levels" in guide
    assert f"own depth budget of {Limits().max_introspection_depth} levels" in guide
