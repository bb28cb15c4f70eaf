"""Subscriptions are held to the auth and limits of queries, over a real WebSocket
(graphql-transport-ws through Starlette's TestClient) on the seeded graph: a bad token
closes the socket with 4401 and its reason, each subscribe counts against the client's
rate together with its HTTP requests (the same RATE_LIMITED error both ways), open
subscriptions are capped per client, and unknown filter values are named."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from kb.app import create_app
from kb.bootstrap import seed_graph
from kb.config import Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.graph.tokens import create_token, revoke_token
from kb.graph.writes import NodeWrite, update_node

CHANGES = """subscription($after: Int, $where: ChangesWhere) {
  changes(after: $after, where: $where) { sequence kind key op }
}"""
PROTOCOL = ["graphql-transport-ws"]
RATE = 4


@pytest.fixture(scope="module")
def seeded(session_graph: Graph, settings: Settings) -> Graph:
    session_graph.write("MATCH (n) DETACH DELETE n")
    seed_graph(session_graph, settings)
    return session_graph


def _client(graph: Graph, settings: Settings, **changes: Any) -> TestClient:
    limited = dataclasses.replace(settings, **changes)
    return TestClient(create_app(limited, graph, search=False))


@pytest.fixture(scope="module")
def client(seeded: Graph, settings: Settings) -> Iterator[TestClient]:
    with _client(seeded, settings, rate_limit=RATE, subscriptions_per_client=2) as client:
        yield client


def _token(graph: Graph, name: str, role: str = "reader") -> str:
    return create_token(graph, name, role)[1]


def _init(socket: WebSocketTestSession, payload: dict[str, Any] | None = None) -> None:
    socket.send_json({"type": "connection_init", **({"payload": payload} if payload else {})})
    assert socket.receive_json()["type"] == "connection_ack"


def _subscribe(socket: WebSocketTestSession, op: str, variables: dict[str, Any]) -> None:
    payload = {"query": CHANGES, "variables": variables}
    socket.send_json({"id": op, "type": "subscribe", "payload": payload})


def _next_message(socket: WebSocketTestSession) -> dict[str, Any]:
    for _ in range(10):
        message: dict[str, Any] = socket.receive_json()
        if message["type"] not in ("ping", "pong"):
            return message
    raise AssertionError("only pings and pongs came")


def _errors(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The errors of an ``error`` message, or of a ``next`` carrying errors."""
    if message["type"] == "error":
        return list(message["payload"])
    assert message["type"] == "next", message
    return list(message["payload"].get("errors") or [])


def _closed(socket: WebSocketTestSession) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(5):  # an ack or a ping may come first; bounded
            socket.receive_json()
    return closed.value


def _touch(graph: Graph, key: str, n: int) -> None:
    update_node(graph, NodeWrite("Lesson", key, {"title": f"Lesson {key}, take {n}"}), "limits")


def test_a_bad_token_on_the_handshake_closes_with_4401_and_says_why(client: TestClient) -> None:
    headers = {"authorization": "Bearer not-a-token"}
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=headers) as socket:
        closed = _closed(socket)
    assert closed.code == 4401
    assert closed.reason == "Unauthorized: the token is unknown or revoked"


def test_a_malformed_authorization_header_closes_with_4401(client: TestClient) -> None:
    headers = {"authorization": "Basic abc"}
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=headers) as socket:
        closed = _closed(socket)
    assert closed.code == 4401 and "'Bearer <token>'" in closed.reason


def test_a_revoked_token_in_connection_init_closes_with_4401(
    client: TestClient, seeded: Graph
) -> None:
    token, secret = create_token(seeded, "ws-revoked", "reader")
    revoke_token(seeded, token.id)
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
        socket.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {secret}"}}
        )
        closed = _closed(socket)
    assert closed.code == 4401
    assert closed.reason == "Unauthorized: the token is unknown or revoked"


