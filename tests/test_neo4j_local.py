"""The managed local Neo4j: start, reuse, status, stop, stale pid, missing prerequisites.

These start their own servers (a few seconds each) under ``tmp_path``; the jars come
from the shared cache, resolved once by the session's server.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.config import Settings
from kb.graph.db import Graph
from kb.neo4j_local import LocalNeo4j, PrerequisiteError, port_answers

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path, settings: Settings, session_graph: Graph) -> Iterator[LocalNeo4j]:
    # session_graph first: the session's server has resolved the jars into the cache.
    local = LocalNeo4j(tmp_path / "neo4j", settings.cache_dir, heap="256m", pagecache="32m")
    yield local
    local.stop()


def _answers_cypher(uri: str, password: str) -> bool:
    graph = Graph.connect(uri, "neo4j", password)
    try:
        return graph.read("RETURN 41 + 1 AS n") == [{"n": 42}]
    finally:
        graph.close()


def test_start_is_idempotent_and_status_reports_it(server: LocalNeo4j) -> None:
    assert server.status().running is False
    # A password that looks like an option must still reach the admin tool as a value.
    server.home.mkdir(parents=True)
    server.password_file.write_text("-starts-with-a-dash-0123456789")
    server.password_file.chmod(0o600)
    first = server.start()
    assert first.password == "-starts-with-a-dash-0123456789"
    second = server.start()
    assert second.pid == first.pid and second.uri == first.uri
    assert _answers_cypher(first.uri, first.password)
    mode = stat.S_IMODE(server.password_file.stat().st_mode)
    assert mode == 0o600
    conf = (server.home / "conf" / "neo4j.conf").read_text()
    assert "server.http.enabled=false" in conf
    assert f"server.bolt.listen_address=127.0.0.1:{first.port}" in conf
    status = server.status()
    assert status.running and status.answers
    assert status.uri == first.uri and status.pid == first.pid


def test_stop_is_clean_and_data_survives_restart(server: LocalNeo4j) -> None:
    info = server.start()
    graph = Graph.connect(info.uri, "neo4j", info.password)
    graph.write("CREATE (:Marker {name: 'kept'})")
    graph.close()
    assert server.stop() is True
    assert not port_answers(info.port)
    assert server.status().running is False
    assert server.stop() is False  # a second stop has nothing to do

    again = server.start()
    graph = Graph.connect(again.uri, "neo4j", again.password)
    try:
        assert graph.read("MATCH (m:Marker) RETURN m.name AS name") == [{"name": "kept"}]
    finally:
        graph.close()


def test_stale_pid_after_kill_is_detected_and_recovered(server: LocalNeo4j) -> None:
    info = server.start()
    os.kill(info.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while port_answers(info.port) and time.monotonic() < deadline:
        time.sleep(0.1)
    status = server.status()
    assert status.running is False and status.stale_pid is True and status.pid == info.pid

    recovered = server.start()
    assert recovered.pid != info.pid
    assert _answers_cypher(recovered.uri, recovered.password)


def test_missing_java_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    local = LocalNeo4j(tmp_path / "neo4j", tmp_path / "cache")
    with pytest.raises(PrerequisiteError) as caught:
        local.start()
    message = str(caught.value)
    assert "Java was not found" in message
    assert "Java 17+ and Maven" in message and "NEO4J_URI" in message


def test_missing_maven_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_java = shutil.which("java")
    assert real_java is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(real_java)
    monkeypatch.setenv("PATH", str(bin_dir))
    local = LocalNeo4j(tmp_path / "neo4j", tmp_path / "empty-cache")
    with pytest.raises(PrerequisiteError) as caught:
        local.start()
    assert "Maven (mvn) was not found" in str(caught.value)
    assert "NEO4J_URI" in str(caught.value)
