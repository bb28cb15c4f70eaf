"""The History section of every record page: newest first, who, when, what changed
(before and after, escaped, long values cut with a note), paged by "Older changes".
Writes go through the API over HTTP to the module's real `kb serve` process."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from kb.api.ids import encode_id
from kb.graph.db import Graph
from kb.graph.history import MAX_VALUE
from kb.graph.tokens import create_token
from kb.web.history_section import HISTORY_PAGE

HTML = {"accept": "text/html"}
SECTION = re.compile(r'<section class="history" id="history".*?</section>', re.S)
CHANGE = re.compile(r'<li class="change" data-sequence="(\d+)">(.*?)</li>', re.S)


@pytest.fixture(scope="module")
def api(server: str, session_graph: Graph) -> Any:
    _, secret = create_token(session_graph, "history-editor", "editor")

    def api(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = httpx.post(
            f"{server}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {secret}"},
            timeout=30,
        )
        body: dict[str, Any] = answer.json()
        assert body.get("errors") is None, answer.text
        return body["data"]  # type: ignore[no-any-return]

    return api


def _section(server: str, path: str, status: int = 200) -> str:
    page = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert page.status_code == status, page.text[:500]
    found = SECTION.search(page.text)
    assert found, f"{path} has no History section"
    assert page.text.count('id="history"') == 1
    return found.group(0)


def _changes(section: str) -> list[tuple[int, str]]:
    """(sequence, text as read, tags dropped) of each change shown."""
    shown = []
    for seq, text in CHANGE.findall(section):
        words = html.unescape(re.sub(r"<[^>]+>", " ", text)).split()
        shown.append((int(seq), " ".join(words).replace(" ,", ",")))
    return shown


CREATE = (
    """mutation($input: CreateLessonInput!) { createLesson(input: $input) { lesson { key } } }"""
)
UPDATE = (
    """mutation($input: UpdateLessonInput!) { updateLesson(input: $input) { lesson { key } } }"""
)


def _lesson(api: Any, key: str, title: str) -> str:
    lesson = {"key": key, "title": title, "lesson": "Buy in summer.",
              "state": encode_id("State", "UT"), "illustrative": True}  # fmt: skip
    api(CREATE, {"input": lesson})
    return encode_id("Lesson", key)


def test_every_record_page_has_a_history_section_naming_its_creator(server: str, api: Any) -> None:
    practice = api("{ practices(first: 1) { nodes { key } } }")["practices"]["nodes"][0]["key"]
    paths = ["/states/UT", "/alliances/tips", "/contracts/tips-facilities-construction",
             "/categories/IT", f"/practices/{practice}", "/lessons/L-0001",
             "/curricula/new-buyer-onboarding"]  # fmt: skip
    for path in paths:
        section = _section(server, path)
        assert '<h2 id="history-title">History</h2>' in section, path
        changes = _changes(section)
        assert changes, path
        # Newest first, down to the seed creating the record.
        sequences = [seq for seq, _ in changes]
        assert sequences == sorted(sequences, reverse=True), path
        assert changes[-1][1].startswith("Created by seed,"), (path, changes[-1])
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", changes[-1][1]), path


def test_an_api_edit_heads_the_section_with_its_values_escaped(server: str, api: Any) -> None:
    node = _lesson(api, "L-8901", 'Salt <b>early</b> & "often"')
    api(UPDATE, {"input": {"id": node, "title": "<script>alert(1)</script> salt in summer"}})

    page = httpx.get(f"{server}/lessons/L-8901", headers=HTML, timeout=30).text
    assert "<script>alert(1)</script>" not in page and "<b>early</b>" not in page
    section = _section(server, "/lessons/L-8901")
    (newest_seq, newest), (created_seq, created) = _changes(section)
    assert newest_seq > created_seq
    assert newest.startswith("Changed by token:history-editor,")
    assert created.startswith("Created by token:history-editor,")
    row = re.search(r'<th scope="row">title</th>\s*<td class="old">(.*?)</td>\s*'
                    r'<td class="new">(.*?)</td>', section)  # fmt: skip
    assert row, section
    assert html.unescape(row.group(1)) == 'Salt <b>early</b> & "often"'
    assert row.group(1).startswith("Salt &lt;b&gt;early&lt;/b&gt; &amp;")
    assert html.unescape(row.group(2)) == "<script>alert(1)</script> salt in summer"


def test_a_long_value_is_cut_on_the_page_with_a_note(server: str, api: Any) -> None:
    node = _lesson(api, "L-8902", "Long lessons are cut in the history")
    text = "Ask every region before the bid. " * 30
    api(UPDATE, {"input": {"id": node, "lesson": text}})
    section = _section(server, "/lessons/L-8902")
    full = len(text.strip())
    assert f"new value cut to {MAX_VALUE} of {full} characters" in section
    new = re.search(r'<th scope="row">lesson</th>.*?<td class="new">(.*?)</td>', section, re.S)
    assert new and len(html.unescape(new.group(1))) == MAX_VALUE


def test_older_changes_link_pages_back_until_the_creation(server: str, api: Any) -> None:
    node = _lesson(api, "L-8903", "Paging through a lesson's changes")
    for n in range(HISTORY_PAGE + 2):
        api(UPDATE, {"input": {"id": node, "lesson": f"Buy in week {n}."}})

    first = _section(server, "/lessons/L-8903")
    shown = _changes(first)
    assert len(shown) == HISTORY_PAGE
    older = re.search(r'<a rel="next" class="older" href="([^"]+)">Older changes</a>', first)
    assert older and html.unescape(older.group(1)) == f"?before={shown[-1][0]}#history"
    assert "Newest changes" not in first

    second = _section(server, "/lessons/L-8903" + html.unescape(older.group(1)).split("#")[0])
    rest = _changes(second)
    assert len(rest) == 3  # 1 creation + 12 updates = 13 = 10 + 3
    assert rest[0][0] < shown[-1][0]
    assert rest[-1][1].startswith("Created by token:history-editor")
    assert "Older changes" not in second and "Newest changes" in second


@pytest.mark.parametrize("before", ["abc", "0", "-3", "1e9", "99999999999999999999"])
def test_a_before_that_is_no_change_number_is_a_400_naming_it(server: str, before: str) -> None:
    page = httpx.get(f"{server}/lessons/L-0001", params={"before": before}, headers=HTML,
                     timeout=30)  # fmt: skip
    assert page.status_code == 400, page.text[:300]
    assert f"before: {before!r} is not a change number" in html.unescape(page.text)
    assert "expected a whole number, 1 or more" in page.text


def test_a_curriculum_edit_shows_on_its_page(server: str, api: Any) -> None:
    api(
        """mutation { updateCurriculum(input: {id: "new-buyer-onboarding",
             title: "New buyer onboarding, revised"}) { curriculum { title } } }"""
    )
    (_, newest), *_ = _changes(_section(server, "/curricula/new-buyer-onboarding"))
    assert newest.startswith("Changed by token:history-editor,")
    assert "Field Before After title " in newest
    assert newest.endswith("New buyer onboarding, revised")
