"""Atom feeds of searches, record pages and curricula, read back with feedparser as a
feed reader would, against a real `kb serve` on the seeded graph."""

from __future__ import annotations

import base64
import html
import re
import time
import xml.etree.ElementTree as ET
from typing import Any

import feedparser  # type: ignore[import-untyped]
import httpx
import pytest

from kb.graph.db import Graph
from kb.graph.tokens import create_token

ATOM = "{http://www.w3.org/2005/Atom}"
HTML = {"accept": "text/html"}


def _feed(server: str, path: str) -> Any:
    response = httpx.get(f"{server}{path}", timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/atom+xml")
    # Well-formed XML in the Atom namespace, then parsed as a reader parses it.
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _ids(parsed: Any) -> list[str]:
    return [entry.id for entry in parsed.entries]


def _assert_valid_entries(parsed: Any) -> None:
    ids = _ids(parsed)
    assert len(ids) == len(set(ids)), "an entry appears twice"
    updated = [entry.updated_parsed for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True), "entries are not newest first"
    for entry in parsed.entries:
        assert re.fullmatch(
            r"tag:procurement-kb,2024:(lesson|practice|contract|curriculum)/.+", entry.id
        )
        deleted = "deleted" in [t.term for t in entry.get("tags", [])]
        # A deleted record's entry has no page to link to; Atom then wants content.
        assert entry.title and (entry.get("link") or (deleted and entry.content))
        assert entry.published_parsed <= entry.updated_parsed


def test_the_newest_feed_is_valid_atom_and_links_to_pages(server: str) -> None:
    parsed = _feed(server, "/feed.xml")
    assert 0 < len(parsed.entries) <= 50
    _assert_valid_entries(parsed)
    assert parsed.feed.title.endswith("what is new")
    first = parsed.entries[0]
    page = httpx.get(first.link, headers=HTML, timeout=30)
    assert page.status_code == 200 and first.title.split()[0] in page.text


def test_a_search_feed_lists_only_the_searchs_hits(server: str) -> None:
    parsed = _feed(server, "/feed.xml?q=participating+addendum&kind=lesson")
    assert parsed.entries
    _assert_valid_entries(parsed)
    assert all(":lesson/" in entry.id for entry in parsed.entries)
    query = (
        'query($q: String!) { search(query: $q, where: {kinds: ["lesson"]}, first: 100) '
        "{ hits { key } } }"
    )
    answer = httpx.post(
        f"{server}/graphql",
        json={"query": query, "variables": {"q": "participating addendum"}},
        timeout=30,
    ).json()
    hits = {hit["key"] for hit in answer["data"]["search"]["hits"]}
    keys = {entry.id.rsplit("/", 1)[1] for entry in parsed.entries}
    assert keys <= hits


def test_pages_link_their_feed(server: str) -> None:
    search = httpx.get(f"{server}/?q=piggyback&state=UT", headers=HTML, timeout=30).text
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Atom feed of this page" '
        'href="/feed.xml?q=piggyback&amp;state=UT">' in search
    )
    state = httpx.get(f"{server}/states/UT", headers=HTML, timeout=30).text
    assert 'href="/states/UT/feed.xml"' in state
    lesson = httpx.get(f"{server}/lessons/L-0001", headers=HTML, timeout=30).text
    assert "application/atom+xml" not in lesson


@pytest.mark.parametrize(
    "path",
    [
        "/states/UT/feed.xml",
        "/alliances/naspo-valuepoint/feed.xml",
        "/categories/920/feed.xml",
        "/contracts/nvp-cloud-solutions/feed.xml",
    ],
)
def test_record_feeds_list_what_is_linked_to_the_record(server: str, path: str) -> None:
    parsed = _feed(server, path)
    assert parsed.entries, f"{path} has no entries"
    _assert_valid_entries(parsed)
    assert parsed.feed.link.endswith(path.removesuffix("/feed.xml"))


