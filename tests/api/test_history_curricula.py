"""Curriculum.history: curricula made and edited through the API are in the change log,
each edit with what it changed, before and after."""

from __future__ import annotations

from typing import Any

from api_support import Run

from kb.api.ids import encode_id


def _mutation(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ curriculum {{ key }} }} }}"


HISTORY = """query($id: ID!) { curriculum(id: $id) {
  updatedBy history { op author fields diff { field old new } } } }"""


def test_each_curriculum_edit_is_in_its_history_with_before_and_after(edit: Any) -> None:
    practice = edit("{ practices(first: 1) { nodes { key } } }").data["practices"]["nodes"][0]
    basics = {"key": "basics", "title": "Basics", "items": [encode_id("Practice", practice["key"])]}
    course = {"key": "history-course", "title": "Buying salt", "audience": "New buyers",
              "level": "INTRODUCTORY", "modules": [basics]}  # fmt: skip
    edit(_mutation("createCurriculum", "CreateCurriculumInput"), {"input": course})
    edit(
        _mutation("updateCurriculum", "UpdateCurriculumInput"),
        {"input": {"id": "history-course", "title": "Buying road salt", "audience": "New buyers"}},
    )
    add = {"curriculum": "history-course", "title": "After award", "key": "after", "position": 1}
    edit(_mutation("addModule", "AddModuleInput"), {"input": add})
    item = {
        "curriculum": "history-course",
        "module": "after",
        "item": encode_id("Lesson", "L-0001"),
    }
    edit(_mutation("addItem", "AddItemInput"), {"input": item})

    data = edit(HISTORY, {"id": "history-course"}).data["curriculum"]
    history = data["history"]
    assert [c["op"] for c in history] == ["UPDATE", "UPDATE", "UPDATE", "CREATE"]
    assert {c["author"] for c in history} == {"token:test-editor"} == {data["updatedBy"]}
    added_item, added_module, renamed, created = history
    assert added_item["diff"] == [
        {"field": "modules.after.items", "old": None, "new": "Lesson L-0001"}
    ]
    assert added_module["fields"] == ["modules", "modules.after.title"]
    assert added_module["diff"][0] == {"field": "modules", "old": "basics", "new": "after, basics"}
    # The audience was given again unchanged: only the title changed.
    assert renamed["diff"] == [{"field": "title", "old": "Buying salt", "new": "Buying road salt"}]
    assert (created["fields"], created["diff"]) == (None, None)


def test_an_unknown_curriculum_has_no_history_to_read(run: Run) -> None:
    result = run(HISTORY, {"id": "no-such-course"})
    assert (result.data, result.errors) == ({"curriculum": None}, [])
