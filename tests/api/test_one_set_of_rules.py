"""One set of field rules (kb.domain.rules): the same bad value gets the same message from
a seed file, an import and a mutation; every bad field of a mutation input comes at once,
on creates and updates alike."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from api_support import EDITOR, execute

from kb.api.context import Viewer
from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.config import PROJECT_ROOT, Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.seed import SeedValidationError, read_seed
from kb.seed.imports import import_file
from tests.seed.test_imports import lesson, write_csv

ADMIN = Viewer("test-admin", "admin", "t3")
LONG_TITLE = "T" * 400
LONG_TAG = "t" * 120
CREATE_LESSON = """mutation($input: CreateLessonInput!) {
  createLesson(input: $input) { lesson { key } } }"""
CREATE_PRACTICE = """mutation($input: CreatePracticeInput!) {
  createPractice(input: $input) { practice { key } } }"""
UPDATE_LESSON = """mutation($input: UpdateLessonInput!) {
  updateLesson(input: $input) { lesson { key } } }"""
UPDATE_CONTRACT = """mutation($input: UpdateContractInput!) {
  updateContract(input: $input) { contract { key } } }"""


def _seed_file_messages(tmp_path: Path) -> dict[str, str]:
    seed = tmp_path / "seed"
    shutil.copytree(PROJECT_ROOT / "seed", seed)
    (seed / "lessons" / "bad.yaml").write_text(
        f"- id: L-0991\n  title: {LONG_TITLE}\n  lesson: Text.\n  state: UT\n"
        f"  tags: [fine, {LONG_TAG}]\n  illustrative: true\n"
    )
    with pytest.raises(SeedValidationError) as caught:
        read_seed(seed)
    return {str(e.field): e.message for e in caught.value.errors if e.record == "'L-0991'"}


def _mutation_messages(result: Any) -> dict[str, str]:
    assert result.codes == ["BAD_USER_INPUT"], result.errors
    fields = result.errors[0]["extensions"]["fields"]
    return {f["field"]: f["message"] for f in fields}


def test_a_bad_value_gets_the_same_message_from_seed_import_and_mutation(
    schema: Schema, seeded_graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    from_seed = _seed_file_messages(tmp_path)
    path = write_csv(tmp_path / "bad.csv", [lesson(title=LONG_TITLE, tags=f"fine; {LONG_TAG}")])
    with pytest.raises(SeedValidationError) as caught:
        import_file(seeded_graph, path)
    from_import = {str(e.field): e.message for e in caught.value.errors}
    given = {"key": "L-0991", "title": LONG_TITLE, "lesson": "Text.", "tags": ["fine", LONG_TAG],
             "state": encode_id("State", "UT"), "illustrative": True}  # fmt: skip
    result = execute(schema, seeded_graph, settings, CREATE_LESSON, {"input": given}, EDITOR)
    from_mutation = _mutation_messages(result)

    expected = {
        "title": "is 400 characters long; at most 300 are accepted",
        "tags": "tag 'tttttttttttttttttttt'... is 120 characters long; at most 100",
    }
    assert from_seed == expected
    assert from_import == expected
    assert from_mutation == {f"input.{name}": message for name, message in expected.items()}


def test_create_practice_reports_every_bad_field_at_once(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    before = last_sequence(seeded_graph)
    given = {"slug": "Not A Slug", "title": LONG_TITLE, "body": "", "tags": [LONG_TAG],
             "states": [encode_id("State", "XX")], "categories": ["not an id"]}  # fmt: skip
    result = execute(schema, seeded_graph, settings, CREATE_PRACTICE, {"input": given}, EDITOR)
    fields = _mutation_messages(result)
    assert set(fields) == {
        "input.slug", "input.title", "input.body", "input.tags", "input.states.0",
        "input.categories.0", "input.source",
    }  # fmt: skip
    assert fields["input.body"] == "is missing; a non-empty text is required"
    assert fields["input.states.0"] == "there is no State 'XX'"
    assert last_sequence(seeded_graph) == before


def test_updates_report_every_bad_field_at_once(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    before = last_sequence(seeded_graph)
    given = {"id": encode_id("Lesson", "L-0001"), "title": LONG_TITLE, "tags": [LONG_TAG],
             "state": encode_id("State", "XX"),
             "categories": [encode_id("Category", "NOPE")]}  # fmt: skip
    result = execute(schema, seeded_graph, settings, UPDATE_LESSON, {"input": given}, EDITOR)
    assert set(_mutation_messages(result)) == {
        "input.title", "input.tags", "input.state", "input.categories.0"
    }  # fmt: skip

    contract = seeded_graph.read("MATCH (c:Contract) RETURN c.id AS id ORDER BY id LIMIT 1")
    given = {"id": encode_id("Contract", contract[0]["id"]), "title": "",
             "startsOn": "2024-06-01", "endsOn": "2024-01-31"}  # fmt: skip
    result = execute(schema, seeded_graph, settings, UPDATE_CONTRACT, {"input": given}, ADMIN)
    assert _mutation_messages(result) == {
        "input.title": "is missing; a non-empty text is required",
        "input.endsOn": "2024-01-31 is before startsOn (2024-06-01)",
    }
    assert last_sequence(seeded_graph) == before
