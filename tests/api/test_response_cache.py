"""The response cache: repeat reads are served from memory until the graph changes."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from kb.api.ids import encode_id
from kb.app import create_app
from kb.config import Settings
from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx
from kb.graph.tokens import create_token

QUERY = '{ alliance(slug: "sourcewell") { name members(first: 5) { totalCount } } }'


def _client(settings: Settings, graph: Graph, tmp_path: Path, size: int = 64) -> TestClient:
    isolated = dataclasses.replace(settings, index_dir=tmp_path / "index", response_cache=size)
    return TestClient(create_app(isolated, graph))


def _get(client: TestClient, query: str = QUERY, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/graphql", json={"query": query}, headers=headers)


def test_a_repeated_read_is_a_hit_with_the_same_body(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    with _client(settings, seeded_graph, tmp_path) as client:
        first, second = _get(client), _get(client)
    assert first.headers["x-kb-cache"] == "miss"
    assert second.headers["x-kb-cache"] == "hit"
    assert second.content == first.content
    assert second.json()["data"]["alliance"]["name"] == "Sourcewell"


def test_a_write_through_the_api_invalidates(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    _, secret = create_token(seeded_graph, "cache-admin", "admin")  # renames reference data
    rename = """mutation($i: UpdateAllianceInput!) { updateAlliance(input: $i) {
        alliance { name } } }"""
    with _client(settings, seeded_graph, tmp_path) as client:
        _get(client)
        assert _get(client).headers["x-kb-cache"] == "hit"
        changed = client.post(
            "/graphql",
            json={
                "query": rename,
                "variables": {
                    "i": {"id": encode_id("Alliance", "sourcewell"), "name": "Sourcewell (renamed)"}
                },
            },
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert changed.headers.get("x-kb-cache") is None  # mutations are never cached
        assert changed.json()["data"]["updateAlliance"]["alliance"]["name"].endswith("(renamed)")
        after = _get(client)
    assert after.headers["x-kb-cache"] == "miss"
    assert after.json()["data"]["alliance"]["name"] == "Sourcewell (renamed)"


def test_a_write_by_another_process_invalidates_after_the_poll(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    def rename(tx: Tx) -> None:  # as another process would: the write and its change entry
        tx.run("MATCH (a:Alliance {id: 'sourcewell'}) SET a.name = 'Sourcewell (elsewhere)'")
        record_changes(tx, "Alliance", ["sourcewell"], "UPSERT", "other-process")

    with _client(settings, seeded_graph, tmp_path) as client:
        _get(client)
        seeded_graph.execute_write(rename)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            response = _get(client)
            if response.headers["x-kb-cache"] == "miss":
                break
            time.sleep(0.2)
    assert response.json()["data"]["alliance"]["name"] == "Sourcewell (elsewhere)"


def test_roles_errors_and_a_disabled_cache(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    _, reader = create_token(seeded_graph, "cache-reader", "reader")
    with _client(settings, seeded_graph, tmp_path) as client:
        _get(client)
        assert _get(client, token=reader).headers["x-kb-cache"] == "miss"  # another role
        bad = '{ state(code: "UT") { nosuchfield } }'
        assert "errors" in _get(client, bad).json()
        assert _get(client, bad).headers["x-kb-cache"] == "miss"  # errors are not kept
    with _client(settings, seeded_graph, tmp_path / "off", size=0) as client:
        assert "x-kb-cache" not in _get(client).headers
