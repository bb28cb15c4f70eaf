"""The standard introspection query works in development; deeper towers do not."""

from __future__ import annotations

import dataclasses

from api_support import Run, execute
from graphql import get_introspection_query
from starlette.testclient import TestClient

from kb.api.limits import Limits
from kb.api.schema import Schema
from kb.app import create_app
from kb.config import Settings
from kb.graph.db import Graph


def _tower(levels: int) -> str:
    """``__schema { types { fields { type { ofType { ... } } } } }``, ``levels`` deep
    under ``__schema``."""
    ofs = levels - 4  # types, fields, type, then the ofTypes, then name
    return "{ __schema { types { fields { type { " + "ofType { " * ofs + "name" + \
        " }" * ofs + " } } } } }"  # fmt: skip


def test_standard_introspection_query_works_in_development(
    schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    result = execute(schema, session_graph, settings, get_introspection_query())
    assert result.errors == []
    names = {t["name"] for t in result.data["__schema"]["types"]}  # type: ignore[index]
    assert {"Query", "Mutation", "State", "Practice", "StateWhere"} <= names


def test_introspection_with_every_option_works(
    schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    query = get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True,
        schema_description=True, input_value_deprecation=True, one_of=True,
    )  # fmt: skip
    result = execute(schema, session_graph, settings, query)
    assert result.errors == []
    assert result.data["__schema"]["queryType"]["name"] == "Query"  # type: ignore[index]


def test_introspection_has_a_margin_and_then_a_limit(
    schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    # The standard query asks for nine levels of ofType; two more still pass.
    limit = Limits().max_introspection_depth
    deeper = get_introspection_query(type_depth=9 + limit - 14)
    assert execute(schema, session_graph, settings, deeper).errors == []
    too_deep = execute(
        schema, session_graph, settings, get_introspection_query(type_depth=10 + limit - 14)
    )
    assert too_deep.codes == ["QUERY_TOO_COMPLEX"]
    assert too_deep.errors[0]["message"] == (
        f"the introspection is nested {limit + 1} levels deep under __schema or __type; "
        f"at most {limit} are allowed"
    )


def test_hand_made_oftype_tower_is_refused(run: Run) -> None:
    limit = Limits().max_introspection_depth
    assert run(_tower(limit)).errors == []
    result = run(_tower(100))
    assert result.data is None
    assert result.codes == ["QUERY_TOO_COMPLEX"]
    # Counting stops at the first level past the limit (like the data depth's).
    assert f"introspection is nested {limit + 1} levels deep" in result.errors[0]["message"]


def test_type_tower_and_fragments_are_counted_too(run: Run) -> None:
    of_types = "ofType { " * 20 + "name" + " }" * 20
    direct = run('{ __type(name: "State") { fields { type { ' + of_types + " } } } }")
    assert direct.codes == ["QUERY_TOO_COMPLEX"]
    hidden = run(
        "{ ...F } fragment F on Query { __schema { types { ...T } } } "
        "fragment T on __Type { fields { type { " + of_types + " } } }"
    )
    assert hidden.codes == ["QUERY_TOO_COMPLEX"]
    assert "introspection is nested" in hidden.errors[0]["message"]


def test_introspection_does_not_lift_the_data_depth_limit(run: Run) -> None:
    deep = "{ __schema { queryType { name } } states(first: 1) { nodes { alliances(first: 1) " \
        "{ nodes { contracts(first: 1) { nodes { categories(first: 1) { nodes { parent { " \
        "contracts(first: 1) { nodes { slug } } } } } } } } } } } }"  # fmt: skip
    result = run(deep)
    assert result.codes == ["QUERY_TOO_COMPLEX"]
    assert result.errors[0]["message"] == (
        "the query is nested 11 levels deep; at most 10 are allowed"
    )


def test_graphiql_can_load_the_schema_over_http_in_development_only(
    session_graph: Graph, settings: Settings
) -> None:
    # What GraphiQL sends when it opens (HTTP is the point: the body size, the parse
    # for the operation, the response cache all see the whole standard query).
    query = get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True,
        input_value_deprecation=True,
    )  # fmt: skip
    with TestClient(create_app(settings, session_graph, search=False)) as client:
        response = client.post("/graphql", json={"query": query, "operationName": None})
    assert response.status_code == 200
    assert "errors" not in response.json()
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    production = dataclasses.replace(settings, env="production")
    with TestClient(create_app(production, session_graph, search=False)) as client:
        refused = client.post("/graphql", json={"query": query}).json()
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "introspection" in refused["errors"][0]["message"].lower()
