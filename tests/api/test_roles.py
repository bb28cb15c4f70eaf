"""Roles with teeth: every mutation has a rule, and each role gets exactly what it says.

The gate is checked for every field of the schema's ``Mutation`` (a new mutation without
a rule in :data:`kb.api.roles.RULES` fails here), with an input built from the schema
itself: the role check comes before the input is looked at, so a refused role gets
UNAUTHENTICATED or FORBIDDEN whatever the input, and an allowed one gets anything else.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from api_support import EDITOR, READER, Result, execute
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from graphql.pyutils import Undefined

from kb.api.context import Viewer
from kb.api.ids import encode_id
from kb.api.roles import RULES
from kb.api.schema import Schema, build_schema
from kb.config import Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph

ADMIN = Viewer("test-admin", "admin", "t3")
OTHER_EDITOR = Viewer("other-editor", "editor", "t4")
VIEWERS = {"anonymous": Viewer(), "reader": READER, "editor": EDITOR, "admin": ADMIN}
RANK = {"anonymous": -1, "reader": 0, "editor": 1, "admin": 2}

_ROOT = build_schema()._schema.mutation_type
assert _ROOT is not None
_MUTATION = _ROOT
MUTATION_FIELDS = sorted(_MUTATION.fields)

_SCALARS: dict[str, Any] = {
    "String": "x", "ID": "bogus", "Int": 1, "Float": 1.0, "Boolean": False,
    "Date": "2020-01-01", "DateTime": "2020-01-01T00:00:00Z",
}  # fmt: skip


def _value(kind: GraphQLInputType) -> Any:
    """A value the schema accepts for ``kind``: required input fields only."""
    if isinstance(kind, GraphQLNonNull):
        return _value(kind.of_type)
    if isinstance(kind, GraphQLList):
        return []
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLScalarType):
        return _SCALARS[kind.name]
    assert isinstance(kind, GraphQLInputObjectType)
    return {
        name: _value(f.type)
        for name, f in kind.fields.items()
        if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
    }


def _document(field: str) -> tuple[str, dict[str, Any]]:
    argument = _MUTATION.fields[field].args["input"]
    return (
        f"mutation($input: {argument.type}) {{ {field}(input: $input) {{ __typename }} }}",
        {"input": _value(argument.type)},
    )


def test_every_mutation_has_a_role_rule_and_every_rule_a_mutation() -> None:
    assert set(RULES) == set(MUTATION_FIELDS), (
        "give each mutation a rule in kb/api/roles.py (and docs/api.md's table): "
        f"without one {sorted(set(MUTATION_FIELDS) - set(RULES))}; "
        f"rules for no mutation {sorted(set(RULES) - set(MUTATION_FIELDS))}"
    )


def test_the_role_table_of_the_api_guide_says_what_the_rules_say() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (\w+) \| (\w+) \|$", guide, re.MULTILINE)
    documented = {name: cells for name, *cells in rows}
    expected = {
        name: ["no", ("own" if rule.own else "yes") if rule.role == "editor" else "no", "yes"]
        for name, rule in RULES.items()
    }
    assert documented == expected


def test_every_mutation_payload_is_nullable() -> None:
    required = [f for f in MUTATION_FIELDS if isinstance(_MUTATION.fields[f].type, GraphQLNonNull)]
    assert required == []


@pytest.mark.parametrize("field", MUTATION_FIELDS)
def test_each_role_is_let_in_or_refused_as_its_rule_says(
    schema: Schema, graph: Graph, settings: Settings, field: str
) -> None:
    query, variables = _document(field)
    rule = RULES[field]
    for name, viewer in VIEWERS.items():
        before = last_sequence(graph)
        result = execute(schema, graph, settings, query, variables, viewer)
        codes = set(result.codes)
        if RANK[name] < RANK[rule.role]:
            expected = "UNAUTHENTICATED" if viewer.role is None else "FORBIDDEN"
            assert result.codes == [expected], (name, result.errors)
            assert result.data == {field: None}
            assert last_sequence(graph) == before, f"{name} changed the graph via {field}"
        else:
            assert not codes & {"UNAUTHENTICATED", "FORBIDDEN"}, (name, result.errors)


# -- the rules at work on the seeded graph ---------------------------------------------

CREATE_PRACTICE = """mutation($input: CreatePracticeInput!) {
  createPractice(input: $input) { practice { key createdBy } } }"""
DELETE = "mutation($input: DeleteInput!) { %s(input: $input) { deletedId } }"


def _practice(slug: str) -> dict[str, Any]:
    return {"slug": slug, "title": f"Practice {slug}", "body": "Text.", "illustrative": True}


def test_editor_cannot_delete_or_rename_reference_data(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    before = last_sequence(seeded_graph)
    tips = encode_id("Alliance", "tips")
    deleted = execute(
        schema, seeded_graph, settings, DELETE % "deleteAlliance", {"input": {"id": tips}}, EDITOR
    )
    assert deleted.codes == ["FORBIDDEN"]
    assert "'admin'" in deleted.errors[0]["message"]
    renamed = execute(
        schema, seeded_graph, settings,
        "mutation($i: UpdateAllianceInput!) { updateAlliance(input: $i) { alliance { name } } }",
        {"i": {"id": tips, "name": "Renamed"}}, EDITOR,
    )  # fmt: skip
    assert renamed.codes == ["FORBIDDEN"]
    assert last_sequence(seeded_graph) == before
    assert seeded_graph.read("MATCH (a:Alliance {id: 'tips'}) RETURN a.name AS name") != [
        {"name": "Renamed"}
    ]


def test_editor_deletes_only_what_it_created_and_admin_any(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    def run(query: str, variables: dict[str, Any], viewer: Viewer) -> Result:
        return execute(schema, seeded_graph, settings, query, variables, viewer)

    assert run(CREATE_PRACTICE, {"input": _practice("mine")}, EDITOR).errors == []
    assert run(CREATE_PRACTICE, {"input": _practice("theirs")}, OTHER_EDITOR).errors == []
    mine, theirs = encode_id("Practice", "mine"), encode_id("Practice", "theirs")
    seeded = encode_id("Practice", "running-a-request-for-proposals")
    delete = DELETE % "deletePractice"

    refused = run(delete, {"input": {"id": theirs}}, EDITOR)
    assert refused.codes == ["FORBIDDEN"]
    assert "token:other-editor" in refused.errors[0]["message"]
    assert run(delete, {"input": {"id": seeded}}, EDITOR).codes == ["FORBIDDEN"]
    assert run(delete, {"input": {"id": mine}}, EDITOR).data == {
        "deletePractice": {"deletedId": mine}
    }
    assert run(delete, {"input": {"id": theirs}}, ADMIN).data == {
        "deletePractice": {"deletedId": theirs}
    }
    left = seeded_graph.read("MATCH (p:Practice) WHERE p.id IN ['mine', 'theirs'] RETURN p.id")
    assert left == []


def test_detach_needs_an_admin(schema: Schema, seeded_graph: Graph, settings: Settings) -> None:
    result = execute(
        schema, seeded_graph, settings, DELETE % "deletePractice",
        {"input": {"id": encode_id("Practice", "mine"), "detach": True}}, EDITOR,
    )  # fmt: skip
    assert result.codes == ["FORBIDDEN"]
    assert "detach: true needs role 'admin'" in result.errors[0]["message"]


def test_editor_deletes_only_its_own_curricula(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    create = """mutation($input: CreateCurriculumInput!) {
      createCurriculum(input: $input) { curriculum { key } } }"""
    delete = (
        "mutation($input: DeleteCurriculumInput!) { deleteCurriculum(input: $input) { deletedId } }"
    )
    plan = {"key": "own-course", "title": "Own course", "audience": "Buyers",
            "level": "INTRODUCTORY", "modules": []}  # fmt: skip
    made = execute(schema, seeded_graph, settings, create, {"input": plan}, OTHER_EDITOR)
    assert made.errors == []
    refused = execute(
        schema, seeded_graph, settings, delete, {"input": {"id": "own-course"}}, EDITOR
    )
    assert refused.codes == ["FORBIDDEN"]
    done = execute(
        schema, seeded_graph, settings, delete, {"input": {"id": "own-course"}}, OTHER_EDITOR
    )
    assert done.data == {"deleteCurriculum": {"deletedId": "own-course"}}
