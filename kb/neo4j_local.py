"""The managed local Neo4j: resolve it with Maven, start, stop and inspect it.

Neo4j Community (the release pinned in :data:`kb.config.NEO4J_VERSION`) is resolved from
Maven Central by the small ``pom.xml`` in ``kb/neo4j_runtime`` into a cache directory,
then run as ``java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint --home-dir H
--config-dir H/conf`` with a generated ``neo4j.conf``: Bolt only, on 127.0.0.1, HTTP
off, auth on with a generated password (mode 0600), a small heap and page cache. This
module knows nothing of the domain.

The Bolt port is chosen once per home (a free port, or the one asked for) and kept in
``H/bolt-port``: every later start uses it again, so that a client that was connected
before a restart (a running ``kb serve``) finds the server where it was. A port that
another process has taken is reported, never silently replaced.

Example:
    >>> server = LocalNeo4j(home=Path(".kb-data/neo4j"), cache_dir=Path("~/.cache/kb"))
    >>> info = server.start()          # idempotent: a second start reuses the server
    >>> info.uri
    'bolt://127.0.0.1:40123'
    >>> server.stop()
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import signal
import socket
import string
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import NEO4J_VERSION
from kb.neo4j_conf import JVM_FLAGS, write_conf
from kb.neo4j_prereqs import (
    Neo4jLocalError,
    PrerequisiteError,
    check_java,
    lib_dir,
    resolve_jars,
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

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
USER = "neo4j"


# Servers this process started, kept so that they are reaped (waited for) when stopped
# here rather than left as zombies or reported by Popen.__del__ as still running.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


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


def _pid_alive(pid: int) -> bool:
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


class LocalNeo4j:
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

    # -- files -----------------------------------------------------------------
    @property
    def lib_dir(self) -> Path:
        return lib_dir(self.cache_dir, self.version)

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "kb-neo4j.pid"

    @property
    def state_file(self) -> Path:
        return self.home / "run" / "kb-neo4j.json"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def port_file(self) -> Path:
        """Where the Bolt port of this home is kept (it outlives stops and restarts)."""
        return self.home / "bolt-port"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise start/stop across processes sharing this home."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # -- resolution ------------------------------------------------------------
    def ensure_jars(self) -> Path:
        """Resolve the Neo4j jars with Maven into the cache (once). Returns the lib dir."""
        return resolve_jars(self.cache_dir, self.version)

    # -- configuration ---------------------------------------------------------
    def _password(self) -> str:
        if self.password_file.exists():
            return self.password_file.read_text().strip()
        # Letters and digits only: a password starting with '-' would read as an option.
        alphabet = string.ascii_letters + string.digits
        password = "".join(secrets.choice(alphabet) for _ in range(32))
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password)
        return password

    def _write_conf(self, port: int) -> None:
        write_conf(self.home, port, self.heap, self.pagecache)

    def _set_initial_password(self, java: str, password: str) -> None:
        """Set the neo4j user's password before the first start (never 'neo4j')."""
        if (self.home / "data" / "dbms" / "auth.ini").exists() or (
            self.home / "data" / "databases" / "system"
        ).exists():
            return
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        command = [java, "-cp", f"{self.lib_dir}/*", ADMIN_TOOL, "dbms", "set-initial-password"]
        result = subprocess.run(
            [*command, "--", password], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise Neo4jLocalError(f"setting the initial password failed: {result.stderr.strip()}")

    def stored_port(self) -> int | None:
        """The Bolt port kept for this home, or None before its first start."""
        try:
            raw = self.port_file.read_text().strip()
        except OSError:
            return None
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise Neo4jLocalError(
                f"{self.port_file} holds {raw!r}, not a TCP port; delete the file to pick "
                "a new free port"
            )
        return int(raw)

    def bolt_port(self) -> int:
        """The Bolt port of this home: the one asked for, else the stored one, else a new
        free port, which is stored for every later start."""
        stored = self.stored_port()
        port = self.requested_port or stored or free_port()
        if port != stored:
            self.port_file.write_text(f"{port}\n")
        return port

    def _check_port_free(self, port: int) -> None:
        if port_answers(port):
            origin = (
                "asked for with KB_NEO4J_PORT"
                if self.requested_port
                else f"kept in {self.port_file}"
            )
            raise Neo4jLocalError(
                f"Bolt port {port} ({origin}) is in use by another process; stop it, "
                "set KB_NEO4J_PORT to another port, or delete "
                f"{self.port_file} to pick a new free one"
            )

    # -- state -----------------------------------------------------------------
    def _read_state(self) -> dict[str, int] | None:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(state, dict) or not {"pid", "port"} <= state.keys():
            return None
        return {"pid": int(state["pid"]), "port": int(state["port"])}

    def _is_our_server(self, pid: int) -> bool:
        """True when ``pid`` is alive and is a Neo4j started on this home (not a reused pid)."""
        if not _pid_alive(pid):
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return True  # no /proc: trust the pid
        return ENTRY_POINT.encode() in cmdline and str(self.home).encode() in cmdline

    def _clear_state(self) -> None:
        for path in (self.pid_file, self.state_file):
            path.unlink(missing_ok=True)

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
        if not self._is_our_server(state["pid"]):
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
                if self._is_our_server(state["pid"]):
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
            with open(self.console_log, "ab") as log:
                process = subprocess.Popen(
                    command,
                    cwd=self.home,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # survives the caller; stopped by pid
                )
            _CHILDREN[process.pid] = process
            state = {"pid": process.pid, "port": port}
            self.pid_file.write_text(f"{process.pid}\n")
            self.state_file.write_text(json.dumps(state))
            say(f"Starting Neo4j {self.version} (pid {process.pid}, data in {self.home})")
            try:
                self._wait_for_bolt(process.pid, port, process)
            except Neo4jLocalError:
                self._terminate(process.pid)
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
            if port_answers(port) and self._answers_query(port):
                return
            exited = process.poll() is not None if process else not _pid_alive(pid)
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

    def _answers_query(self, port: int) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import DriverError, Neo4jError

        uri = f"bolt://127.0.0.1:{port}"
        try:
            with (
                GraphDatabase.driver(
                    uri, auth=(USER, self._password()), connection_timeout=2.0
                ) as driver,
                driver.session(database="neo4j") as session,
            ):
                session.run("RETURN 1").consume()
        except (DriverError, Neo4jError, OSError):
            return False
        return True

    def _log_tail(self, lines: int = 15) -> str:
        for path in (self.home / "logs" / "neo4j.log", self.console_log):
            with contextlib.suppress(OSError):
                text = path.read_text(errors="replace").strip()
                if text:
                    return "\n".join(text.splitlines()[-lines:])
        return "(no log output)"

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL after ``timeout``).

        Returns True when a running server was stopped, False when none was running.
        """
        with self._locked():
            state = self._read_state()
            if state is None:
                return False
            stopped = False
            if self._is_our_server(state["pid"]):
                self._terminate(state["pid"], timeout)
                stopped = True
            self._clear_state()
            return stopped

    def _terminate(self, pid: int, timeout: float = 60.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                self._reap(pid)
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        self._reap(pid)

    @staticmethod
    def _reap(pid: int) -> None:
        child = _CHILDREN.pop(pid, None)
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)
