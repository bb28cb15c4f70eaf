"""Writes: one input, validation before any write, one transaction, author and change log."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import EDITOR, READER, Result, execute

from kb.api.context import Viewer
from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.graph.stats import graph_stats

#: Reference data (contracts, alliances, categories, memberships) and deletes of what
#: others created are the admin's (see tests/api/test_roles.py).
ADMIN = Viewer("test-admin", "admin", "t3")

CREATE_PRACTICE = """mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
  practice { id key title focusArea tags publishedOn createdBy updatedAt
             states { nodes { code } } categories { nodes { code } } } } }"""


def practice_input(**changes: Any) -> dict[str, Any]:
    base = {
        "slug": "buying-road-salt-early",
        "title": "Buying road salt before the first storm",
        "summary": "Order in summer.",
        "body": "## Context\nSalt prices rise in November.",
        "focusArea": "PLANNING_AND_ANALYSIS",
        "tags": ["salt", "winter"],
        "publishedOn": "2024-06-01",
        "states": [encode_id("State", "MN")],
        "categories": [encode_id("Category", "ROADS")],
        "illustrative": True,
    }
    return {**base, **changes}


@pytest.fixture
def write(schema: Schema, seeded_graph: Graph, settings: Settings) -> Any:
    def write(query: str, variables: dict[str, Any], viewer: Viewer | None = EDITOR) -> Result:
        return execute(schema, seeded_graph, settings, query, variables, viewer)

    return write


def _snapshot(graph: Graph) -> tuple[Any, int]:
    return graph_stats(graph), last_sequence(graph)


def test_create_practice_writes_node_links_author_and_change(
    write: Any, seeded_graph: Graph
) -> None:
    before = last_sequence(seeded_graph)
    result = write(CREATE_PRACTICE, {"input": practice_input()})
    assert result.errors == []
    practice = result.data["createPractice"]["practice"]
    assert practice["key"] == "buying-road-salt-early"
    assert practice["id"] == encode_id("Practice", "buying-road-salt-early")
    assert practice["focusArea"] == "PLANNING_AND_ANALYSIS"
    assert practice["createdBy"] == "token:test-editor"
    assert practice["updatedAt"]
    assert practice["states"]["nodes"] == [{"code": "MN"}]
    assert practice["categories"]["nodes"] == [{"code": "ROADS"}]
    changes = seeded_graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq RETURN c.label AS label, c.id AS id, c.op AS op, "
        "c.author AS author",
        seq=before,
    )
    assert changes == [{"label": "Practice", "id": "buying-road-salt-early", "op": "UPSERT",
                        "author": "token:test-editor"}]  # fmt: skip


def test_update_sets_given_fields_and_replaces_given_links(write: Any, seeded_graph: Graph) -> None:
    write(CREATE_PRACTICE, {"input": practice_input()})
    query = """mutation($input: UpdatePracticeInput!) { updatePractice(input: $input) {
      practice { title summary states { nodes { code } } categories { nodes { code } } } } }"""
    pid = encode_id("Practice", "buying-road-salt-early")
    result = write(
        query, {"input": {"id": pid, "summary": None, "states": [encode_id("State", "WI")]}}
    )
    assert result.errors == []
    assert result.data["updatePractice"]["practice"] == {
        "title": "Buying road salt before the first storm", "summary": None,
        "states": {"nodes": [{"code": "WI"}]}, "categories": {"nodes": [{"code": "ROADS"}]},
    }  # fmt: skip


def test_delete_removes_node_and_logs_delete(write: Any, seeded_graph: Graph) -> None:
    pid = encode_id("Lesson", "L-0001")
    result = write(
        "mutation($id: ID!) { deleteLesson(input: {id: $id}) { deletedId } }", {"id": pid}, ADMIN
    )
    assert result.data == {"deleteLesson": {"deletedId": pid}}
    assert seeded_graph.read("MATCH (n:Lesson {id: 'L-0001'}) RETURN n") == []
    last = seeded_graph.read(
        "MATCH (c:Change) RETURN c.op AS op, c.id AS id ORDER BY c.seq DESC LIMIT 1"
    )
    assert last == [{"op": "DELETE", "id": "L-0001"}]


def test_membership_link_sets_since_and_until(write: Any) -> None:
    query = """mutation($input: MembershipInput!) { setMembership(input: $input) {
      source { key } target { ... on Alliance { members(asOf: "2021-01-01", first: 100) {
        edges { since until node { code } } } } } } }"""
    variables = {"input": {"state": encode_id("State", "GU"),
                           "alliance": encode_id("Alliance", "mhec"),
                           "since": "2020-01-01", "until": "2022-01-01"}}  # fmt: skip
    result = write(query, variables, ADMIN)
    assert result.errors == []
    edges = result.data["setMembership"]["target"]["members"]["edges"]
    assert {"since": "2020-01-01", "until": "2022-01-01", "node": {"code": "GU"}} in edges


def test_link_and_unlink_practice_to_contract(write: Any) -> None:
    query = """mutation($input: PracticeLinkInput!) { linkPractice(input: $input) {
      source { ... on Practice { contracts(first: 50) { nodes { slug } } } } } }"""
    variables = {"input": {"practice": encode_id("Practice", "running-a-request-for-proposals"),
                           "target": encode_id("Contract", "nvp-tires")}}  # fmt: skip
    linked = write(query, variables)
    assert {"slug": "nvp-tires"} in linked.data["linkPractice"]["source"]["contracts"]["nodes"]
    unlinked = write(query.replace("linkPractice", "unlinkPractice"), variables)
    assert {"slug": "nvp-tires"} not in unlinked.data["unlinkPractice"]["source"]["contracts"][
        "nodes"
    ]


def test_writes_need_an_editor_token(write: Any, seeded_graph: Graph) -> None:
    before = _snapshot(seeded_graph)
    anonymous = write(CREATE_PRACTICE, {"input": practice_input()}, viewer=None)
    reader = write(CREATE_PRACTICE, {"input": practice_input()}, viewer=READER)
    assert anonymous.codes == ["UNAUTHENTICATED"]
    assert reader.codes == ["FORBIDDEN"]
    assert reader.errors[0]["path"] == ["createPractice"]
    assert _snapshot(seeded_graph) == before


BAD_INPUTS = [
    ("malformed id", {"states": ["not base64!"]}, "BAD_USER_INPUT", "input.states.0"),
    (
        "id of wrong type",
        {"states": [encode_id("Alliance", "naspo")]},
        "BAD_USER_INPUT",
        "input.states.0",
    ),
    ("missing node", {"states": [encode_id("State", "XX")]}, "NOT_FOUND", "input.states.0"),
    ("duplicate key", {"slug": "running-a-request-for-proposals"}, "BAD_USER_INPUT", "input.slug"),
    ("bad slug", {"slug": "Not A Slug"}, "BAD_USER_INPUT", "input.slug"),
    ("title too long", {"title": "x" * 301}, "BAD_USER_INPUT", "input.title"),
    ("body too long", {"body": "x" * 100_001}, "BAD_USER_INPUT", "input.body"),
    ("missing title", {"title": None}, "BAD_USER_INPUT", "input.title"),
    ("no provenance", {"illustrative": False}, "BAD_USER_INPUT", "input.source"),
]


@pytest.mark.parametrize(
    ("case", "changes", "code", "field"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_coded_with_its_field_and_writes_nothing(
    write: Any, seeded_graph: Graph, case: str, changes: dict[str, Any], code: str, field: str
) -> None:
    before = _snapshot(seeded_graph)
    result = write(CREATE_PRACTICE, {"input": practice_input(**changes)})
    assert result.codes == [code], result.errors
    assert result.errors[0]["extensions"]["field"] == field
    assert result.errors[0]["path"] == ["createPractice"]
    assert _snapshot(seeded_graph) == before


@pytest.mark.parametrize(
    ("changes", "needle"),
    [({"focusArea": "GARDENING"}, "GARDENING"), ({"publishedOn": "2024-13-45"}, "publishedOn"),
     ({"tags": "salt"}, None), ({"title": 5}, "title")],
    ids=["unknown enum", "bad date", "wrong type list", "wrong type string"],
)  # fmt: skip
def test_coercion_errors_are_bad_input_and_write_nothing(
    write: Any, seeded_graph: Graph, changes: dict[str, Any], needle: str | None
) -> None:
    before = _snapshot(seeded_graph)
    result = write(CREATE_PRACTICE, {"input": practice_input(**changes)})
    if needle is None:  # a single string is coerced to a one-item list (GraphQL input rules)
        assert result.errors == []
        return
    assert result.codes == ["BAD_USER_INPUT"]
    assert needle in result.errors[0]["message"]
    assert _snapshot(seeded_graph) == before


def test_several_bad_fields_are_all_reported(write: Any) -> None:
    result = write(
        CREATE_PRACTICE, {"input": practice_input(title="x" * 400, slug="BAD", tags=["a", "a"])}
    )
    fields = {f["field"] for f in result.errors[0]["extensions"]["fields"]}
    assert fields == {"input.title", "input.slug", "input.tags"}


def test_update_of_missing_node_is_not_found(write: Any) -> None:
    query = """mutation($input: UpdateContractInput!) {
      updateContract(input: $input) { contract { key } } }"""
    result = write(query, {"input": {"id": encode_id("Contract", "no-such"), "title": "X"}}, ADMIN)
    assert result.codes == ["NOT_FOUND"]
    assert result.errors[0]["extensions"]["field"] == "input.id"


def test_failed_write_rolls_back_whole_transaction(write: Any, seeded_graph: Graph) -> None:
    before = _snapshot(seeded_graph)
    query = """mutation($input: CreateLessonInput!) {
      createLesson(input: $input) { lesson { key } } }"""
    lesson = {"key": "L-9999", "title": "A new lesson", "lesson": "Text.", "status": "OBSERVATION",
              "state": encode_id("State", "UT"), "practice": encode_id("Practice", "gone"),
              "illustrative": True}  # fmt: skip
    result = write(query, {"input": lesson})
    assert result.codes == ["NOT_FOUND"]
    assert _snapshot(seeded_graph) == before
    ok = write(query, {"input": {**lesson, "practice": None}})
    assert ok.data == {"createLesson": {"lesson": {"key": "L-9999"}}}


def test_create_contract_alliance_category(write: Any) -> None:
    category = write(
        """mutation($i: CreateCategoryInput!) {
             createCategory(input: $i) { category { key parent { code } } } }""",
        {"i": {"code": "999", "name": "Test class", "kind": "CLASS",
               "parent": encode_id("Category", "IT"), "illustrative": True}}, ADMIN,
    )  # fmt: skip
    assert category.data == {
        "createCategory": {"category": {"key": "999", "parent": {"code": "IT"}}}
    }
    alliance = write(
        """mutation($i: CreateAllianceInput!) {
             createAlliance(input: $i) { alliance { key scope } } }""",
        {
            "i": {
                "slug": "test-coop",
                "name": "Test Co-op",
                "scope": "REGIONAL",
                "source": "https://example.org",
            }
        },
        ADMIN,
    )
    assert alliance.data == {
        "createAlliance": {"alliance": {"key": "test-coop", "scope": "REGIONAL"}}
    }
    contract = write(
        """mutation($i: CreateContractInput!) { createContract(input: $i) {
             contract { key alliance { slug } leadState { code }
                        categories { nodes { code } } } } }""",
        {"i": {"slug": "test-contract", "title": "Test", "status": "ACTIVE", "illustrative": True,
               "alliance": encode_id("Alliance", "test-coop"),
               "leadState": encode_id("State", "VT"),
               "categories": [encode_id("Category", "999")]}}, ADMIN,
    )  # fmt: skip
    assert contract.errors == []
    assert contract.data["createContract"]["contract"] == {
        "key": "test-contract", "alliance": {"slug": "test-coop"}, "leadState": {"code": "VT"},
        "categories": {"nodes": [{"code": "999"}]},
    }  # fmt: skip
