"""Editors submit and edit lessons and practices from the web: the API's own checks,
problems next to their fields, CSRF, sign-in (readers cannot), and search at once."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from kb.graph.db import Graph
from kb.graph.tokens import create_token
from tests.web.conftest import shot


def _sign_in(client: httpx.Client, secret: str) -> httpx.Response:
    form = client.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    return client.post("/signin?next=/lessons/new", data={"token": secret, "csrf": csrf})


def _hidden(client: httpx.Client, path: str) -> dict[str, str]:
    """The form's CSRF token and one-time submission id."""
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return dict(re.findall(r'name="(csrf|submission)" value="([^"]+)"', page.text))


@pytest.fixture(scope="module")
def editor(session_graph: Graph, server: str) -> str:
    return create_token(session_graph, "lesson-author", "editor")[1]


def test_forms_need_a_signed_in_editor(server: str, session_graph: Graph) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        response = client.get("/lessons/new")
        assert response.status_code == 303 and "/signin" in response.headers["location"]
        _, reader = create_token(session_graph, "reader-of-lessons", "reader")
        assert _sign_in(client, reader).status_code == 401
        assert client.get("/practices/lead-state-model/edit").status_code == 303


def test_a_bad_lesson_shows_the_apis_problems_by_field(server: str, editor: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        _sign_in(client, editor)
        data = {
            **_hidden(client, "/lessons/new"),
            "key": "L-9001",
            "title": "",
            "state": "XX",
            "status": "LESSON_LEARNED",
        }
        response = client.post("/lessons/new", data=data)
        assert response.status_code == 422
        errors = dict(
            re.findall(r'<strong class="field-error" id="e-(\w+)"[^>]*>([^<]+)<', response.text)
        )
        assert "title" in errors and "state" in errors, errors
        assert client.get("/lessons/L-9001", headers={"accept": "text/html"}).status_code == 404
        forged = client.post("/lessons/new", data={**data, "csrf": "forged", "title": "Fine"})
        assert forged.status_code == 403


def test_edit_a_practice_changes_its_page(server: str, editor: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        _sign_in(client, editor)
        page = client.get("/practices/lead-state-model/edit")
        assert 'value="The lead-state model of cooperative solicitation"' in page.text
        hidden = dict(re.findall(r'name="(csrf|submission)" value="([^"]+)"', page.text))
        values = dict(
            re.findall(r'<input id="f-\w+" name="(\w+)" type="\w+" value="([^"]*)"', page.text)
        )
        values["title"] = "The lead-state model, revised"
        response = client.post("/practices/lead-state-model/edit", data={**values, **hidden})
        assert response.status_code == 303, response.text[-600:]
        assert "The lead-state model, revised" in client.get("/practices/lead-state-model").text
        values["title"] = "The lead-state model of cooperative solicitation"
        hidden = _hidden(client, "/practices/lead-state-model/edit")
        client.post("/practices/lead-state-model/edit", data={**values, **hidden})


def test_submit_a_lesson_in_the_browser(server: str, editor: str, page: Any) -> None:
    page.goto(f"{server}/lessons/new")
    assert "/signin" in page.url
    page.fill("#token", editor)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("#f-key")
    page.fill("#f-key", "L-9002")
    page.fill("#f-title", "Zebracorn tenders need a pre-bid walkthrough")
    page.fill("#f-lesson", "Bidders who walked the site priced the zebracorn enclosure well.")
    page.fill("#f-context", "A zoo bought a zebracorn enclosure on a cooperative contract.")
    page.fill("#f-recommendation", "Hold a walkthrough before bids are due.")
    page.fill("#f-recordedOn", "2026-11-30")
    page.fill("#f-source", "https://www.naspo.org/")
    page.fill("#f-state", "QQ")
    page.select_option("#f-status", "LESSON_LEARNED")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#e-state")
    shot(page, "09-lesson-form")
    page.fill("#f-state", "UT")
    page.click("button:has-text('Save')")
    page.wait_for_url(f"{server}/lessons/L-9002", timeout=10_000)
    assert page.locator("h1").inner_text() == "Zebracorn tenders need a pre-bid walkthrough"
    page.goto(f"{server}/?q=zebracorn")
    assert page.locator("a[href='/lessons/L-9002']").count() >= 1
