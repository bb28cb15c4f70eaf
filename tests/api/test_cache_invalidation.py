"""The response cache survives writes: a change drops only the cached responses it can
affect (by label, or by node for by-key reads), over real HTTP on a real Neo4j."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from kb.api.cache import ResponseCache
from kb.api.cache_deps import NODE_LABELS, Dependencies, dependencies
from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.app import create_app
from kb.config import Settings
from kb.graph.changes import Change
from kb.graph.db import Graph
from kb.graph.tokens import create_token

STATES = "{ states(first: 100) { nodes { code name } } }"
LESSONS = "{ lessons(first: 100) { nodes { key title } } }"
UT_LESSONS = '{ state(code: "UT") { lessons(first: 100) { nodes { key title } } } }'
WA = '{ state(code: "WA") { code name } }'
UPDATE = """mutation($i: UpdateLessonInput!) { updateLesson(input: $i) { lesson { title } } }"""
ELIGIBLE = """query($c: String!) { state(code: $c) {
    eligibleContracts(first: 100) { totalCount nodes { key } } } }"""
MEMBERSHIP = """mutation($i: MembershipInput!) { setMembership(input: $i) { __typename } }"""


def _client(settings: Settings, graph: Graph, tmp_path: Path, size: int = 64) -> TestClient:
    isolated = dataclasses.replace(settings, index_dir=tmp_path / "index", response_cache=size)
    return TestClient(create_app(isolated, graph))


def _post(
    client: TestClient, query: str, variables: dict[str, Any] | None = None, secret: str = ""
) -> Any:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert "errors" not in response.json(), response.json()
    return response


def _cache(response: Any) -> str | None:
    value: str | None = response.headers.get("x-kb-cache")
    return value


def test_a_lesson_write_keeps_state_reads_and_drops_lesson_reads(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    _, secret = create_token(seeded_graph, "cache-editor", "admin")
    with _client(settings, seeded_graph, tmp_path) as client:
        lesson = _post(client, UT_LESSONS).json()["data"]["state"]["lessons"]["nodes"][0]
        for query in (STATES, LESSONS, UT_LESSONS, WA):
            _post(client, query)
            assert _cache(_post(client, query)) == "hit", query
        title = "Write the cooperative contract's renewal terms into the plan"
        variables = {"i": {"id": encode_id("Lesson", lesson["key"]), "title": title}}
        assert _cache(_post(client, UPDATE, variables, secret)) is None  # never cached

        assert _cache(_post(client, STATES)) == "hit"  # no lesson in it
        assert _cache(_post(client, WA)) == "hit"  # another node's by-key read
        for query in (LESSONS, UT_LESSONS):
            after = _post(client, query)
            assert _cache(after) == "miss", query
            assert title in after.text, query
            assert _cache(_post(client, query)) == "hit", query  # kept again at once
        counters = client.get("/readyz").json()["responseCache"]
    assert counters["evictedByChange"] >= 2
    assert counters["hits"] >= 6 and counters["misses"] >= 6


def test_a_membership_change_drops_eligible_contracts(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    _, secret = create_token(seeded_graph, "cache-admin", "admin")
    # A state outside an alliance that awarded contracts (the one with most).
    row = seeded_graph.read(
        "MATCH (a:Alliance)-[:AWARDED]->(c:Contract) WITH a, count(c) AS n "
        "MATCH (s:State) WHERE NOT (s)-[:MEMBER_OF]->(:Alliance)<-[:ARM_OF*0..]-(a) "
        "RETURN s.id AS state, a.id AS alliance ORDER BY n DESC, a.id, s.id LIMIT 1"
    )[0]
    state, alliance = row["state"], row["alliance"]
    ids = {
        "state": encode_id("State", state),
        "alliance": encode_id("Alliance", alliance),
        "since": "2001-01-01",
    }
    with (
        _client(settings, seeded_graph, tmp_path) as client,
        _client(settings, seeded_graph, tmp_path / "off", size=0) as uncached,
    ):
        before = _post(client, ELIGIBLE, {"c": state})
        assert _cache(_post(client, ELIGIBLE, {"c": state})) == "hit"
        _post(client, LESSONS)
        _post(client, MEMBERSHIP, {"i": ids}, secret)
        after = _post(client, ELIGIBLE, {"c": state})
        fresh = _post(uncached, ELIGIBLE, {"c": state})
        lessons = _post(client, LESSONS)
    assert _cache(after) == "miss"
    assert after.json() == fresh.json()
    assert after.json() != before.json(), (state, alliance)
    assert _cache(lessons) == "hit"  # a membership changes no lesson


def test_a_replaced_graph_clears_every_entry(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    with _client(settings, seeded_graph, tmp_path) as client:
        for query in (STATES, WA):
            _post(client, query)
            assert _cache(_post(client, query)) == "hit"
        # A restore from a backup: another change log, whatever its sequence numbers.
        seeded_graph.write("MATCH (s:Sequence {name: 'changes'}) SET s.epoch = randomUUID()")
        deadline = time.monotonic() + 20  # the background poll rebuilds the index
        while _cache(_post(client, WA)) == "hit" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _cache(_post(client, STATES)) == "miss"
        counters = client.get("/readyz").json()["responseCache"]
    assert counters["clears"] >= 1


def test_entries_follow_the_change_log_in_order() -> None:
    """Without a server: what a batch drops, a gap, and a late answer."""
    cache = ResponseCache()
    states, ut = (
        Dependencies(labels=frozenset({"State"})),
        Dependencies(keys=frozenset({("State", "UT")})),
    )
    lessons = Dependencies(labels=frozenset({"Lesson"}))
    cache.apply_changes("e1", [])
    cache.put("states", ("e1", 0), b"s", states)
    cache.put("ut", ("e1", 0), b"u", ut)
    cache.put("lessons", ("e1", 0), b"l", lessons)
    cache.apply_changes("e1", [Change(1, "State", "WA", "UPSERT")])
    assert cache.get("states", ("e1", 1)) is None
    assert cache.get("ut", ("e1", 1)) == b"u"  # another state
    assert cache.get("lessons", ("e1", 1)) == b"l"
    cache.put("states", ("e1", 0), b"old", states)  # read before change 1: not kept
    assert cache.get("states", ("e1", 1)) is None
    cache.apply_changes("e1", [Change(3, "Lesson", "L-1", "UPSERT")])  # 2 is missing
    assert len(cache) == 0
    cache.put("lessons", ("e1", 3), b"l", lessons)
    assert cache.get("lessons", ("e1", 4)) is None  # a version it was not told about
    assert cache.evicted_by_change == 1 and cache.clears == 2


def test_what_a_document_depends_on(schema: Schema) -> None:
    graphql = schema._schema

    def deps(query: str, variables: dict[str, Any] | None = None) -> Dependencies:
        return dependencies(graphql, query, None, variables)

    assert deps(STATES) == Dependencies(labels=frozenset({"State"}))
    assert deps("{ lessons { totalCount } }").labels == {"Lesson"}  # no node selected
    assert deps(UT_LESSONS).labels == {"State", "Lesson"}
    assert deps(WA) == Dependencies(keys=frozenset({("State", "WA")}))
    by_variable = "query($c: String!) { state(code: $c) { name history { at } } }"
    assert deps(by_variable, {"c": "ut"}).keys == {("State", "UT")}
    assert deps(ELIGIBLE, {"c": "UT"}).labels == {"State", "Contract", "Alliance"}
    fragment = """{ state(code: "UT") { ...F } } fragment F on State {
        practices { nodes { lessons { totalCount } } } }"""
    assert deps(fragment).labels == {"State", "Practice", "Lesson"}
    assert deps('{ node(id: "x") { id } }').labels == NODE_LABELS  # any node type
    assert deps('{ search(query: "x") { totalCount } }').labels == NODE_LABELS
    assert deps("{ stats { nodes { label } } }").everything
    assert deps("{ curricula { totalCount } }").everything
    # Vendors: listed through their awards' contracts, alliances and categories.
    vendors = '{ vendors(where: {alliance: "x"}) { nodes { name contracts { number } } } }'
    assert deps(vendors).labels == {"Vendor", "Contract", "Alliance", "Category"}
    # (a Vendor reached at all reaches its agreements' contracts: safe, a little wide)
    assert deps('{ vendor(slug: "x") { name } }').labels == {"Vendor", "Contract"}
    assert deps('{ contract(slug: "x") { vendors { vendor { name } } } }').labels == {
        "Contract", "Vendor",
    }  # fmt: skip