def test_without_public_reads_a_token_in_connection_init_opens_the_stream(
    seeded: Graph, settings: Settings
) -> None:
    with _client(seeded, settings, public_read=False) as private:
        with private.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
            _init(socket)
            _subscribe(socket, "1", {"where": {"kinds": ["Lesson"]}})
            errors = _errors(_next_message(socket))
        assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]

        secret = _token(seeded, "ws-private-reader")
        with private.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
            _init(socket, {"Authorization": f"Bearer {secret}"})
            start = last_sequence(seeded)
            _subscribe(socket, "1", {"after": start, "where": {"kinds": ["Lesson"]}})
            _touch(seeded, "L-0001", 1)
            message = _next_message(socket)
    assert message["type"] == "next" and "errors" not in message["payload"], message
    event = message["payload"]["data"]["changes"]
    assert event["key"] == "L-0001" and event["sequence"] == start + 1


def test_subscribes_and_http_requests_share_one_rate_limit(
    client: TestClient, seeded: Graph
) -> None:
    secret = _token(seeded, "ws-rate")
    headers = {"authorization": f"Bearer {secret}"}
    query = {"query": "{ states(first: 1) { totalCount } }"}
    for _ in range(RATE - 1):
        assert client.post("/graphql", json=query, headers=headers).status_code == 200
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=headers) as socket:
        _init(socket)
        _subscribe(socket, "1", {"where": {"kinds": ["Lesson"]}})  # the last one allowed
        _subscribe(socket, "2", {"where": {"kinds": ["Lesson"]}})
        refused = _next_message(socket)
    assert refused["type"] == "error" and refused["id"] == "2", refused
    [ws_error] = refused["payload"]
    over_http = client.post("/graphql", json=query, headers=headers)
    assert over_http.status_code == 429
    assert int(over_http.headers["retry-after"]) >= 1
    [http_error] = over_http.json()["errors"]
    for error in (ws_error, http_error):
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfter"] >= 1
        assert f"may send {RATE} operations a minute (KB_RATE_LIMIT)" in error["message"]
    # Another client has its own budget.
    other = {"authorization": f"Bearer {_token(seeded, 'ws-rate-other')}"}
    assert client.post("/graphql", json=query, headers=other).status_code == 200


def test_a_client_holds_at_most_its_cap_of_open_subscriptions(
    seeded: Graph, settings: Settings
) -> None:
    secret = _token(seeded, "ws-cap")
    headers = {"authorization": f"Bearer {secret}"}
    variables = {"where": {"kinds": ["Lesson"]}}
    # Two sockets of one token are one client.
    with (
        _client(seeded, settings, subscriptions_per_client=2) as capped,
        capped.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=headers) as one,
        capped.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=headers) as two,
    ):
        _init(one)
        _init(two)
        start = last_sequence(seeded)
        _subscribe(one, "a", {**variables, "after": start})
        _subscribe(two, "b", {**variables, "after": start})
        _touch(seeded, "L-0002", 1)
        assert _next_message(one)["payload"]["data"]["changes"]["key"] == "L-0002"
        assert _next_message(two)["payload"]["data"]["changes"]["key"] == "L-0002"
        _subscribe(two, "c", variables)
        errors = _errors(_next_message(two))
        assert errors[0]["extensions"]["code"] == "RATE_LIMITED"
        assert "already holds 2 open subscriptions" in errors[0]["message"]
        assert "KB_SUBSCRIPTIONS_PER_CLIENT" in errors[0]["message"]
        # Completing one frees its place.
        # Completing one frees its place (once its task has ended: retried, bounded).
        one.send_json({"id": "a", "type": "complete"})
        start = last_sequence(seeded)
        for attempt in range(20):
            _subscribe(two, f"d{attempt}", {**variables, "after": start})
            _touch(seeded, "L-0003", attempt)
            got = _next_message(two)
            for _ in range(5):  # "b" sees the write too
                if got.get("id") == f"d{attempt}":
                    break
                got = _next_message(two)
            if not _errors(got):
                break
            assert "already holds 2" in _errors(got)[0]["message"]
            time.sleep(0.1)
        assert got["type"] == "next" and "errors" not in got["payload"], got
        assert got["payload"]["data"]["changes"]["key"] == "L-0003"


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ({"states": ["UT", "ZZ"]}, "where.states: 'ZZ' is not a known state code"),
        ({"categories": ["no-such"]}, "where.categories: 'no-such' is not a known category code"),
        ({"kinds": ["Lesson", "Nope"]}, "where.kinds: 'Nope' is not a record type"),
        ({"states": ["ZZ", "YY"]}, "'YY' is not a known state code (nor 'ZZ')"),
    ],
)
def test_an_unknown_filter_value_is_named(
    client: TestClient, seeded: Graph, where: dict[str, Any], says: str
) -> None:
    headers = {"authorization": f"Bearer {_token(seeded, 'ws-filters-' + json.dumps(where))}"}
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=headers) as socket:
        _init(socket)
        _subscribe(socket, "1", {"where": where})
        errors = _errors(_next_message(socket))
    assert errors and errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert says in errors[0]["message"]


