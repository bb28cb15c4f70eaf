"""GraphQL `search` and `relatedItems`, and a write through the API being searchable."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from kb.api.ids import encode_id
from kb.app import create_app
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token

SEARCH = """query($q: String!, $where: SearchWhere, $after: String) {
  search(query: $q, where: $where, first: 5, after: $after) {
    totalCount suggestion pageInfo { hasNextPage endCursor }
    hits { kind key title highlights { field fragments } node { ... on Lesson { status } } }
    facets { kind { value count } state { value count } }
  } }"""


def _client(settings: Settings, graph: Graph, tmp_path: Path) -> TestClient:
    isolated = dataclasses.replace(settings, index_dir=tmp_path / "index")
    return TestClient(create_app(isolated, graph))


def _post(client: TestClient, query: str, variables: dict[str, Any], token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_search_returns_hits_facets_and_pages(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    with _client(settings, seeded_graph, tmp_path) as client:
        body = _post(client, SEARCH, {"q": "participating addendum"})
        result = body["data"]["search"]
        assert result["totalCount"] > 5
        assert result["pageInfo"]["hasNextPage"] is True
        assert any(
            "<mark>" in f for h in result["hits"] for x in h["highlights"] for f in x["fragments"]
        )
        kinds = {f["value"]: f["count"] for f in result["facets"]["kind"]}
        assert sum(kinds.values()) == result["totalCount"]

        after = result["pageInfo"]["endCursor"]
        second = _post(client, SEARCH, {"q": "participating addendum", "after": after})
        first_keys = {h["key"] for h in result["hits"]}
        assert first_keys.isdisjoint(h["key"] for h in second["data"]["search"]["hits"])

        only = _post(
            client,
            SEARCH,
            {"q": "participating addendum", "where": {"kinds": ["lesson"], "states": ["MO"]}},
        )
        hits = only["data"]["search"]["hits"]
        assert hits and {h["kind"] for h in hits} == {"lesson"}
        assert all(h["node"]["status"] for h in hits)


def test_search_bad_input_is_coded(settings: Settings, seeded_graph: Graph, tmp_path: Path) -> None:
    with _client(settings, seeded_graph, tmp_path) as client:
        body = _post(client, SEARCH, {"q": "x" * 10_001})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        bad_kind = _post(client, SEARCH, {"q": "rfp", "where": {"kinds": ["spaceship"]}})
        assert bad_kind["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "spaceship" in bad_kind["errors"][0]["message"]


def test_related_items_blend_text_and_graph(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    query = """{ practice(slug: "participating-addenda") {
        relatedItems(first: 5) { kind key score textScore graphScore } } }"""
    with _client(settings, seeded_graph, tmp_path) as client:
        items = _post(client, query, {})["data"]["practice"]["relatedItems"]
    assert len(items) == 5
    assert "participating-addenda" not in {i["key"] for i in items}
    assert items == sorted(items, key=lambda i: -i["score"])
    assert any(i["graphScore"] > 0 for i in items) and any(i["textScore"] > 0 for i in items)


def test_a_write_through_the_api_is_searchable_at_once(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    _, secret = create_token(seeded_graph, "search-editor", "editor")
    mutation = """mutation($input: CreateLessonInput!) {
        createLesson(input: $input) { lesson { key } } }"""
    lesson = {
        "key": "L-4242",
        "title": "Quokka telemetry contracts need clear data clauses",
        "context": "A quokka-tracking telemetry buy stalled over data ownership.",
        "lesson": "Spell out data ownership.",
        "recommendation": "Use the clause.",
        "status": "OBSERVATION",
        "state": encode_id("State", "UT"),
        "illustrative": True,
    }
    with _client(settings, seeded_graph, tmp_path) as client:
        before = _post(client, SEARCH, {"q": "quokka"})["data"]["search"]["totalCount"]
        created = _post(client, mutation, {"input": lesson}, secret)
        assert created["data"]["createLesson"]["lesson"]["key"] == "L-4242"
        after = _post(client, SEARCH, {"q": "quokka"})["data"]["search"]
    assert before == 0
    assert [h["key"] for h in after["hits"]] == ["L-4242"]
