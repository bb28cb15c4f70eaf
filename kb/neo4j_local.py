"""The managed local Neo4j: resolve it with Maven, start, stop and inspect it.

Neo4j Community (the release pinned in :data:`kb.config.NEO4J_VERSION`) is resolved from
Maven Central by the small ``pom.xml`` in ``kb/neo4j_runtime`` into a cache directory,
then run as ``java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint --home-dir H
--config-dir H/conf`` with a generated ``neo4j.conf``: Bolt only, on 127.0.0.1, HTTP
off, auth on with a generated password (mode 0600), a small heap and page cache. This
module knows nothing of the domain.

This is the public face: :class:`LocalNeo4j` starts, reuses, inspects and stops the
server. The files of its home (password, conf, state, and the Bolt port, chosen once
per home and kept across restarts) are :mod:`kb.neo4j_home`'s, the process (ports,
pids, launching, stopping) is :mod:`kb.neo4j_process`'s, and Java and the jars are
:mod:`kb.neo4j_prereqs`'.

Example:
    >>> server = LocalNeo4j(home=Path(".kb-data/neo4j"), cache_dir=Path("~/.cache/kb"))
    >>> info = server.start()          # idempotent: a second start reuses the server
    >>> info.uri
    'bolt://127.0.0.1:40123'
    >>> server.stop()
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import NEO4J_VERSION
from kb.neo4j_conf import JVM_FLAGS
from kb.neo4j_home import Neo4jHome
from kb.neo4j_prereqs import Neo4jLocalError, PrerequisiteError, check_java
from kb.neo4j_process import (
    ENTRY_POINT,
    answers_query,
    free_port,
    is_server_of,
    launch,
    pid_alive,
    port_answers,
    terminate,
)

__all__ = [
    "LocalNeo4j",
    "Neo4jLocalError",
    "PrerequisiteError",
    "ServerInfo",
    "ServerStatus",
    "free_port",
    "port_answers",
]

USER = "neo4j"


@dataclass(frozen=True)
class ServerInfo:
    """How to reach a running managed server."""

    uri: str
    user: str
    password: str = field(repr=False)
    pid: int
    port: int


@dataclass(frozen=True)
class ServerStatus:
    """What :meth:`LocalNeo4j.status` found."""

    running: bool
    answers: bool
    pid: int | None
    uri: str | None
    stale_pid: bool = False


class LocalNeo4j(Neo4jHome):
    """A Neo4j Community server under ``home``, with its jars cached in ``cache_dir``.

    Args:
        home: the server's home: ``conf/``, ``data/``, ``logs/``, the password and pid.
        cache_dir: where resolved jars are kept, shared by every home.
        version: the Neo4j release to run.
        heap: JVM heap (``512m``); pagecache: page cache size (``128m``).
        start_timeout: seconds to wait for Bolt to answer.
        port: the Bolt port to use; ``None`` keeps the one stored for this home (or
            picks a free one at the first start and stores it).
    """

    def __init__(
        self,
        home: Path,
        cache_dir: Path,
        version: str = NEO4J_VERSION,
        heap: str = "512m",
        pagecache: str = "128m",
        start_timeout: float = 120.0,
        port: int | None = None,
    ) -> None:
        self.home = home.resolve()
        self.cache_dir = cache_dir.resolve()
        self.version = version
        self.heap = heap
        self.pagecache = pagecache
        self.start_timeout = start_timeout
        self.requested_port = port

    def _info(self, state: dict[str, int]) -> ServerInfo:
        return ServerInfo(
            uri=f"bolt://127.0.0.1:{state['port']}",
            user=USER,
            password=self._password(),
            pid=state["pid"],
            port=state["port"],
        )

    # -- lifecycle -------------------------------------------------------------
    def status(self) -> ServerStatus:
        """Report whether the server runs and whether Bolt answers."""
        state = self._read_state()
        if state is None:
            return ServerStatus(running=False, answers=False, pid=None, uri=None)
        uri = f"bolt://127.0.0.1:{state['port']}"
        if not is_server_of(state["pid"], self.home):
            return ServerStatus(False, False, state["pid"], uri, stale_pid=True)
        return ServerStatus(True, port_answers(state["port"]), state["pid"], uri)

    def start(self, report: Callable[[str], None] | None = None) -> ServerInfo:
        """Start the server (or reuse the running one) and wait until Bolt answers.

        ``report`` is told each step in a line a person can read (resolving the jars,
        starting, ready after how long), for ``kb serve`` to print.
        """
        say = report or (lambda message: None)
        began = time.monotonic()
        with self._locked():
            state = self._read_state()
            if state is not None:
                if is_server_of(state["pid"], self.home):
                    say(f"Neo4j is already running (pid {state['pid']}); waiting for Bolt")
                    self._wait_for_bolt(state["pid"], state["port"])
                    say(f"Neo4j is ready at bolt://127.0.0.1:{state['port']}")
                    return self._info(state)
                self._clear_state()  # stale: the process died (kill -9, reboot)
                say(f"Neo4j (pid {state['pid']}) had stopped uncleanly; starting it again")
            java = check_java()
            if not (self.lib_dir / ".complete").exists():
                say(
                    f"Resolving Neo4j {self.version} with Maven into {self.cache_dir} "
                    "(first run only: about 100 MB)"
                )
            self.ensure_jars()
            for sub in ("data", "logs", "run", "import", "plugins"):
                (self.home / sub).mkdir(parents=True, exist_ok=True)
            password = self._password()
            port = self.bolt_port()
            self._check_port_free(port)
            self._write_conf(port)
            self._set_initial_password(java, password)
            command = [
                java,
                f"-Xms{self.heap}",
                f"-Xmx{self.heap}",
                *JVM_FLAGS,
                "-cp",
                f"{self.lib_dir}/*",
                ENTRY_POINT,
                "--home-dir",
                str(self.home),
                "--config-dir",
                str(self.home / "conf"),
            ]
            process = launch(command, cwd=self.home, console_log=self.console_log)
            state = {"pid": process.pid, "port": port}
            self.pid_file.write_text(f"{process.pid}\n")
            self.state_file.write_text(json.dumps(state))
            say(f"Starting Neo4j {self.version} (pid {process.pid}, data in {self.home})")
            try:
                self._wait_for_bolt(process.pid, port, process)
            except Neo4jLocalError:
                terminate(process.pid)
                self._clear_state()
                raise
            elapsed = time.monotonic() - began
            say(f"Neo4j is ready at bolt://127.0.0.1:{port} (started in {elapsed:.1f} s)")
            return self._info(state)

    def _wait_for_bolt(
        self, pid: int, port: int, process: subprocess.Popen[bytes] | None = None
    ) -> None:
        """Wait until the server answers a query (an open port alone is not enough: Bolt
        listens before the default database is online)."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if port_answers(port) and answers_query(port, USER, self._password()):
                return
            exited = process.poll() is not None if process else not pid_alive(pid)
            if exited:
                raise Neo4jLocalError(
                    f"Neo4j exited during start-up; see {self.console_log} and "
                    f"{self.home / 'logs' / 'neo4j.log'}:\n{self._log_tail()}"
                )
            time.sleep(0.2)
        raise Neo4jLocalError(
            f"Neo4j did not answer on Bolt port {port} within {self.start_timeout:.0f}s "
            f"(KB_NEO4J_START_TIMEOUT); see {self.home / 'logs'}:\n{self._log_tail()}"
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL after ``timeout``).

        Returns True when a running server was stopped, False when none was running.
        """
        with self._locked():
            state = self._read_state()
            if state is None:
                return False
            stopped = False
            if is_server_of(state["pid"], self.home):
                terminate(state["pid"], timeout)
                stopped = True
            self._clear_state()
            return stopped
