"""The managed local Neo4j's process, seen from outside: ports, pids, launching, stopping.

What :class:`kb.neo4j_local.LocalNeo4j` needs to run a server and watch it: a free TCP
port, whether a port or a Bolt query answers, whether a pid is alive and is a Neo4j of a
given home, and launching, terminating and reaping the process. The server runs in its
own session (it outlives the caller) and is stopped by pid. Nothing here knows the
files of a home (:mod:`kb.neo4j_home`) or the domain.

Example:
    >>> port = free_port()
    >>> port_answers(port)
    False
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

#: The Java class a managed server runs; how its process is recognised.
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"

# Servers this process started, kept so that they are reaped (waited for) when stopped
# here rather than left as zombies or reported by Popen.__del__ as still running.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_answers(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """True when ``pid`` is a running process (a zombie is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) is not a running server.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def is_server_of(pid: int, home: Path) -> bool:
    """True when ``pid`` is alive and is a Neo4j started on ``home`` (not a reused pid)."""
    if not pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc: trust the pid
    return ENTRY_POINT.encode() in cmdline and str(home).encode() in cmdline


def launch(command: list[str], cwd: Path, console_log: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own session, its output appended to ``console_log``."""
    with open(console_log, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the caller; stopped by pid
        )
    _CHILDREN[process.pid] = process
    return process


def answers_query(port: int, user: str, password: str) -> bool:
    """True when the server on Bolt ``port`` runs a query (its database is online)."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    uri = f"bolt://127.0.0.1:{port}"
    try:
        with (
            GraphDatabase.driver(uri, auth=(user, password), connection_timeout=2.0) as driver,
            driver.session(database="neo4j") as session,
        ):
            session.run("RETURN 1").consume()
    except (DriverError, Neo4jError, OSError):
        return False
    return True


def terminate(pid: int, timeout: float = 60.0) -> None:
    """Stop ``pid`` (SIGTERM, then SIGKILL to its process group after ``timeout``)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            reap(pid)
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    reap(pid)


def reap(pid: int) -> None:
    """Wait for ``pid`` if this process started it (so that it leaves no zombie)."""
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
