"""GraphQL subscriptions over WebSocket (graphql-transport-ws) against a real `kb serve`,
with the writes made by this test process, as another app process on the same Neo4j
would make them: the stream is the change log, so it sees them all, in order, and a
client that reconnects with the last sequence it saw misses nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from kb.bootstrap import seed_graph
from kb.config import Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.graph.writes import NodeWrite, update_node
from tests.serve_support import Served, serving

pytestmark = pytest.mark.slow

CHANGES = """subscription($after: Int, $where: ChangesWhere) {
  changes(after: $after, where: $where) { sequence kind key id op author }
}"""


@pytest.fixture(scope="module")
def served(
    session_graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path_factory: Any
) -> Iterator[Served]:
    session_graph.write("MATCH (n) DETACH DELETE n")
    seed_graph(session_graph, settings)
    folder: Path = tmp_path_factory.mktemp("subscriptions")
    with serving({**test_env, "KB_INDEX_DIR": str(folder / "index")}, folder / "serve.log") as s:
        yield s


@contextmanager
def _open(base: str, variables: dict[str, Any]) -> Iterator[ClientConnection]:
    with connect(
        base.replace("http://", "ws://") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        open_timeout=10,
    ) as socket:
        socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(socket.recv(timeout=10))["type"] == "connection_ack"
        payload = {"query": CHANGES, "variables": variables}
        socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        yield socket


def _receive(socket: ClientConnection, count: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while len(events) < count:
        message = json.loads(socket.recv(timeout=40))
        if message["type"] == "ping":
            socket.send(json.dumps({"type": "pong"}))
            continue
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        events.append(message["payload"]["data"]["changes"])
    return events


def _nothing_more(socket: ClientConnection, seconds: float = 2.0) -> None:
    try:
        message = json.loads(socket.recv(timeout=seconds))
    except TimeoutError:
        return
    assert message["type"] in ("ping", "pong"), f"unexpected event: {message}"


def _lessons(graph: Graph, state: str, count: int) -> list[str]:
    rows = graph.read(
        "MATCH (l:Lesson)--(:State {code: $state}) "
        "RETURN DISTINCT l.id AS id ORDER BY id LIMIT $count",
        state=state,
        count=count,
    )
    return [row["id"] for row in rows]


def _touch(graph: Graph, keys: list[str], round_: int) -> None:
    for key in keys:
        write = NodeWrite("Lesson", key, {"title": f"Lesson {key}, revision {round_}"})
        update_node(graph, write, "other-process")


def test_a_reconnecting_client_misses_nothing(served: Served, session_graph: Graph) -> None:
    keys = [
        row["id"]
        for row in session_graph.read("MATCH (l:Lesson) RETURN l.id AS id ORDER BY id LIMIT 3")
    ]
    # From the newest change now (what `after` left out means, but without racing the
    # server for the starting position on a loaded machine).
    start = last_sequence(session_graph)
    with _open(served.base, {"after": start, "where": {"kinds": ["Lesson"]}}) as socket:
        _touch(session_graph, keys, 1)
        first = _receive(socket, 3)
    assert [e["key"] for e in first] == keys
    assert all(e["op"] == "UPDATE" and e["author"] == "other-process" for e in first)
    sequences = [e["sequence"] for e in first]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert first[0]["id"] == "TGVzc29uOkwtMDAwMQ==" or first[0]["kind"] == "Lesson"

    _touch(session_graph, keys, 2)  # while disconnected
    with _open(served.base, {"after": sequences[-1], "where": {"kinds": ["Lesson"]}}) as socket:
        missed = _receive(socket, 3)
        _nothing_more(socket)
    assert [e["key"] for e in missed] == keys
    assert missed[0]["sequence"] > sequences[-1]
    assert [e["sequence"] for e in missed] == sorted(e["sequence"] for e in missed)


def test_the_state_filter_passes_only_that_states_records(
    served: Served, session_graph: Graph
) -> None:
    utah = _lessons(session_graph, "UT", 1)
    elsewhere = [
        row["id"]
        for row in session_graph.read(
            "MATCH (l:Lesson) WHERE NOT (l)--(:State {code: 'UT'}) RETURN l.id AS id LIMIT 1"
        )
    ]
    assert utah and elsewhere
    where = {"kinds": ["Lesson"], "states": ["UT"]}
    with _open(served.base, {"after": last_sequence(session_graph), "where": where}) as socket:
        _touch(session_graph, elsewhere + utah, 3)
        events = _receive(socket, 1)
        _nothing_more(socket)
    assert [e["key"] for e in events] == utah


@pytest.mark.parametrize(
    ("variables", "says"),
    [
        ({"where": {"kinds": ["Nope"]}}, "'Nope' is not a record type"),
        ({"after": -1}, "after: -1 is not a sequence"),
        ({"where": {"states": []}}, "give one or more short codes"),
    ],
)
def test_a_bad_filter_is_a_clear_error_and_the_server_keeps_serving(
    served: Served, variables: dict[str, Any], says: str
) -> None:
    with _open(served.base, variables) as socket:
        message = json.loads(socket.recv(timeout=40))
    assert message["type"] in ("error", "next"), message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert says in errors[0]["message"]
    assert httpx.get(f"{served.base}/healthz", timeout=10).status_code == 200


def test_a_subscription_over_http_is_refused_clearly(served: Served) -> None:
    response = httpx.post(f"{served.base}/graphql", json={"query": CHANGES}, timeout=10)
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "subscription" in body["errors"][0]["message"]