def test_a_curriculum_feed_lists_the_curriculum_and_its_items(server: str) -> None:
    listing = httpx.get(f"{server}/curricula", headers=HTML, timeout=30).text
    key = re.search(r'href="/curricula/([^"/]+)"', listing)
    assert key, "no curriculum in the seed"
    parsed = _feed(server, f"/curricula/{key.group(1)}/feed.xml")
    _assert_valid_entries(parsed)
    kinds = {entry.id.split(":", 2)[2].split("/")[0] for entry in parsed.entries}
    assert "curriculum" in kinds and kinds & {"practice", "lesson"}


def test_a_new_lesson_heads_the_feeds_and_keeps_its_id_when_edited(
    server: str, session_graph: Graph
) -> None:
    _, secret = create_token(session_graph, "feed-editor", "editor")
    headers = {"authorization": f"Bearer {secret}"}
    create = """mutation { createLesson(input: {
        key: "L-8801", title: "Feeds tell subscribers about new lessons",
        lesson: "A buyer following Utah heard of this lesson the day it was shared.",
        context: "Feed test", recommendation: "Subscribe to your state's feed.",
        status: LESSON_IDENTIFIED, recordedOn: "2026-11-30",
        state: "U3RhdGU6VVQ=", categories: ["Q2F0ZWdvcnk6OTIw"], illustrative: true })
        { lesson { key } } }"""
    answer = httpx.post(f"{server}/graphql", json={"query": create}, headers=headers, timeout=30)
    assert answer.json().get("errors") is None, answer.text
    entry_id = "tag:procurement-kb,2024:lesson/L-8801"
    for path in ("/feed.xml", "/states/UT/feed.xml", "/categories/920/feed.xml"):
        parsed = _feed(server, path)
        assert parsed.entries[0].id == entry_id, path
    before = _feed(server, "/states/UT/feed.xml").entries[0]
    time.sleep(1.1)  # the change log's times have millisecond precision; make them differ
    update = """mutation { updateLesson(input: { id: "TGVzc29uOkwtODgwMQ==",
        title: "Feeds tell subscribers about new and changed lessons" }) { lesson { key } } }"""
    answer = httpx.post(f"{server}/graphql", json={"query": update}, headers=headers, timeout=30)
    assert answer.json().get("errors") is None, answer.text
    after = _feed(server, "/states/UT/feed.xml").entries[0]
    assert after.id == before.id and after.title.endswith("changed lessons")
    assert after.updated_parsed > before.updated_parsed
    assert after.published_parsed == before.published_parsed


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/feed.xml?state=ZZ", 400, "is not a known state"),
        ("/feed.xml?q=x&page=abc", 400, "is not a page number"),
        ("/feed.xml?q=" + "x" * 600, 400, "at most 500 characters"),
        ("/states/ZZ/feed.xml", 404, "There is no state"),
        ("/curricula/no-such-thing/feed.xml", 404, "There is no curriculum"),
        ("/contracts/" + "x" * 150 + "/feed.xml", 400, "at most 100 characters"),
    ],
)
def test_bad_feed_urls_get_a_clear_page(server: str, path: str, status: int, says: str) -> None:
    response = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert response.status_code == status
    assert says in response.text
    assert response.headers["content-type"].startswith("text/html")


