"""Saved searches over real HTTP (a real `kb serve` on the seeded graph): save the search
on screen, see it on the home page with what is new since the last visit, delete it;
CSRF, sign-in and bad searches refused with a clear page."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from kb.graph.db import Graph
from kb.graph.tokens import create_token
from tests.web.conftest import shot
from tests.web.forms_support import HTML, save_a_search_in_the_browser, signed_in

WORD = "quokkaforms"  # in no seed record


def _save_form(client: httpx.Client, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'<form class="save-search".*?</form>', page.text, re.S)
    assert found, "no save form on " + path
    fields = re.findall(r'name="(csrf|search)" value="([^"]*)"', found.group(0))
    return {name: html.unescape(value) for name, value in fields}


def _saved(client: httpx.Client) -> list[tuple[str, str]]:
    """(name, what is new) of each saved search on the home page."""
    page = client.get("/")
    assert page.status_code == 200
    items = re.findall(
        r'<li data-saved-search="\w+"><a href="[^"]*">([^<]+)</a>\s*'
        r'(?:<span class="new-count[^"]*">([^<]+)</span>)?',
        page.text,
    )
    return [(html.unescape(name), new) for name, new in items]


def _add_lesson(client: httpx.Client, key: str, title: str, state: str = "UT") -> None:
    page = client.get("/lessons/new").text
    hidden = dict(re.findall(r'name="(csrf|submission)" value="([^"]+)"', page))
    data = {
        **hidden,
        "key": key,
        "title": title,
        "context": "A test wrote it.",
        "lesson": f"Saved searches hear of {WORD} lessons.",
        "recommendation": "Look at the home page.",
        "status": "OBSERVATION",
        "state": state,
        "source": "https://www.naspo.org/",
        "illustrative": "true",
    }
    response = client.post("/lessons/new", data=data)
    assert response.status_code == 303, response.text[-600:]


@pytest.fixture(scope="module")
def secret(session_graph: Graph, server: str) -> str:
    return create_token(session_graph, "saved-searcher", "editor")[1]


def test_anonymous_users_get_no_save_form_and_cannot_post(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60, headers=HTML) as client:
        assert 'class="save-search"' not in client.get("/?q=rfp").text
        assert 'id="saved-searches"' not in client.get("/").text
        response = client.post("/saved-searches", data={"csrf": "x", "search": "/?q=rfp"})
        assert response.status_code == 401 and "nothing was saved" in response.text


def test_save_see_what_is_new_and_delete(server: str, secret: str, session_graph: Graph) -> None:
    with signed_in(server, secret) as client:
        assert "None yet" in client.get("/").text
        form = _save_form(client, f"/?q={WORD}&kind=lesson&state=UT")
        assert form["search"] == f"/?q={WORD}&kind=lesson&state=UT"
        response = client.post("/saved-searches", data=form)
        assert response.status_code == 303 and response.headers["location"] == "/#saved-searches"
        assert client.post("/saved-searches", data=form).status_code == 303  # saved once
        name = f"“{WORD}” · kind lesson · state UT"
        assert _saved(client) == [(name, "0 new since you saved it")]

        _add_lesson(client, "L-9201", f"A {WORD} lesson")
        assert _saved(client) == [(name, "1 new since you saved it")]

        # A visit that ended an hour ago, of a search saved three hours ago: what was
        # created since is new "since your last visit", all through this visit.
        session_graph.write(
            "MATCH (s:SavedSearch) SET s.createdAt = $saved "
            "WITH 1 AS one MATCH (v:Visitor) SET v.lastSeenAt = $seen",
            saved=datetime.now(UTC) - timedelta(hours=3),
            seen=datetime.now(UTC) - timedelta(hours=1),
        )
        assert _saved(client) == [(name, "1 new since your last visit")]
        _add_lesson(client, "L-9202", f"Another {WORD} lesson")
        assert _saved(client) == [(name, "2 new since your last visit")]
        # A lesson of another state is not new for this search.
        _add_lesson(client, "L-9203", f"A {WORD} lesson from Colorado", state="CO")
        assert _saved(client) == [(name, "2 new since your last visit")]

        home = client.get("/").text
        delete = re.search(r'<form method="post" action="(/saved-searches/\w+/delete)"', home)
        assert delete
        csrf = form["csrf"]
        assert client.post(delete.group(1), data={"csrf": "forged"}).status_code == 403
        assert client.post(delete.group(1), data={"csrf": csrf}).status_code == 303
        assert _saved(client) == []
        assert client.post(delete.group(1), data={"csrf": csrf}).status_code == 404
    rows = session_graph.read("MATCH (s:SavedSearch) RETURN count(s) AS n")
    assert rows[0]["n"] == 0


@pytest.mark.parametrize(
    ("search", "status", "says"),
    [
        ("/?q=rfp&state=ZZ", 400, "state=&#39;ZZ&#39; is not a known state"),
        ("/?page=0&q=rfp", 400, "is not a page number"),
        ("/", 400, "need a query or a filter"),
        ("/?q=" + "x" * 600, 400, "at most 500 characters"),
    ],
)
def test_a_bad_search_is_not_saved(
    server: str, secret: str, session_graph: Graph, search: str, status: int, says: str
) -> None:
    with signed_in(server, secret) as client:
        form = _save_form(client, "/?q=rfp")
        response = client.post("/saved-searches", data={**form, "search": search})
        assert response.status_code == status, response.text[:400]
        assert says in response.text
        assert client.post("/saved-searches", data={**form, "csrf": "no"}).status_code == 403
    rows = session_graph.read("MATCH (s:SavedSearch) RETURN count(s) AS n")
    assert rows[0]["n"] == 0


def test_saved_searches_in_the_browser(server: str, secret: str, page: Any) -> None:
    save_a_search_in_the_browser(page, server, secret, "protest")
    assert page.locator("#saved-search-list li a").first.inner_text() == "“protest”"
    shot(page, "saved-searches-1280")
    page.locator("#saved-search-list li a").first.click()
    page.wait_for_selector("ol.results li.hit")
    assert "q=protest" in page.url
