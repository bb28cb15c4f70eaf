"""Trainer pages: list, view, sign in, build; CSRF, sessions and bad input."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token, revoke_token
from kb.web.session import COOKIE, Session, secret_key
from tests.web.conftest import shot

CURRICULUM = "new-buyer-onboarding"


def _sign_in(client: httpx.Client, secret: str, next_path: str = "/curricula") -> httpx.Response:
    form = client.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    return client.post(f"/signin?next={next_path}", data={"token": secret, "csrf": csrf})


def _builder_csrf(client: httpx.Client) -> str:
    page = client.get(f"/curricula/{CURRICULUM}/builder")
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def _modules(client: httpx.Client) -> str:
    text = client.get(f"/curricula/{CURRICULUM}").text
    return "\n".join(re.findall(r"<h2 id=\"module-[^\"]+\">([^<]+)</h2>", text))


@pytest.fixture(scope="module")
def editor(session_graph: Graph, server: str) -> str:
    return create_token(session_graph, "trainer", "editor")[1]


def test_list_and_view_are_open(server: str) -> None:
    listing = httpx.get(f"{server}/curricula")
    assert listing.status_code == 200
    assert len(re.findall(r'href="/curricula/[a-z0-9-]+"', listing.text)) >= 3
    view = httpx.get(f"{server}/curricula/{CURRICULUM}")
    assert view.status_code == 200
    assert "Learning objectives" in view.text and "Coverage" in view.text
    assert httpx.get(f"{server}/curricula/no-such-course").status_code == 404


def test_exports_are_linked_and_served(server: str) -> None:
    markdown = httpx.get(f"{server}/curricula/{CURRICULUM}/export.md")
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# ") and "objective" in markdown.text.lower()
    printable = httpx.get(f"{server}/curricula/{CURRICULUM}/export.html")
    assert printable.status_code == 200 and "<h1>" in printable.text
    assert httpx.get(f"{server}/curricula/{CURRICULUM}/export.pdf").status_code == 404
    assert httpx.get(f"{server}/curricula/no-such-course/export.md").status_code == 404


def test_builder_needs_sign_in_and_an_editor(server: str, session_graph: Graph) -> None:
    with httpx.Client(base_url=server) as client:
        redirect = client.get(f"/curricula/{CURRICULUM}/builder")
        assert redirect.status_code == 303
        assert redirect.headers["location"].startswith("/signin?next=")
        _, reader = create_token(session_graph, "reader-only", "reader")
        refused = _sign_in(client, reader)
        assert refused.status_code == 401 and "building needs editor" in refused.text
        unknown = _sign_in(client, "kb_not-a-token")
        assert unknown.status_code == 401 and "unknown or revoked" in unknown.text


def test_sign_in_cookie_is_httponly_and_next_stays_on_site(server: str, editor: str) -> None:
    with httpx.Client(base_url=server) as client:
        response = _sign_in(client, editor, "//evil.example/")
        assert response.status_code == 303 and response.headers["location"] == "/curricula"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower()


def test_forged_or_missing_csrf_changes_nothing(server: str, editor: str) -> None:
    with httpx.Client(base_url=server) as client:
        _sign_in(client, editor)
        before = _modules(client)
        for data in ({"csrf": "forged"}, {}):
            response = client.post(
                f"/curricula/{CURRICULUM}/builder",
                data={**data, "action": "add-module", "title": "Forged"},
            )
            assert response.status_code == 403
            assert "nothing was changed" in response.text
        signin = client.post("/signin", data={"token": editor, "csrf": "forged"})
        assert signin.status_code == 403
        assert _modules(client) == before


def test_expired_or_revoked_session_must_sign_in_again(
    server: str, session_graph: Graph, settings: Settings
) -> None:
    token, secret = create_token(session_graph, "short-lived", "editor")
    stale = Session(token.id, int(time.time()) - 60, "abc123")
    with httpx.Client(base_url=server, cookies={COOKIE: stale.encode(secret_key(settings))}) as c:
        response = c.get(f"/curricula/{CURRICULUM}/builder")
        assert response.status_code == 303 and "expired" in response.headers["location"]
    with httpx.Client(base_url=server) as client:
        _sign_in(client, secret)
        assert client.get(f"/curricula/{CURRICULUM}/builder").status_code == 200
        revoke_token(session_graph, token.id)
        assert client.get(f"/curricula/{CURRICULUM}/builder").status_code == 303


def test_bad_builder_input_is_reported_and_changes_nothing(server: str, editor: str) -> None:
    with httpx.Client(base_url=server, follow_redirects=True) as client:
        _sign_in(client, editor)
        csrf = _builder_csrf(client)
        before = _modules(client)
        cases = [
            {"action": "add-module", "title": ""},
            {"action": "move-module", "module": "no-such-module", "position": "1"},
            {
                "action": "add-item",
                "module": "no-such-module",
                "kind": "practice",
                "item": "handling-bid-protests",
            },
            {"action": "add-item", "module": "x", "kind": "practice", "item": "no-such-practice"},
            {"action": "remove-item", "kind": "lesson", "item": "L-0001"},
        ]
        for data in cases:
            page = client.post(f"/curricula/{CURRICULUM}/builder", data={"csrf": csrf, **data})
            assert 'id="builder-problem"' in page.text, data
        bad = client.post(
            f"/curricula/{CURRICULUM}/builder",
            data={"csrf": csrf, "action": "move-module", "module": "m", "position": "first"},
        )
        assert bad.status_code == 400 and "is not a number" in bad.text
        assert _modules(client) == before


def test_build_in_the_browser(server: str, editor: str, page: Any) -> None:
    page.goto(f"{server}/curricula/{CURRICULUM}/builder")
    assert "/signin" in page.url
    page.fill("#token", editor)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("#find")

    page.fill("#module-title", "Protests and debriefings")
    page.fill("#module-objectives", "Run a debriefing\nAnswer a bid protest")
    page.click("button:has-text('Add module')")
    page.wait_for_selector("#builder-message")
    assert page.locator("h2:has-text('Protests and debriefings')").count() == 1

    page.fill("#find", "bid protest")
    page.click("button:has-text('Find')")
    page.wait_for_selector("#found li")
    row = page.locator("#found li", has_text="Handling bid protests")
    row.locator("select").select_option(label="Protests and debriefings")
    row.locator("button:has-text('Add')").click()
    page.wait_for_selector("#builder-message")
    module = page.locator("section.module", has_text="Protests and debriefings")
    assert module.locator("li[data-item='handling-bid-protests']").count() == 1
    assert page.locator("#warnings-heading").count() == 1
    assert page.locator("#coverage-heading").count() == 1
    shot(page, "07-builder")

    page.goto(f"{server}/curricula/{CURRICULUM}")
    assert page.locator("h2:has-text('Protests and debriefings')").count() == 1
    shot(page, "08-curriculum")
