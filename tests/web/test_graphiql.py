"""GraphiQL at /graphql works offline: every request to anything but 127.0.0.1 is aborted,
and the explorer still loads, runs a query and shows the answer from the graph."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from kb.seed import SeedData
from tests.web.conftest import shot


@pytest.fixture
def offline_page(page: Any) -> tuple[Any, list[str]]:
    """The page with the network cut off except for 127.0.0.1; the list collects what
    was refused."""
    refused: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith("data:"):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    return page, refused


def _run(page: Any) -> str:
    page.wait_for_selector(".graphiql-execute-button", timeout=30_000)
    page.click(".graphiql-execute-button")
    response = page.locator(".graphiql-response .CodeMirror")
    response.filter(has_text="data").or_(response.filter(has_text="errors")).wait_for(
        timeout=30_000
    )
    return str(response.inner_text())


def test_graphiql_loads_and_runs_a_query_without_internet(
    server: str, offline_page: tuple[Any, list[str]], seed_data: SeedData
) -> None:
    page, refused = offline_page
    utah = next(s for s in seed_data.states if s.code == "UT")
    query = '{ state(code: "UT") { name code } }'
    page.goto(f"{server}/graphql?q={quote(query)}")
    text = _run(page)
    assert utah.name in text and '"code": "UT"' in text, text
    assert "Loading" not in page.inner_text("#graphiql")
    # The docs explorer reads the schema over the same endpoint.
    page.click("button[aria-label='Show Documentation Explorer']")
    docs = page.locator("section.graphiql-doc-explorer")
    docs.locator(".graphiql-doc-explorer-root-type").first.wait_for(timeout=30_000)
    assert re.search(r"query:\s*Query", docs.inner_text()), docs.inner_text()
    shot(page, "graphiql")
    assert refused == [], f"GraphiQL tried to reach outside 127.0.0.1: {refused}"


def test_graphiql_sends_the_authorization_header_from_its_headers_editor(
    server: str, offline_page: tuple[Any, list[str]]
) -> None:
    page, refused = offline_page
    page.goto(f"{server}/static/style.css")  # same origin, to set GraphiQL's storage
    headers = json.dumps({"Authorization": "Bearer not-a-real-token"})
    page.evaluate("h => localStorage.setItem('graphiql:headers', h)", headers)
    page.goto(f"{server}/graphql?q={quote('{ states(first: 1) { totalCount } }')}")
    text = _run(page)
    assert "the token is unknown or revoked" in text, text
    assert refused == []
