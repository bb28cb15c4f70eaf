"""A real webhook receiver on 127.0.0.1 for the webhook tests: an HTTP server in a
thread that records every request (headers, raw body, time) and can be told to fail.

Example:
    >>> with receiving() as receiver:
    ...     receiver.fail_next = 2          # the next two requests get HTTP 500
    ...     receiver.wait_for(lambda got: len(got) >= 3)
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request the receiver got, and what it answered."""

    headers: dict[str, str]
    body: bytes
    at: float
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def sequence(self) -> int:
        return int(self.event["sequence"])

    @property
    def ok(self) -> bool:
        return 200 <= self.answered < 300

    def signed_with(self, secret: str) -> bool:
        """True when X-KB-Signature is the HMAC-SHA256 of the raw body with ``secret``."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("x-kb-signature", ""))


class Receiver:
    """The recording server: ``fail_next`` requests get 500; with ``failing`` every
    request does; each request first waits ``delay`` seconds, and calls ``on_request``
    (when set) before it is answered."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.fail_next = 0
        self.failing = False
        self.delay = 0.0
        self.on_request: Callable[[], None] | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                if receiver.delay:
                    time.sleep(receiver.delay)
                if receiver.on_request is not None:
                    receiver.on_request()
                with receiver._lock:
                    failed = receiver.failing or receiver.fail_next > 0
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                    status = 500 if failed else 204
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.received.append(Received(headers, body, time.monotonic(), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def got(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def delivered(self) -> list[int]:
        """The sequences answered with a 2xx, in the order they arrived."""
        return [r.sequence for r in self.got() if r.ok]

    def wait_for(
        self, condition: Callable[[list[Received]], bool], timeout: float = 30.0
    ) -> list[Received]:
        """Until ``condition`` holds of what was received; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.got()
            if condition(got):
                return got
            time.sleep(0.05)
        raise AssertionError(f"the receiver did not get what was expected: {self.got()}")


@contextlib.contextmanager
def receiving() -> Iterator[Receiver]:
    """A running :class:`Receiver` for the body of the ``with``."""
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join(timeout=10)


#: The lessons of :func:`build_small_graph` and the state each is from.
LESSONS = {"L-0001": "UT", "L-0002": "UT", "L-0003": "CO"}


def build_small_graph(graph: Any) -> None:
    """Two states, a category and three lessons in an emptied graph (quicker than the
    seed), each written once more through the change log (so later writes are UPDATEs)."""
    from kb.graph.writes import NodeWrite, update_node

    graph.write(
        "CREATE (ut:State {id: 'UT', code: 'UT', name: 'Utah'}), "
        "(co:State {id: 'CO', code: 'CO', name: 'Colorado'}), "
        "(:Category {id: 'IT', code: 'IT', name: 'Information technology'}) "
        "WITH ut, co UNWIND $lessons AS l "
        "MATCH (s:State {code: l.state}) "
        "CREATE (:Lesson {id: l.id, title: l.id, lesson: 'x'})-[:FROM]->(s)",
        lessons=[{"id": k, "state": v} for k, v in LESSONS.items()],
    )
    for key in LESSONS:
        update_node(graph, NodeWrite("Lesson", key, {"title": f"begun {key}"}), "test")


def write_lessons(graph: Any, keys: list[str], note: str) -> list[int]:
    """Update each lesson of ``keys`` (a real write, with its change entry); returns the
    sequences the change log gave them."""
    from kb.graph.changes import last_sequence
    from kb.graph.writes import NodeWrite, update_node

    sequences = []
    for number, key in enumerate(keys):
        update_node(graph, NodeWrite("Lesson", key, {"title": f"{note} {number}"}), "test")
        sequences.append(last_sequence(graph))
    return sequences
