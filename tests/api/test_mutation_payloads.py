"""Nullable payloads (a refused mutation nulls only itself) and every error of an input
reported at once, the graph's missing references included."""

from __future__ import annotations

from typing import Any

from api_support import EDITOR, execute

from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph

TWO = """mutation($ok: CreatePracticeInput!, $bad: CreatePracticeInput!) {
  first: createPractice(input: $ok) { practice { key } }
  second: createPractice(input: $bad) { practice { key } } }"""
CREATE_LESSON = """mutation($input: CreateLessonInput!) {
  createLesson(input: $input) { lesson { key } } }"""


def _practice(slug: str) -> dict[str, Any]:
    return {"slug": slug, "title": f"Practice {slug}", "body": "Text.", "illustrative": True}


def _lesson(**changes: Any) -> dict[str, Any]:
    base = {"key": "L-9001", "title": "A lesson of two errors", "lesson": "Text.",
            "status": "OBSERVATION", "state": encode_id("State", "UT"),
            "illustrative": True}  # fmt: skip
    return {**base, **changes}


def test_a_failing_mutation_nulls_only_itself(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    taken = _practice("running-a-request-for-proposals")
    result = execute(
        schema,
        seeded_graph,
        settings,
        TWO,
        {"ok": _practice("written-first"), "bad": taken},
        EDITOR,
    )
    assert result.data == {"first": {"practice": {"key": "written-first"}}, "second": None}
    assert [e["path"] for e in result.errors] == [["second"]]
    assert result.errors[0]["extensions"]["field"] == "input.slug"
    assert seeded_graph.read("MATCH (p:Practice {id: 'written-first'}) RETURN p.id AS id") == [
        {"id": "written-first"}
    ]


def test_every_missing_reference_is_reported_at_once(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    before = last_sequence(seeded_graph)
    lesson = _lesson(
        state=encode_id("State", "XX"),
        categories=[encode_id("Category", "ROADS"), encode_id("Category", "NOPE")],
        contracts=[encode_id("Contract", "no-such-contract")],
    )
    result = execute(schema, seeded_graph, settings, CREATE_LESSON, {"input": lesson}, EDITOR)
    assert result.codes == ["NOT_FOUND"]
    fields = {f["field"]: f["message"] for f in result.errors[0]["extensions"]["fields"]}
    assert fields == {
        "input.state": "there is no State 'XX'",
        "input.categories.1": "there is no Category 'NOPE'",
        "input.contracts.0": "there is no Contract 'no-such-contract'",
    }
    assert last_sequence(seeded_graph) == before


def test_bad_fields_and_missing_references_and_taken_keys_come_together(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    before = last_sequence(seeded_graph)
    lesson = _lesson(
        key="L-0001", title="x" * 400, state=encode_id("State", "XX"),
        categories=[encode_id("Category", "NOPE"), "not an id"],
    )  # fmt: skip
    result = execute(schema, seeded_graph, settings, CREATE_LESSON, {"input": lesson}, EDITOR)
    assert result.codes == ["BAD_USER_INPUT"]
    fields = {f["field"] for f in result.errors[0]["extensions"]["fields"]}
    assert fields == {
        "input.key", "input.title", "input.state", "input.categories.0", "input.categories.1"
    }  # fmt: skip
    assert last_sequence(seeded_graph) == before
