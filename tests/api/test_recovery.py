"""Faults injected for real: Neo4j killed with SIGKILL under a running ``kb serve``,
started again; SIGTERM to ``kb serve`` in each state it can be in.

Each test runs its own managed Neo4j (so killing it leaves the session's alone) and a
real ``kb serve`` process, reached over HTTP.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from neo4j.exceptions import Neo4jError

from kb.config import Settings
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.neo4j_local import LocalNeo4j, Neo4jLocalError
from tests.serve_support import Served, serve_ready, start_serve

pytestmark = pytest.mark.slow

READ = {"query": "{ states(first: 3) { nodes { code } } }"}


def _read(served: Served, timeout: float = 5.0) -> tuple[float, dict[str, object]]:
    """One GraphQL read: (seconds taken, response body)."""
    started = time.monotonic()
    response = httpx.post(f"{served.base}/graphql", json=READ, timeout=timeout)
    return time.monotonic() - started, response.json()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def neo4j(home: Path, settings: Settings) -> Iterator[LocalNeo4j]:
    """A managed Neo4j of this test's own, under ``home/neo4j`` (as KB_DATA_DIR lays it out)."""
    server = LocalNeo4j(home / "neo4j", settings.cache_dir, heap="256m", pagecache="32m")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _kill9(server: LocalNeo4j) -> None:
    status = server.status()
    assert status.running and status.pid is not None
    os.kill(status.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server.status().running and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server.status().running


def _wait_until_answering(uri: str, password: str, seconds: float = 120.0) -> None:
    """Until Neo4j answers the test's read itself (after a crash it may first recover)."""
    graph = Graph.connect(uri, "neo4j", password)
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                graph.read("MATCH (s:State) RETURN s.code AS code ORDER BY code LIMIT 3")
                return
            except (DatabaseUnavailableError, Neo4jError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        graph.close()


def _app_env(mode: str, home: Path, server: LocalNeo4j, test_env: dict[str, str]) -> dict[str, str]:
    env = {
        **test_env,
        "KB_DATA_DIR": str(home),
        "KB_INDEX_DIR": str(home / "index"),
        "KB_RESPONSE_CACHE": "0",  # every read goes to Neo4j (a cached one would not)
    }
    env.pop("NEO4J_URI", None)
    if mode == "NEO4J_URI":
        # The same server, reached as an external one with a routing URI.
        env.update(
            NEO4J_URI=f"neo4j://127.0.0.1:{server.stored_port()}",
            NEO4J_USER="neo4j",
            NEO4J_PASSWORD=server.password_file.read_text().strip(),
        )
    return env


@pytest.mark.parametrize("mode", ["managed", "NEO4J_URI"])
def test_kb_serve_recovers_by_itself_after_neo4j_is_killed_and_started_again(
    mode: str, home: Path, neo4j: LocalNeo4j, test_env: dict[str, str], settings: Settings
) -> None:
    if settings.external_neo4j is not None:
        pytest.skip("the suite runs against an external Neo4j: no managed server to kill")
    port = neo4j.stored_port()
    served = serve_ready(_app_env(mode, home, neo4j, test_env), home.parent / "serve.log")
    try:
        took, body = _read(served)
        assert body == {"data": {"states": {"nodes": [{"code": c} for c in ("AK", "AL", "AR")]}}}

        _kill9(neo4j)
        # While it is down: every request fails fast with a code, readiness says 503.
        for _ in range(12):
            took, body = _read(served)
            assert took < 1.0, f"a request took {took:.2f}s while Neo4j was down"
            assert body["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"  # type: ignore[index]
        ready = httpx.get(f"{served.base}/readyz", timeout=5)
        assert ready.status_code == 503
        assert "unavailable" in ready.json()["reason"]

        info = neo4j.start()  # what `kb neo4j start` does
        assert info.port == port, "the managed Neo4j came back on another port"
        _wait_until_answering(info.uri, info.password)
        answered = time.monotonic()
        while True:
            _, body = _read(served, timeout=30)
            if body.get("data"):
                break
            assert time.monotonic() - answered < 5.0, f"not recovered within 5 s: {body}"
            time.sleep(0.2)
        assert httpx.get(f"{served.base}/readyz", timeout=5).status_code == 200
        for _ in range(5):
            assert _read(served)[1]["data"]
    finally:
        served.kill()
    log = served.output()
    assert log.count("is unavailable:") == 1, log  # one line per outage
    assert log.count("answers again after") == 1, log
    assert "Traceback" not in log, log


def test_a_frozen_neo4j_costs_a_request_its_budget_not_the_server(
    home: Path, neo4j: LocalNeo4j, test_env: dict[str, str], settings: Settings
) -> None:
    """Neo4j stopped (SIGSTOP: connections open, nothing answers) under a planned read:
    each read answers with a coded error when its budget runs out, health checks and
    other requests are answered meanwhile, and after SIGCONT reads succeed again."""
    if settings.external_neo4j is not None:
        pytest.skip("the suite runs against an external Neo4j: no managed server to freeze")
    env = {**_app_env("managed", home, neo4j, test_env), "KB_REQUEST_BUDGET": "2"}
    served = serve_ready(env, home.parent / "serve.log")
    status = neo4j.status()
    assert status.pid is not None
    try:
        assert _read(served)[1]["data"]
        os.kill(status.pid, signal.SIGSTOP)
        try:
            outcomes: list[tuple[float, dict[str, object]]] = []
            readers = [
                threading.Thread(target=lambda: outcomes.append(_read(served, timeout=15)))
                for _ in range(3)
            ]
            for reader in readers:
                reader.start()
            time.sleep(0.3)
            started = time.monotonic()
            health = httpx.get(f"{served.base}/healthz", timeout=5)
            assert health.status_code == 200 and time.monotonic() - started < 1.0
            for reader in readers:
                reader.join(timeout=20)
            assert len(outcomes) == 3
            for took, body in outcomes:
                assert took < 5.0, f"a read took {took:.2f}s with a budget of 2 s"
                errors = body["errors"]
                assert isinstance(errors, list) and errors[0]["extensions"]["code"]
        finally:
            os.kill(status.pid, signal.SIGCONT)
        thawed = time.monotonic()
        while not _read(served, timeout=15)[1].get("data"):
            assert time.monotonic() - thawed < 10.0, "reads did not come back after SIGCONT"
            time.sleep(0.2)
        for _ in range(5):
            assert _read(served)[1]["data"]
    finally:
        served.kill()
    assert "Traceback" not in served.output()


def test_the_bolt_port_is_kept_and_a_taken_port_is_reported(
    neo4j: LocalNeo4j, settings: Settings
) -> None:
    port = neo4j.stored_port()
    assert port is not None
    neo4j.stop()
    assert neo4j.start().port == port
    neo4j.stop()
    import socket

    with socket.socket() as squatter:
        # The port may still hold connections in TIME_WAIT from the server just stopped.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(Neo4jLocalError, match=rf"Bolt port {port} \(kept in .*bolt-port\)"):
            neo4j.start()
    assert neo4j.start().port == port  # free again: used again


@contextlib.contextmanager
def _clients_reading(served: Served, clients: int = 4) -> Iterator[None]:
    """``clients`` threads sending reads back to back (for a second before the body)."""
    stop = threading.Event()

    def read_until_stopped() -> None:
        while not stop.is_set():
            with contextlib.suppress(httpx.TransportError, ValueError):
                _read(served, timeout=2)

    threads = [threading.Thread(target=read_until_stopped, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)


def _sigterm_exits_within(served: Served, seconds: float = 10.0) -> float:
    started = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    try:
        served.process.wait(timeout=seconds + 5)
    except subprocess.TimeoutExpired:
        served.process.kill()
        pytest.fail(f"kb serve still ran {seconds + 5:.0f}s after SIGTERM:\n{served.output()}")
    return time.monotonic() - started


def test_kb_serve_exits_within_10s_of_sigterm_in_every_state(
    home: Path, neo4j: LocalNeo4j, test_env: dict[str, str], settings: Settings
) -> None:
    if settings.external_neo4j is not None:
        pytest.skip("the suite runs against an external Neo4j: no managed server to kill")
    env = _app_env("managed", home, neo4j, test_env)
    log = home.parent / "serve.log"

    # Idle, Neo4j up.
    assert _sigterm_exits_within(serve_ready(env, log)) < 10

    # Busy: clients keep sending reads while it is told to stop.
    served = serve_ready(env, log)
    with _clients_reading(served):
        assert _sigterm_exits_within(served) < 10

    # Neo4j gone, requests waiting on it.
    served = serve_ready(env, log)
    _kill9(neo4j)
    with _clients_reading(served):
        assert _sigterm_exits_within(served) < 10

    # Starting, while its Neo4j is still starting up.
    starting = start_serve(env, home.parent / "serve-starting.log")
    time.sleep(1.5)
    starting.process.send_signal(signal.SIGTERM)
    assert starting.process.wait(timeout=10) is not None
