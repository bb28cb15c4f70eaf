"""Limits on every request, and attempts to get around them."""

from __future__ import annotations

from api_support import EDITOR, Run, execute

from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph

DEEP = "{ states(first: 1) { nodes { alliances(first: 1) { nodes { contracts(first: 1) { nodes { " \
    "categories(first: 1) { nodes { parent { contracts(first: 1) { nodes { code: slug } } } } " \
    "} } } } } } } }"  # fmt: skip


def test_depth_over_ten_is_rejected(run: Run) -> None:
    result = run(DEEP)
    assert result.data is None
    assert result.codes == ["QUERY_TOO_COMPLEX"]
    assert "nested 11 levels deep; at most 10" in result.errors[0]["message"]


def test_depth_cannot_hide_in_fragments_even_one_named_schema(run: Run) -> None:
    query = """
    query { states(first: 1) { nodes { ...__schema } } }
    fragment __schema on State { alliances(first: 1) { nodes { ...deeper } } }
    fragment deeper on Alliance { contracts(first: 1) { nodes { categories(first: 1) {
        nodes { ... on Category { parent { contracts(first: 1) { nodes { slug } } } } } } } } }
    """
    result = run(query)
    assert result.codes == ["QUERY_TOO_COMPLEX"]
    assert "levels deep" in result.errors[0]["message"]


def test_aliases_over_fifteen_are_rejected_also_through_fragments(run: Run) -> None:
    fragment = "fragment names on State { " + " ".join(f"n{i}: name" for i in range(8)) + " }"
    ok = run('{ state(code: "UT") { ...names } } ' + fragment)
    assert ok.errors == [] and ok.data["state"]["n7"] == "Utah"  # type: ignore[index]
    twice = run(
        '{ a: state(code: "UT") { ...names } b: state(code: "CO") { ...names } } ' + fragment
    )
    assert twice.codes == ["QUERY_TOO_COMPLEX"]
    assert "aliases; at most 15 are allowed" in twice.errors[0]["message"]


def test_tokens_over_two_thousand_are_rejected(run: Run) -> None:
    query = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    result = run(query)
    assert result.codes == ["QUERY_TOO_COMPLEX"]


def test_page_size_over_one_hundred_is_rejected_literal_or_variable(run: Run) -> None:
    literal = run("{ states(first: 101) { totalCount } }")
    assert literal.codes == ["BAD_USER_INPUT"]
    assert "first: 101 is out of range; expected 0..100" in literal.errors[0]["message"]
    assert literal.errors[0]["path"] == ["states"]
    negative = run("query($n: Int) { contracts(first: $n) { totalCount } }", {"n": -1})
    assert negative.codes == ["BAD_USER_INPUT"]
    nested = run('{ state(code: "UT") { lessons(first: 1000) { totalCount } } }')
    assert nested.codes == ["BAD_USER_INPUT"]
    assert nested.errors[0]["path"] == ["state", "lessons"]


def test_cost_counts_list_sizes(run: Run) -> None:
    wide = """{ states(first: 100) { nodes { lessons(first: 100) { nodes { key } } } } }"""
    result = run(wide)
    assert result.codes == ["QUERY_TOO_COMPLEX"]
    assert "may produce" in result.errors[0]["message"]
    small = run("{ states(first: 10) { nodes { lessons(first: 10) { nodes { key } } } } }")
    assert small.errors == []


def test_cost_cannot_hide_in_repeated_fragments(run: Run) -> None:
    # Each fragment spreads the next twice: 2^20 expansions if followed naively.
    fragments = [f"fragment f{i} on Query {{ ...f{i + 1} ...f{i + 1} }}" for i in range(20)] + [
        "fragment f20 on Query { states(first: 100) { totalCount } }"
    ]
    result = run("{ ...f0 } " + " ".join(fragments))
    assert result.codes == ["QUERY_TOO_COMPLEX"]


def test_bad_cursor_is_bad_input(run: Run) -> None:
    result = run('{ states(after: "not-a-cursor") { totalCount } }')
    assert result.codes == ["BAD_USER_INPUT"]
    assert "'not-a-cursor' is not a cursor" in result.errors[0]["message"]


def test_syntax_errors_and_unknown_fields_are_bad_input(run: Run) -> None:
    assert run("{ states { ").codes == ["BAD_USER_INPUT"]
    unknown = run("{ states { nodes { nmae } } }")
    assert unknown.codes == ["BAD_USER_INPUT"]
    assert "Did you mean" in unknown.errors[0]["message"]


def test_production_hides_suggestions_and_introspection(
    production_schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    unknown = execute(production_schema, read_graph, settings, "{ states { nodes { nmae } } }")
    assert unknown.codes == ["BAD_USER_INPUT"]
    assert "Did you mean" not in unknown.errors[0]["message"]
    intro = execute(production_schema, read_graph, settings, "{ __schema { types { name } } }")
    assert set(intro.codes) == {"BAD_USER_INPUT"} and intro.data is None
    hidden = execute(
        production_schema, read_graph, settings,
        "query { ...__schema } fragment __schema on Query { __type(name: \"State\") { name } }",
    )  # fmt: skip
    assert hidden.data is None and "introspection" in hidden.errors[0]["message"].lower()
    assert execute(production_schema, read_graph, settings, "{ __typename }").data == {
        "__typename": "Query"
    }


def test_neo4j_transaction_timeout_is_reported(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    # Another transaction holds a write lock on the practice; the API's transaction
    # (with a short timeout) waits for it and is stopped by Neo4j.
    impatient = Graph(seeded_graph.driver, seeded_graph.database, tx_timeout=0.5)
    mutation = """mutation($id: ID!) { updatePractice(input: {id: $id, summary: "New"}) {
        practice { summary } } }"""
    practice = encode_id("Practice", "running-a-request-for-proposals")
    with seeded_graph.driver.session(database=seeded_graph.database) as session:
        blocker = session.begin_transaction()
        blocker.run(
            "MATCH (n:Practice {id: 'running-a-request-for-proposals'}) SET n.summary = 'x'"
        )
        try:
            result = execute(schema, impatient, settings, mutation, {"id": practice}, EDITOR)
        finally:
            blocker.rollback()
    assert result.codes == ["QUERY_TOO_COMPLEX"], result.errors
    assert "took too long" in result.errors[0]["message"]
    assert result.errors[0]["path"] == ["updatePractice"]
