"""The HTTP fast path (kb/api/fast_path.py) answers byte for byte what plain execution
answers, and refuses nothing less than the full path does.

Each document is posted to two apps on the same seeded graph, ``KB_PLANNER=off`` (plain
execution, no fast path) and ``on``; the two response bodies, status codes and content
types must be identical. The planner's ``fast`` counter says whether the fast path
answered, so that a test cannot pass by always falling back. (Every other HTTP test of
the suite runs in ``check`` mode, where the fast path's body is compared with plain
execution's on every request.)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from planner_support import HOSTILE, READS
from starlette.testclient import TestClient

from kb.api import concurrency, planner
from kb.app import create_app
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token

GR = "application/graphql-response+json"


@pytest.fixture
def clients(read_graph: Graph, settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    off = dataclasses.replace(settings, planner="off", response_cache=0)
    on = dataclasses.replace(settings, planner="on", response_cache=0)
    with (
        TestClient(create_app(off, read_graph, search=False)) as plain,
        TestClient(create_app(on, read_graph, search=False)) as fast,
    ):
        yield plain, fast


def _post(client: TestClient, body: dict[str, Any], **headers: str) -> tuple[int, str, bytes]:
    response = client.post("/graphql", json=body, headers=headers)
    return response.status_code, response.headers["content-type"], response.content


def both(
    clients: tuple[TestClient, TestClient], body: dict[str, Any], **headers: str
) -> tuple[bytes, bool]:
    """The plain body (asserted identical to the fast one) and whether the fast path
    answered it."""
    plain, fast = clients
    expected = _post(plain, body, **headers)
    if b"QUERY_TOO_COMPLEX" in expected[2]:  # a cold statement on a loaded machine
        expected = _post(plain, body, **headers)
    before = planner.COUNTS.fast
    got = _post(fast, body, **headers)
    assert got == expected, f"fast path differs for {body}"
    return expected[2], planner.COUNTS.fast > before


@pytest.mark.parametrize(
    ("query", "variables", "plannable"), HOSTILE, ids=[f"doc-{i}" for i in range(len(HOSTILE))]
)
def test_hostile_documents_answer_the_same_bytes(
    clients: tuple[TestClient, TestClient],
    query: str,
    variables: dict[str, Any] | None,
    plannable: bool,
) -> None:
    body, fast = both(clients, {"query": query, "variables": variables})
    assert fast == plannable, f"fast={fast} for {query}: {body[:300]!r}"
    if plannable:
        assert body.startswith(b'{"data":{') and b'"errors"' not in body


def test_every_read_of_the_api_guide_answers_the_same_bytes(
    clients: tuple[TestClient, TestClient],
) -> None:
    fast = [both(clients, {"query": example})[1] for example in READS]
    assert sum(fast) >= 3, f"only {sum(fast)} of {len(READS)} guide reads took the fast path"


def test_operation_names_media_types_and_get(clients: tuple[TestClient, TestClient]) -> None:
    document = (
        "query A { states(first: 2) { nodes { code } } } "
        "query B($c: String!) { s: state(code: $c) { __typename code name } }"
    )
    body, fast = both(clients, {"query": document, "operationName": "B", "variables": {"c": "co"}})
    assert fast and json.loads(body) == {
        "data": {"s": {"__typename": "State", "code": "CO", "name": "Colorado"}}
    }
    _, fast = both(clients, {"query": document, "operationName": "A"}, accept=GR)
    assert fast
    # no operation named: refused the same way, not answered fast
    body, fast = both(clients, {"query": document}, accept=GR)
    assert not fast and b"several operations" in body
    plain, quick = clients
    params = {"query": "{ states(first: 3) { totalCount nodes { code } } }"}
    before = planner.COUNTS.fast
    got = quick.get("/graphql", params=params)
    assert planner.COUNTS.fast == before + 1
    assert got.content == plain.get("/graphql", params=params).content


def test_refusals_are_the_full_paths(clients: tuple[TestClient, TestClient]) -> None:
    deep = "{ states { nodes { alliances { nodes { contracts { nodes { categories { nodes { "
    deep += "parent { parent { parent { parent { code } } } } } } } } } } } } }"
    body, fast = both(clients, {"query": deep})
    assert not fast and b"QUERY_TOO_COMPLEX" in body
    aliases = "{ " + " ".join(f'a{i}: state(code: "UT") {{ code }}' for i in range(16)) + " }"
    body, fast = both(clients, {"query": aliases})
    assert not fast and b"aliases" in body
    directives = '{ state(code: "UT") { code @skip(if: false) @skip(if: false) @a @b @c @d } }'
    body, fast = both(clients, {"query": directives})
    assert not fast and b"directives" in body
    tokens = "{ states { nodes { " + "code " * 2100 + "} } }"
    body, fast = both(clients, {"query": tokens})
    assert not fast and b"token" in body.lower()
    body, fast = both(clients, {"query": "{ states { nodes { nmae } } }"})
    assert not fast and b"BAD_USER_INPUT" in body


def test_closed_reads_need_a_token_on_the_fast_path(read_graph: Graph, settings: Settings) -> None:
    closed = dataclasses.replace(settings, planner="on", public_read=False, response_cache=0)
    _, secret = create_token(read_graph, "fast-reader", "reader")
    query = {"query": '{ state(code: "UT") { name } }'}
    with TestClient(create_app(closed, read_graph, search=False)) as client:
        before = planner.COUNTS.fast
        refused = client.post("/graphql", json=query)
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert planner.COUNTS.fast == before
        allowed = client.post("/graphql", json=query, headers={"authorization": f"Bearer {secret}"})
        assert allowed.json() == {"data": {"state": {"name": "Utah"}}}
        assert planner.COUNTS.fast == before + 1


def test_the_time_budget_holds_on_the_fast_path(read_graph: Graph, settings: Settings) -> None:
    spent = dataclasses.replace(settings, planner="on", request_budget=0.0, response_cache=0)
    with TestClient(create_app(spent, read_graph, search=False)) as client:
        before = planner.COUNTS.fast
        answer = client.post("/graphql", json={"query": "{ states { nodes { code } } }"}).json()
        assert planner.COUNTS.fast == before
        assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert answer["errors"][0]["extensions"]["budget"] == 0.0


def test_expensive_reads_take_a_slot_on_the_fast_path(
    read_graph: Graph, settings: Settings
) -> None:
    """A read costing KB_EXPENSIVE_COST or more waits for one of the expensive-request
    slots; when none comes free in time both paths refuse it in the same bytes."""
    base = dataclasses.replace(
        settings, expensive_cost=10, expensive_requests=1, request_budget=0.4, response_cache=0
    )
    query = {"query": "{ states { nodes { code } } }"}
    apps = [create_app(dataclasses.replace(base, planner=m), read_graph, search=False)
            for m in ("off", "on")]  # fmt: skip
    with TestClient(apps[0]) as plain, TestClient(apps[1]) as fast:
        before = planner.COUNTS.fast
        answer = fast.post("/graphql", json=query).json()
        assert planner.COUNTS.fast == before + 1 and len(answer["data"]["states"]["nodes"]) == 20
        assert fast.post("/graphql", json=query).status_code == 200  # the slot was released

        async def hold() -> None:  # the one slot, in each app's event loop
            await concurrency._gate(1).acquire()

        for client in (plain, fast):
            assert client.portal is not None
            client.portal.call(hold)
        for accept in ("application/json", GR):
            refused = [c.post("/graphql", json=query, headers={"accept": accept})
                       for c in (plain, fast)]  # fmt: skip
            assert refused[0].status_code == refused[1].status_code
            assert refused[0].content == refused[1].content
            assert refused[1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert planner.COUNTS.fast == before + 4


def test_the_response_cache_keeps_fast_answers(read_graph: Graph, settings: Settings) -> None:
    cached = dataclasses.replace(settings, planner="on", response_cache=16)
    query = {"query": "{ categories(first: 2) { nodes { code } } }"}
    with TestClient(create_app(cached, read_graph)) as client:
        before = planner.COUNTS.fast
        first = client.post("/graphql", json=query)
        second = client.post("/graphql", json=query)
        assert planner.COUNTS.fast == before + 1
        assert (first.headers["x-kb-cache"], second.headers["x-kb-cache"]) == ("miss", "hit")
        assert first.content == second.content
