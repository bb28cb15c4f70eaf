"""A subscriber that stops reading cannot grow the server: against a real `kb serve`.

Design under test (kb/api/subscription_server.py): no queue per subscriber. Each
subscription reads one batch of the change log, and each send waits until the socket
takes it (uvicorn's flow control), so a subscriber that does not read pauses its own
stream where it is; what piles up is bounded by the socket buffers and one batch. A
subscriber silent for uvicorn's ping interval plus timeout is closed and resumes with
``after:``; either way it receives every change, in order, once it reads again.

The test holds several subscriptions on sockets with a small receive buffer and reads
nothing while this process writes :data:`WRITES` change entries (bounded batches, as
``kb import`` writes them); the server's resident memory must stay within
:data:`RSS_BOUND` of what it was, the server must keep answering, and then every
subscription receives every entry, in order.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from kb.bootstrap import seed_graph
from kb.config import Settings
from kb.graph.changes import last_sequence, record_changes
from kb.graph.db import Graph, Tx
from tests.serve_support import Served, serving

pytestmark = pytest.mark.slow

WRITES = 3000
#: Subscriptions that stop reading: SOCKETS sockets with PER_SOCKET each.
SOCKETS, PER_SOCKET = 2, 4
RSS_BOUND = 50 * 1024 * 1024
CHANGES = """subscription($after: Int) {
  changes(after: $after, where: {kinds: ["Lesson"]}) { sequence kind key op at author }
}"""


@pytest.fixture(scope="module")
def served(
    session_graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path_factory: Any
) -> Iterator[Served]:
    session_graph.write("MATCH (n) DETACH DELETE n")
    seed_graph(session_graph, settings)
    folder: Path = tmp_path_factory.mktemp("slow-subscriber")
    env = {
        **test_env,
        "KB_INDEX_DIR": str(folder / "index"),
        "KB_SUBSCRIPTIONS_PER_CLIENT": str(SOCKETS * PER_SOCKET + 2),
    }
    with serving(env, folder / "serve.log") as s:
        yield s


def _rss(pid: int) -> int:
    """Resident memory of ``pid`` in bytes (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def _stalled_socket(stack: ExitStack, base: str) -> ClientConnection:
    """A connection (closed with ``stack``) whose kernel receive buffer is small and
    whose client-side queue stops reading after a few messages: a reader that stopped."""
    host, port = base.removeprefix("http://").split(":")
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.settimeout(10)
    raw.connect((host, int(port)))
    connection = stack.enter_context(
        connect(
            f"ws://{host}:{port}/graphql",
            sock=raw,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            open_timeout=10,
            max_queue=4,
            max_size=2**20,
        )
    )
    connection.send(json.dumps({"type": "connection_init"}))
    assert json.loads(connection.recv(timeout=10))["type"] == "connection_ack"
    return connection


def _subscribe(connection: ClientConnection, op: str, after: int) -> None:
    payload = {"query": CHANGES, "variables": {"after": after}}
    connection.send(json.dumps({"id": op, "type": "subscribe", "payload": payload}))


def _write_changes(graph: Graph, keys: list[str], count: int) -> None:
    """``count`` change entries on existing lessons, in transactions of 500."""
    written = 0
    while written < count:
        part = [keys[(written + i) % len(keys)] for i in range(min(500, count - written))]

        def work(tx: Tx, part: list[str] = part) -> None:
            record_changes(tx, "Lesson", part, "UPSERT", "slow-subscriber-test")

        graph.execute_write(work)
        written += len(part)


def _drain(
    stack: ExitStack, base: str, connection: ClientConnection, ops: list[str], start: int
) -> dict[str, list[int]]:
    """Read every op's events up to ``start + WRITES``; if the server closed the socket
    (a reader silent too long), reconnect and resume each op after its last sequence."""
    seen: dict[str, list[int]] = {op: [] for op in ops}
    end = start + WRITES
    deadline = time.monotonic() + 300
    for _attempt in range(4):
        try:
            while any(not s or s[-1] < end for s in seen.values()):
                assert time.monotonic() < deadline, "the events did not all arrive in 300 s"
                message = json.loads(connection.recv(timeout=60))
                if message["type"] == "ping":
                    connection.send(json.dumps({"type": "pong"}))
                    continue
                assert message["type"] == "next", message
                assert "errors" not in message["payload"], message
                event = message["payload"]["data"]["changes"]
                seen[message["id"]].append(event["sequence"])
            return seen
        except ConnectionClosed as closed:
            # The documented way out for a reader silent past uvicorn's ping timeout.
            assert closed.rcvd is None or closed.rcvd.code in (1000, 1001, 1006, 1011), closed
            connection = _stalled_socket(stack, base)
            for op in ops:
                if not seen[op] or seen[op][-1] < end:
                    _subscribe(connection, op, seen[op][-1] if seen[op] else start)
    raise AssertionError("reconnected four times and still missed events")


def test_a_subscriber_that_does_not_read_holds_the_server_to_a_bounded_memory(
    served: Served, session_graph: Graph
) -> None:
    keys = [
        row["id"]
        for row in session_graph.read("MATCH (l:Lesson) RETURN l.id AS id ORDER BY id LIMIT 50")
    ]
    pid = served.process.pid
    start = last_sequence(session_graph)
    ops = [f"s{i}" for i in range(PER_SOCKET)]
    with ExitStack() as stack:
        connections = [_stalled_socket(stack, served.base) for _ in range(SOCKETS)]
        for connection in connections:
            for op in ops:
                _subscribe(connection, op, start)
        time.sleep(2)  # the subscriptions are open and polling
        before = _rss(pid)

        began = time.monotonic()
        _write_changes(session_graph, keys, WRITES)
        wrote = time.monotonic() - began
        time.sleep(8)  # the streams run into the full sockets and pause there
        peak = before
        for _ in range(5):  # the server keeps answering while its subscribers stall
            peak = max(peak, _rss(pid))
            answer = httpx.post(
                f"{served.base}/graphql",
                json={"query": '{ lesson(id: "L-0001") { key } }'},
                timeout=30,
            )
            assert answer.json()["data"]["lesson"]["key"] == "L-0001"
            assert httpx.get(f"{served.base}/healthz", timeout=10).status_code == 200
            time.sleep(0.5)
        grew = peak - before
        print(
            f"\nslow subscriber: {SOCKETS * PER_SOCKET} stalled subscriptions, {WRITES} changes "
            f"written in {wrote:.1f} s; server RSS {before / 2**20:.1f} MiB -> "
            f"{peak / 2**20:.1f} MiB (+{grew / 2**20:.1f} MiB)"
        )
        assert grew < RSS_BOUND, f"the server grew by {grew / 2**20:.1f} MiB"

        expected = list(range(start + 1, start + WRITES + 1))
        for connection in connections:
            seen = _drain(stack, served.base, connection, ops, start)
            for op in ops:
                # In order, nothing missed; a resume may repeat nothing either.
                assert seen[op] == expected, (op, seen[op][:5], len(seen[op]))
        print(f"slow subscriber: all {WRITES} changes received in order by every subscription")
