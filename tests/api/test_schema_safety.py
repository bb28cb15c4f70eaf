"""Schema.execute never raises for a bad request and never returns an uncoded error."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from api_support import execute

from kb.api.limits import Limits
from kb.api.schema import Schema, build_schema
from kb.config import Settings
from kb.graph.db import Graph


def _run(schema: Schema, graph: Graph, settings: Settings, query: str, **kw: Any) -> Any:
    import asyncio

    from kb.api.context import Context, Viewer

    context = Context(graph, settings, Viewer())
    return asyncio.run(schema.execute(query, context_value=context, **kw))


def test_unknown_operation_name_is_bad_input_naming_the_operations(
    schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    result = _run(
        schema, session_graph, settings, "query A { __typename } query B { __typename }",
        operation_name="C",
    )  # fmt: skip
    [error] = result.errors
    assert error.extensions == {"code": "BAD_USER_INPUT"}
    assert error.message == "operationName 'C' is not in the document; it defines 'A', 'B'"


def test_documents_without_an_operation_or_query_are_bad_input(
    schema: Schema, session_graph: Graph, settings: Settings
) -> None:
    only_fragment = _run(schema, session_graph, settings, "fragment F on Query { __typename }")
    assert only_fragment.errors[0].extensions == {"code": "BAD_USER_INPUT"}
    assert "defines no operation" in only_fragment.errors[0].message
    empty = _run(schema, session_graph, settings, "")
    assert empty.errors[0].message == "a non-empty 'query' string is required"


@pytest.mark.parametrize("production", [False, True])
def test_a_crashing_validation_rule_is_internal_and_logged(
    session_graph: Graph, settings: Settings, caplog: pytest.LogCaptureFixture, production: bool
) -> None:
    # A broken limit (None where a number belongs) makes the limits rule itself raise:
    # Strawberry reports that outside the extensions, so only Schema.execute codes it.
    broken = build_schema(production=production, limits=Limits(max_depth=None))  # type: ignore[arg-type]
    result = execute(broken, session_graph, settings, "{ __typename }")
    assert result.codes == ["INTERNAL"]
    error_id = result.errors[0]["extensions"]["errorId"]
    records = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error_id in records[0].getMessage() and records[0].exc_info is not None
    if production:
        assert result.errors[0]["message"] == f"Unexpected error (id {error_id})."
    else:
        assert "NoneType" in result.errors[0]["message"]
