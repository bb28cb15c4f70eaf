"""Production hides every "Did you mean ...?"; development keeps them (they help)."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import execute

from kb.api.errors import without_suggestions
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph

#: Documents (and variables) whose errors graphql-core decorates with suggestions: one for
#: each place it suggests, and the start of the message each must keep.
MISTAKES: dict[str, tuple[str, dict[str, Any] | None, str]] = {
    "field": ("{ states { nodes { nmae } } }", None, "Cannot query field 'nmae' on type 'State'."),
    "argument": ("{ states(firs: 1) { totalCount } }", None, "Unknown argument 'firs'"),
    "enum value": (
        "{ states(orderBy: NAME_AS) { totalCount } }", None,
        "Value 'NAME_AS' does not exist in 'StateOrder' enum.",
    ),
    "input field": (
        '{ states(where: {regio: ["West"]}) { totalCount } }', None,
        "Expected value of type 'StateWhere' not to include unknown field 'regio'.",
    ),
    "type of a variable": (
        "query($w: StateWher) { states(where: $w) { totalCount } }", None,
        "Unknown type 'StateWher'.",
    ),
    "type condition": (
        "{ states { nodes { ... on Stat { name } } } }", None, "Unknown type 'Stat'.",
    ),
    "missing selection": (
        '{ state(code: "UT") }', None, "Field 'state' of type 'State' must have a selection",
    ),
    "enum variable": (
        "query($o: StateOrder) { states(orderBy: $o) { totalCount } }", {"o": "NAME_AS"},
        "Variable '$o' has invalid value: Value 'NAME_AS' does not exist",
    ),
    "input field of a variable": (
        "query($w: StateWhere) { states(where: $w) { totalCount } }", {"w": {"regio": ["W"]}},
        "Variable '$w' has invalid value: Expected value of type 'StateWhere' not to include",
    ),
    "enum inside a variable": (
        "query($w: StateWhere) { states(where: $w) { totalCount } }", {"w": {"kind": ["STAT"]}},
        "Variable '$w' has invalid value at .kind[0]: Value 'STAT' does not exist",
    ),
}  # fmt: skip


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_development_suggests(
    schema: Schema, session_graph: Graph, settings: Settings, mistake: str
) -> None:
    query, variables, start = MISTAKES[mistake]
    result = execute(schema, session_graph, settings, query, variables)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["message"].startswith(start)
    assert "Did you mean" in result.errors[0]["message"]


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_production_suggests_nothing(
    production_schema: Schema, session_graph: Graph, settings: Settings, mistake: str
) -> None:
    query, variables, start = MISTAKES[mistake]
    result = execute(production_schema, session_graph, settings, query, variables)
    assert result.codes == ["BAD_USER_INPUT"]
    message = result.errors[0]["message"]
    assert message.startswith(start)
    assert "Did you mean" not in message and "mean" not in message.split(start)[-1]


def test_suggestions_are_cut_wherever_they_stand() -> None:
    assert without_suggestions("Unknown type 'Stat'. Did you mean 'State' or 'Stats'?") == (
        "Unknown type 'Stat'."
    )
    assert (
        without_suggestions(
            "Expected 'W' not to include 'regio'. Did you mean 'region'? Found: { regio: 1 }."
        )
        == "Expected 'W' not to include 'regio'. Found: { regio: 1 }."
    )
    assert without_suggestions("no suggestion here") == "no suggestion here"