def _post(server: str, query: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = httpx.post(f"{server}/graphql", json={"query": query}, headers=headers, timeout=30)
    body: dict[str, Any] = answer.json()
    assert body.get("errors") is None, answer.text
    return body


def test_a_deleted_lesson_and_practice_stay_in_their_feeds_marked_deleted(
    server: str, session_graph: Graph
) -> None:
    _, secret = create_token(session_graph, "feed-deleter", "editor")
    headers = {"authorization": f"Bearer {secret}"}
    _post(server, """mutation { createLesson(input: {
        key: "L-8802", title: "A lesson shared and then withdrawn",
        lesson: "Withdrawn lessons should not vanish silently from a reader.",
        context: "Feed delete test", recommendation: "Tell subscribers.",
        status: LESSON_IDENTIFIED, recordedOn: "2026-11-30",
        state: "U3RhdGU6VVQ=", categories: ["Q2F0ZWdvcnk6OTIw"], illustrative: true })
        { lesson { key } } }""", headers)  # fmt: skip
    _post(server, """mutation { createPractice(input: {
        slug: "feed-delete-practice", title: "A practice shared and then withdrawn",
        summary: "Withdrawn.", body: "Withdrawn.", focusArea: PLANNING_AND_ANALYSIS,
        publishedOn: "2026-11-30", states: ["U3RhdGU6VVQ="],
        categories: ["Q2F0ZWdvcnk6OTIw"], illustrative: true })
        { practice { key } } }""", headers)  # fmt: skip
    lesson_id = "tag:procurement-kb,2024:lesson/L-8802"
    practice_id = "tag:procurement-kb,2024:practice/feed-delete-practice"
    alive = {e.id: e for e in _feed(server, "/states/UT/feed.xml").entries}
    assert lesson_id in alive and practice_id in alive
    time.sleep(1.1)  # the delete's time must differ from the create's
    for mutation, node in (("deleteLesson", "L-8802"), ("deletePractice", "feed-delete-practice")):
        label = "Lesson" if mutation == "deleteLesson" else "Practice"
        global_id = base64.b64encode(f"{label}:{node}".encode()).decode()
        _post(
            server,
            f'mutation {{ {mutation}(input: {{id: "{global_id}"}}) {{ deletedId }} }}',
            headers,
        )

    for path in ("/feed.xml", "/states/UT/feed.xml", "/categories/920/feed.xml"):
        parsed = _feed(server, path)
        entries = {e.id: e for e in parsed.entries}
        # Newest first: the practice was deleted last.
        assert _ids(parsed)[:2] == [practice_id, lesson_id], path
        for entry_id, title in (
            (lesson_id, "A lesson shared and then withdrawn"),
            (practice_id, "A practice shared and then withdrawn"),
        ):
            entry = entries[entry_id]
            assert entry.title == f"Deleted: {title}", path
            assert "deleted" in [t.term for t in entry.tags], path
            assert "was deleted on" in entry.content[0].value
            assert entry.updated_parsed > alive[entry_id].updated_parsed
            assert entry.published_parsed == alive[entry_id].published_parsed
    # A state the records were never linked to does not list them.
    assert lesson_id not in _ids(_feed(server, "/states/CA/feed.xml?first=100"))
    # Its `updated` is the delete's time in the change log.
    rows = session_graph.read(
        "MATCH (c:Change {label: 'Lesson', id: 'L-8802', op: 'DELETE'}) "
        "RETURN c.at AS at, c.links AS links, c.title AS title"
    )
    assert len(rows) == 1 and "State:UT" in rows[0]["links"] and "Category:920" in rows[0]["links"]
    at = rows[0]["at"].to_native()
    feed_entry = {e.id: e for e in _feed(server, "/states/UT/feed.xml").entries}[lesson_id]
    assert time.strftime("%Y-%m-%dT%H:%M:%S", feed_entry.updated_parsed) == at.strftime(
        "%Y-%m-%dT%H:%M:%S"
    )


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/feed.xml?first=abc", "first='abc' is not a number of entries"),
        ("/feed.xml?first=0", "expected 1 to 100"),
        ("/feed.xml?q=salt&first=101", "expected 1 to 100"),
        ("/states/UT/feed.xml?first=%C2%B2", "is not a number of entries"),
        ("/feed.xml?category=no-such-category", "category='no-such-category' is not a known"),
        ("/feed.xml?q=x&kind=nothing", "kind='nothing' is not a known kind"),
        ("/feed.xml?alliance=ZZ", "alliance='ZZ' is not a known alliance"),
    ],
)
def test_bad_feed_parameters_are_a_400_page_naming_them(server: str, path: str, says: str) -> None:
    response = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert response.status_code == 400, response.text[:300]
    assert says in html.unescape(response.text)
    assert response.headers["content-type"].startswith("text/html")


def test_first_sets_the_feed_size(server: str) -> None:
    assert len(_feed(server, "/feed.xml?first=3").entries) == 3
    assert len(_feed(server, "/states/UT/feed.xml?first=2").entries) == 2
