"""history's diff: the values before and after of what a write changed, cut to size,
and history(before:) to page back. Real writes through the API on the seeded graph."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Run

from kb.api.ids import encode_id
from kb.graph.history import MAX_VALUE

CREATE = "mutation($input: CreateLessonInput!) { createLesson(input: $input) { lesson { key } } }"
UPDATE = "mutation($input: UpdateLessonInput!) { updateLesson(input: $input) { lesson { key } } }"
LINK = """mutation($input: LessonLinkInput!) { linkLesson(input: $input) { source { id } } }"""
UNLINK = """mutation($input: LessonLinkInput!) { unlinkLesson(input: $input) { source { id } } }"""
UPDATE_PRACTICE = """mutation($input: UpdatePracticeInput!) {
  updatePractice(input: $input) { practice { key } } }"""
DIFF = "sequence op author fields diff { field old new truncated note }"
HISTORY = f"""query($key: String!, $first: Int, $before: Int) {{
  lesson(id: $key) {{ history(first: $first, before: $before) {{ {DIFF} }} }} }}"""


def _lesson(edit: Any, key: str, **extra: Any) -> str:
    lesson = {"key": key, "title": f"Salt early {key}", "lesson": "Buy in summer.",
              "state": encode_id("State", "UT"), "illustrative": True, **extra}  # fmt: skip
    edit(CREATE, {"input": lesson})
    return encode_id("Lesson", key)


def _history(edit: Any, key: str, **variables: Any) -> list[dict[str, Any]]:
    result = edit(HISTORY, {"key": key, **variables})
    return result.data["lesson"]["history"]  # type: ignore[no-any-return]


def _values(change: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    return {d["field"]: (d["old"], d["new"]) for d in change["diff"]}


def test_an_update_keeps_old_and_new_values_of_what_changed_only(edit: Any) -> None:
    node = _lesson(edit, "L-9980", tags=["salt", "winter"])
    # Tags given again unchanged and the state given again: neither is a change.
    edit(UPDATE, {"input": {"id": node, "title": "Buy road salt in summer",
                             "tags": ["salt", "winter"], "state": encode_id("State", "UT"),
                             "categories": [encode_id("Category", "ROADS")],
                             "recordedOn": "2024-06-01"}})  # fmt: skip
    edit(UPDATE, {"input": {"id": node, "tags": ["salt"], "state": encode_id("State", "CO")}})

    newest, first_update, created = _history(edit, "L-9980")
    assert _values(newest) == {"tags": ("salt, winter", "salt"), "state": ("UT", "CO")}
    assert newest["fields"] == ["tags", "state"]
    assert _values(first_update) == {
        "recordedOn": (None, "2024-06-01"),
        "title": ("Salt early L-9980", "Buy road salt in summer"),
        "categories": (None, "ROADS"),
    }
    assert first_update["fields"] == ["recordedOn", "title", "categories"]
    assert {d["truncated"] for d in first_update["diff"]} == {False}
    assert {d["note"] for d in first_update["diff"]} == {None}
    assert created["op"] == "CREATE" and created["diff"] is None and created["fields"] is None
    assert {c["author"] for c in (newest, first_update, created)} == {"token:test-editor"}


def test_link_and_unlink_name_the_other_end_on_both_records(edit: Any) -> None:
    node = _lesson(edit, "L-9981")
    link = {"lesson": node, "target": encode_id("Alliance", "tips")}
    edit(LINK, {"input": link})
    edit(UNLINK, {"input": link})

    unlinked, linked, _ = _history(edit, "L-9981")
    assert linked["fields"] == ["+ABOUT"]
    assert _values(linked) == {"ABOUT": (None, "Alliance tips")}
    assert unlinked["fields"] == ["-ABOUT"]
    assert _values(unlinked) == {"ABOUT": ("Alliance tips", None)}
    alliance = edit('{ alliance(slug: "tips") { history(first: 2) { diff { field old new } } } }')
    assert [c["diff"] for c in alliance.data["alliance"]["history"]] == [
        [{"field": "ABOUT", "old": "Lesson L-9981", "new": None}],
        [{"field": "ABOUT", "old": None, "new": "Lesson L-9981"}],
    ]


def test_long_text_is_cut_with_a_note_giving_its_full_length(edit: Any) -> None:
    practice = edit("{ practices(first: 1) { nodes { key body } } }").data["practices"]["nodes"][0]
    body = ("Write the scope first. " * 100).strip()  # 2,299 characters (input is trimmed)
    edit(UPDATE_PRACTICE, {"input": {"id": encode_id("Practice", practice["key"]), "body": body}})

    result = edit(
        """query($key: String!) { practice(slug: $key) { body history(first: 1) {
             diff { field old new truncated note } } } }""",
        {"key": practice["key"]},
    )
    assert result.data["practice"]["body"] == body  # the record keeps all of it
    (change,) = result.data["practice"]["history"][0]["diff"]
    assert change["field"] == "body" and change["truncated"] is True
    assert len(change["new"]) == MAX_VALUE and change["new"].endswith("…")
    assert body.startswith(change["new"][:-1])
    old = practice["body"]
    assert change["old"] == (old if len(old) <= MAX_VALUE else old[: MAX_VALUE - 1] + "…")
    notes = [f"new value cut to {MAX_VALUE} of {len(body)} characters"]
    if len(old) > MAX_VALUE:
        notes.insert(0, f"old value cut to {MAX_VALUE} of {len(old)} characters")
    assert change["note"] == "; ".join(notes)


def test_before_pages_back_through_the_history_without_gaps_or_repeats(edit: Any) -> None:
    node = _lesson(edit, "L-9982")
    for n in range(6):
        edit(UPDATE, {"input": {"id": node, "lesson": f"Buy in month {n}."}})
    everything = [c["sequence"] for c in _history(edit, "L-9982")]
    assert len(everything) == 7 and everything == sorted(everything, reverse=True)

    pages: list[list[int]] = []
    before: int | None = None
    while len(pages) < 10:
        page = _history(edit, "L-9982", first=3, before=before)
        if not page:
            break
        pages.append([c["sequence"] for c in page])
        before = page[-1]["sequence"]
    assert pages == [everything[0:3], everything[3:6], everything[6:7]]
    # The op of the oldest entry of a page is known from the entry before it.
    second = _history(edit, "L-9982", first=3, before=pages[0][-1])
    assert [c["op"] for c in second] == ["UPDATE"] * 3
    last = _history(edit, "L-9982", first=3, before=pages[1][-1])
    assert [c["op"] for c in last] == ["CREATE"]
    assert _values(second[0]) == {"lesson": ("Buy in month 1.", "Buy in month 2.")}


@pytest.mark.parametrize("before", [0, -5])
def test_before_that_is_no_sequence_is_bad_user_input(run: Run, before: int) -> None:
    result = run(HISTORY, {"key": "L-0001", "before": before})
    assert [e["extensions"]["code"] for e in result.errors] == ["BAD_USER_INPUT"]
    assert f"before: {before}" in result.errors[0]["message"]
    assert result.errors[0]["path"] == ["lesson", "history"]
