"""history: a record's changes from the change log, newest first, one statement per request."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import EDITOR, Result, Run, execute

from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph

CREATE = (
    """mutation($input: CreateLessonInput!) { createLesson(input: $input) { lesson { key } } }"""
)
UPDATE = (
    """mutation($input: UpdateLessonInput!) { updateLesson(input: $input) { lesson { key } } }"""
)
HISTORY = """query($key: String!, $first: Int) {
  lesson(id: $key) { history(first: $first) { sequence op at author } } }"""


@pytest.fixture
def write(schema: Schema, seeded_graph: Graph, settings: Settings) -> Any:
    def write(query: str, variables: dict[str, Any] | None = None) -> Result:
        return execute(schema, seeded_graph, settings, query, variables, EDITOR)

    return write


def _history(write: Any, key: str, first: int | None = None) -> list[dict[str, Any]]:
    result = write(HISTORY, {"key": key, "first": first})
    assert result.errors == []
    return result.data["lesson"]["history"]  # type: ignore[no-any-return]


def test_created_then_updated_lesson_lists_both_changes_newest_first(write: Any) -> None:
    lesson = {
        "key": "L-9990",
        "title": "Salt early",
        "lesson": "Buy in summer.",
        "state": encode_id("State", "UT"),
        "illustrative": True,
    }
    assert write(CREATE, {"input": lesson}).errors == []
    changed = {"id": encode_id("Lesson", "L-9990"), "title": "Buy salt in summer"}
    assert write(UPDATE, {"input": changed}).errors == []

    history = _history(write, "L-9990")
    assert [entry["op"] for entry in history] == ["UPDATE", "CREATE"]
    assert [entry["author"] for entry in history] == ["token:test-editor"] * 2
    assert history[0]["sequence"] > history[1]["sequence"]
    assert history[0]["at"] >= history[1]["at"]
    # The window: the newest one, still known as an update (read one entry further back).
    assert [entry["op"] for entry in _history(write, "L-9990", first=1)] == ["UPDATE"]
    assert _history(write, "L-9990", first=0) == []


def test_a_seed_record_shows_the_seed_creating_it(run: Run) -> None:
    result = run(HISTORY, {"key": "L-0001", "first": None})
    assert result.errors == []
    history = result.data["lesson"]["history"]  # type: ignore[index]
    assert [(entry["op"], entry["author"]) for entry in history] == [("CREATE", "seed")]


def test_histories_of_many_records_cost_one_statement(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    query = "{ SIZE(first: N) { nodes { key history { op author } } } }"

    def statements(field: str, size: int) -> tuple[int, int]:
        before = read_graph.query_count
        result = execute(
            schema, read_graph, settings, query.replace("SIZE", field).replace("N", str(size))
        )
        assert result.errors == []
        nodes = result.data[field]["nodes"]  # type: ignore[index]
        # Newest first: the seed created each state; a seeded state's memberships are
        # recorded too (both ends of a membership change are in the change log).
        for node in nodes:
            assert node["history"][-1] == {"op": "CREATE", "author": "seed"}, node
            assert {entry["author"] for entry in node["history"]} == {"seed"}, node
        return read_graph.query_count - before, len(nodes)

    small, few = statements("states", 2)
    large, many = statements("states", 50)
    assert many > few * 10
    assert small == large == 2  # the list and one history statement, whatever its size


@pytest.mark.parametrize("first", [-1, 101])
def test_first_out_of_range_is_bad_user_input(run: Run, first: int) -> None:
    result = run(HISTORY, {"key": "L-0001", "first": first})
    assert result.codes == ["BAD_USER_INPUT"]
    assert f"first: {first}" in result.errors[0]["message"]
    assert result.errors[0]["path"] == ["lesson", "history"]


FIELDS = """query($key: String!) { lesson(id: $key) { history { op fields } } }"""
LINK = """mutation($input: LessonLinkInput!) { linkLesson(input: $input) { source { id } } }"""
UNLINK = """mutation($input: LessonLinkInput!) { unlinkLesson(input: $input) { source { id } } }"""


def test_history_says_which_fields_an_update_and_a_link_changed(write: Any) -> None:
    lesson = {"key": "L-9991", "title": "Salt early", "lesson": "Buy in summer.", "tags": ["salt"],
              "state": encode_id("State", "UT"), "illustrative": True}  # fmt: skip
    assert write(CREATE, {"input": lesson}).errors == []
    # The tags are given again unchanged: only the title and the links given count.
    changed = {"id": encode_id("Lesson", "L-9991"), "title": "Buy salt in summer",
               "tags": ["salt"], "categories": [encode_id("Category", "ROADS")]}  # fmt: skip
    assert write(UPDATE, {"input": changed}).errors == []
    link = {"lesson": encode_id("Lesson", "L-9991"), "target": encode_id("Alliance", "tips")}
    assert write(LINK, {"input": link}).errors == []
    assert write(UNLINK, {"input": link}).errors == []

    result = write(FIELDS, {"key": "L-9991"})
    assert result.errors == []
    assert result.data["lesson"]["history"] == [
        {"op": "UPDATE", "fields": ["-ABOUT"]},
        {"op": "UPDATE", "fields": ["+ABOUT"]},
        {"op": "UPDATE", "fields": ["title", "categories"]},
        {"op": "CREATE", "fields": None},
    ]
    alliance = write('{ alliance(slug: "tips") { history(first: 1) { fields } } }')
    assert alliance.data["alliance"]["history"] == [{"fields": ["-ABOUT"]}]
