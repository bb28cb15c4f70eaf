"""The record forms over real HTTP (a real `kb serve`): a form posted twice writes once,
a post without a live session is a 401 page, an oversized post a 413 page, and the
illustrative checkbox and the practice links reach the record."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token, revoke_token
from kb.web.forms_common import MAX_FORM_BYTES
from kb.web.session import COOKIE, Session, secret_key
from tests.web.forms_support import HTML, signed_in


def _form(client: httpx.Client, path: str) -> dict[str, str]:
    """The hidden fields of the form at ``path`` (CSRF token and submission id)."""
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return dict(
        re.findall(r'<input type="hidden" name="(csrf|submission)" value="([^"]*)"', page.text)
    )


def _changes(graph: Graph, label: str, key: str) -> int:
    rows = graph.read(
        "MATCH (c:Change {label: $label, id: $key}) RETURN count(c) AS n", label=label, key=key
    )
    return int(rows[0]["n"])


def _lesson(key: str, title: str) -> dict[str, str]:
    return {
        "key": key,
        "title": title,
        "context": "Two tabs held the same form.",
        "lesson": "A form sent twice must be saved once.",
        "recommendation": "Send it once; the site copes when you do not.",
        "status": "OBSERVATION",
        "state": "UT",
        "source": "https://www.naspo.org/",
        "illustrative": "true",
    }


@pytest.fixture(scope="module")
def editor(session_graph: Graph, server: str) -> Iterator[httpx.Client]:
    secret = create_token(session_graph, "double-submitter", "editor")[1]
    with signed_in(server, secret) as client:
        yield client


def test_a_create_form_posted_twice_writes_once(editor: httpx.Client, session_graph: Graph) -> None:
    hidden = _form(editor, "/lessons/new")
    data = {**hidden, **_lesson("L-9101", "Forms sent twice are saved once")}
    first = editor.post("/lessons/new", data=data)
    assert first.status_code == 303 and first.headers["location"] == "/lessons/L-9101"
    again = editor.post("/lessons/new", data=data)  # the reload that re-posts
    assert again.status_code == 303 and again.headers["location"] == "/lessons/L-9101"
    rows = session_graph.read("MATCH (l:Lesson {id: 'L-9101'}) RETURN count(l) AS n")
    assert rows[0]["n"] == 1
    assert _changes(session_graph, "Lesson", "L-9101") == 1
    # A fresh form (a new submission id) is a new submission: the API refuses the key.
    fresh = editor.post("/lessons/new", data={**data, **_form(editor, "/lessons/new")})
    assert fresh.status_code == 422 and 'id="e-key"' in fresh.text
    assert _changes(session_graph, "Lesson", "L-9101") == 1


def test_racing_posts_of_one_form_write_once(editor: httpx.Client, session_graph: Graph) -> None:
    hidden = _form(editor, "/lessons/new")
    data = {**hidden, **_lesson("L-9102", "A double click on Save")}
    statuses: list[int] = []
    cookies = dict(editor.cookies)

    def post() -> None:
        with httpx.Client(base_url=str(editor.base_url), timeout=60, cookies=cookies) as client:
            statuses.append(client.post("/lessons/new", data=data, headers=HTML).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert len(statuses) == 4 and set(statuses) <= {303, 409}, statuses
    assert 303 in statuses
    assert _changes(session_graph, "Lesson", "L-9102") == 1


def test_an_edit_posted_twice_writes_once(editor: httpx.Client, session_graph: Graph) -> None:
    before = _changes(session_graph, "Lesson", "L-9101")
    hidden = _form(editor, "/lessons/L-9101/edit")
    data = {**hidden, **_lesson("L-9101", "Forms sent twice are saved once, edited")}
    del data["key"]
    for _ in range(3):
        response = editor.post("/lessons/L-9101/edit", data=data)
        assert response.status_code == 303 and response.headers["location"] == "/lessons/L-9101"
    assert _changes(session_graph, "Lesson", "L-9101") == before + 1
    assert "Forms sent twice are saved once, edited" in editor.get("/lessons/L-9101").text


def test_a_refused_post_can_be_corrected_and_sent_with_the_same_form(
    editor: httpx.Client, session_graph: Graph
) -> None:
    hidden = _form(editor, "/lessons/new")
    data = {**hidden, **_lesson("L-9103", "Fix the state, then save"), "state": "QQ"}
    refused = editor.post("/lessons/new", data=data)
    assert refused.status_code == 422 and 'id="e-state"' in refused.text
    # The page sent back carries the same submission id, and it is free again.
    assert f'name="submission" value="{hidden["submission"]}"' in refused.text
    saved = editor.post("/lessons/new", data={**data, "state": "UT"})
    assert saved.status_code == 303 and saved.headers["location"] == "/lessons/L-9103"
    assert _changes(session_graph, "Lesson", "L-9103") == 1


@pytest.mark.parametrize("submission", ["", "not-hex", "A" * 32, "0" * 31])
def test_a_post_without_a_submission_id_saves_nothing(
    editor: httpx.Client, session_graph: Graph, submission: str
) -> None:
    hidden = _form(editor, "/lessons/new")
    data = {**_lesson("L-9104", "No id"), "csrf": hidden["csrf"], "submission": submission}
    response = editor.post("/lessons/new", data=data)
    assert response.status_code == 400, response.text[:300]
    assert "submission id" in response.text and "nothing was saved" in response.text
    assert _changes(session_graph, "Lesson", "L-9104") == 0


def test_an_expired_or_revoked_session_is_a_401_page_and_saves_nothing(
    server: str, session_graph: Graph, settings: Settings
) -> None:
    token, secret = create_token(session_graph, "soon-expired", "editor")
    with signed_in(server, secret) as client:
        hidden = _form(client, "/lessons/new")
        data = {**hidden, **_lesson("L-9105", "Expired")}
        # The same session, its expiry passed (signed with the site's key).
        live = Session.decode(client.cookies[COOKIE].strip('"'), secret_key(settings))
        assert live is not None
        expired = Session(live.token_id, int(time.time()) - 60, live.nonce)
        client.cookies.set(COOKIE, expired.encode(secret_key(settings)))
        response = client.post("/lessons/new", data=data)
        assert response.status_code == 401, response.text[:300]
        assert "Your session has expired; nothing was saved" in response.text
        assert "/signin?next=%2Flessons%2Fnew" in response.text
        # Revoked: the live session's token is gone.
        client.cookies.set(COOKIE, live.encode(secret_key(settings)))
        revoke_token(session_graph, token.id)
        response = client.post("/lessons/L-9101/edit", data=data)
        assert response.status_code == 401 and "nothing was saved" in response.text
        # Reading the form without a session still leads to the sign-in page.
        assert client.get("/lessons/new").status_code == 303
    with httpx.Client(base_url=server, timeout=60, headers=HTML) as anonymous:
        response = anonymous.post("/practices/new", data={"slug": "x", "csrf": "x"})
        assert response.status_code == 401 and "You are not signed in" in response.text
    assert _changes(session_graph, "Lesson", "L-9105") == 0


def test_an_oversized_post_is_a_413_page_and_saves_nothing(
    editor: httpx.Client, session_graph: Graph
) -> None:
    hidden = _form(editor, "/lessons/new")
    data = {**hidden, **_lesson("L-9106", "Too long"), "context": "x" * (MAX_FORM_BYTES + 10)}
    response = editor.post("/lessons/new", data=data)
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert f"at most {MAX_FORM_BYTES} bytes are accepted" in response.text
    # Sent in chunks without a Content-Length, it is cut off at the bound all the same.
    body = httpx.QueryParams(data).__str__().encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    headers = {"content-type": "application/x-www-form-urlencoded"}
    response = editor.post("/lessons/new", content=chunks(), headers=headers)
    assert response.status_code == 413, response.text[:300]
    assert _changes(session_graph, "Lesson", "L-9106") == 0


def test_illustrative_and_practice_links_are_saved_and_shown(
    editor: httpx.Client, session_graph: Graph
) -> None:
    hidden = _form(editor, "/practices/new")
    page = editor.get("/practices/new").text
    for name in ("illustrative", "contracts", "related", "prerequisites", "alliances"):
        assert f'name="{name}"' in page, name
    data = {
        **hidden,
        "slug": "forms-with-links",
        "title": "Practice links from the web form",
        "summary": "A practice that names its contracts and the practices around it.",
        "body": "Read the lead-state model first.",
        "focusArea": "SOURCING_AND_SOLICITATION",
        "states": "UT",
        "contracts": "nvp-cloud-solutions",
        "related": "lead-state-model",
        "prerequisites": "lead-state-model",
        "source": "https://www.naspo.org/",
        "illustrative": ["false", "true"],  # the hidden default, then the ticked box
    }
    response = editor.post("/practices/new", data=data)
    assert response.status_code == 303, response.text[-800:]
    rows = session_graph.read(
        "MATCH (p:Practice {id: 'forms-with-links'}) "
        "RETURN p.illustrative AS illustrative, "
        "[(p)-[:REFERENCES]->(c) | c.id] AS contracts, "
        "[(p)-[:RELATED_TO]->(r) | r.id] AS related, "
        "[(q)-[:PREREQUISITE_OF]->(p) | q.id] AS prerequisites"
    )
    assert rows == [
        {
            "illustrative": True,
            "contracts": ["nvp-cloud-solutions"],
            "related": ["lead-state-model"],
            "prerequisites": ["lead-state-model"],
        }
    ]
    edit = editor.get("/practices/forms-with-links/edit").text
    assert re.search(r'id="f-illustrative"[^>]*checked', edit)
    assert 'value="nvp-cloud-solutions"' in edit
    # Unticked (only the hidden default is sent) and the contracts emptied: both cleared.
    hidden = _form(editor, "/practices/forms-with-links/edit")
    changed = {**data, **hidden, "illustrative": "false", "contracts": ""}
    del changed["slug"]
    response = editor.post("/practices/forms-with-links/edit", data=changed)
    assert response.status_code == 303, response.text[-800:]
    rows = session_graph.read(
        "MATCH (p:Practice {id: 'forms-with-links'}) "
        "RETURN p.illustrative AS illustrative, [(p)-[:REFERENCES]->(c) | c.id] AS contracts"
    )
    assert rows == [{"illustrative": False, "contracts": []}]
