"""The services of ``kb.api`` the pages use instead of the graph: token lookups, the
curriculum export, and the cursor that starts a numbered search page."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kb.api.auth import viewer_for_token, viewer_for_token_id
from kb.api.context import Viewer
from kb.api.exports import curriculum_export
from kb.api.search import page_cursor
from kb.app import create_app
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token, revoke_token

SEARCH = """query($q: String!, $after: String) {
  search(query: $q, first: 10, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } hits { kind key cursor } } }"""


def test_a_token_is_a_viewer_until_it_is_revoked(graph: Graph) -> None:
    token, secret = create_token(graph, "trainer", "editor")
    expected = Viewer("trainer", "editor", token.id)
    assert asyncio.run(viewer_for_token(graph, secret)) == expected
    assert asyncio.run(viewer_for_token_id(graph, token.id)) == expected
    assert asyncio.run(viewer_for_token(graph, secret + "x")) is None
    assert asyncio.run(viewer_for_token_id(graph, "no-such-id")) is None
    revoke_token(graph, token.id)
    assert asyncio.run(viewer_for_token(graph, secret)) is None
    assert asyncio.run(viewer_for_token_id(graph, token.id)) is None


def test_the_export_of_an_unknown_curriculum_is_none(graph: Graph) -> None:
    assert asyncio.run(curriculum_export(graph, "no-such-curriculum", "md")) is None
    with pytest.raises(ValueError, match="'pdf' is not offered; expected md or html"):
        asyncio.run(curriculum_export(graph, "no-such-curriculum", "pdf"))


def test_page_cursor_refuses_page_zero() -> None:
    assert page_cursor(1, 10) is None
    with pytest.raises(ValueError, match="page 0 of size 10"):
        page_cursor(0, 10)


def _search(client: TestClient, q: str, after: str | None) -> Any:
    response = client.post(
        "/graphql", json={"query": SEARCH, "variables": {"q": q, "after": after}}
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["search"]


def test_page_cursors_are_the_cursors_the_api_returns(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    # Numbered pages (?page=N) and cursor paging must land on the same hits.
    isolated = dataclasses.replace(settings, index_dir=tmp_path / "index")
    with TestClient(create_app(isolated, seeded_graph)) as client:
        first = _search(client, "contract", None)
        assert first["totalCount"] > 20 and first["pageInfo"]["hasNextPage"]
        assert page_cursor(2, 10) == first["pageInfo"]["endCursor"] == first["hits"][-1]["cursor"]
        second = _search(client, "contract", first["pageInfo"]["endCursor"])
        assert page_cursor(3, 10) == second["pageInfo"]["endCursor"]

        # The search page's page 2 shows exactly the API's second page.
        html = client.get("/", params={"q": "contract", "page": "2"}).text
        shown = re.findall(
            r'href="/(?:practices|lessons|contracts)/([^"]+)" class="hit-title"', html
        )
        assert shown == [h["key"] for h in second["hits"]]