def test_deletes_through_the_api_stream_as_deleted_to_their_states_subscribers(
    client: TestClient, seeded: Graph
) -> None:
    editor = {"authorization": f"Bearer {_token(seeded, 'ws-deleter', 'editor')}"}
    reader = {"authorization": f"Bearer {_token(seeded, 'ws-delete-watch')}"}
    where_ut = {"kinds": ["Lesson", "Practice"], "states": ["UT"]}
    where_ca = {"kinds": ["Lesson", "Practice"], "states": ["CA"]}
    sentinel = seeded.read(
        "MATCH (l:Lesson)--(:State {code: 'CA'}) RETURN l.id AS id ORDER BY id LIMIT 1"
    )[0]["id"]
    with (
        client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=reader) as ut,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=reader) as ca,
    ):
        _init(ut)
        _init(ca)
        start = last_sequence(seeded)
        _subscribe(ut, "ut", {"after": start, "where": where_ut})
        _subscribe(ca, "ca", {"after": start, "where": where_ca})
        for query in (
            """mutation { createLesson(input: { key: "L-8901", title: "Streamed, then deleted",
              lesson: "Deletes reach subscribers.", context: "c", recommendation: "r",
              status: LESSON_IDENTIFIED, recordedOn: "2026-11-30", state: "U3RhdGU6VVQ=",
              illustrative: true }) { lesson { key } } }""",
            """mutation { createPractice(input: { slug: "streamed-then-deleted",
              title: "A practice streamed, then deleted", summary: "s", body: "b",
              focusArea: PLANNING_AND_ANALYSIS, publishedOn: "2026-11-30",
              states: ["U3RhdGU6VVQ="], illustrative: true }) { practice { key } } }""",
            'mutation { deleteLesson(input: {id: "TGVzc29uOkwtODkwMQ=="}) { deletedId } }',
            'mutation { deletePractice(input: {id: "UHJhY3RpY2U6c3RyZWFtZWQtdGhlbi1kZWxldGVk"})'
            " { deletedId } }",
        ):
            answer = client.post("/graphql", json={"query": query}, headers=editor).json()
            assert answer.get("errors") is None, answer
        _touch(seeded, sentinel, 1)
        events = [_next_message(ut)["payload"]["data"]["changes"] for _ in range(4)]
        first_ca = _next_message(ca)["payload"]["data"]["changes"]
    assert [(e["kind"], e["key"], e["op"]) for e in events] == [
        ("Lesson", "L-8901", "CREATE"),
        ("Practice", "streamed-then-deleted", "CREATE"),
        ("Lesson", "L-8901", "DELETE"),
        ("Practice", "streamed-then-deleted", "DELETE"),
    ]
    # The Californian subscriber heard of none of them: its first event is the sentinel.
    assert (first_ca["key"], first_ca["op"]) == (sentinel, "UPDATE")
