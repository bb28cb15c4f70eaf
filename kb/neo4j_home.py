"""The home of a managed local Neo4j: its files, password, Bolt port, conf and state.

A home ``H`` holds ``conf/`` (written at each start by :mod:`kb.neo4j_conf`), ``data/``,
``logs/``, the generated password (``H/password``, mode 0600, set as the initial
password before the first start), the Bolt port (``H/bolt-port``) and, while a server
runs, its pid and port (``H/run/kb-neo4j.json``). The jars it runs come from a cache
shared by every home (:mod:`kb.neo4j_prereqs`). :class:`kb.neo4j_local.LocalNeo4j` is a
home that can start and stop its server; this module runs nothing but the admin tool.

The Bolt port is chosen once per home (a free port, or the one asked for) and kept in
``H/bolt-port``: every later start uses it again, so that a client that was connected
before a restart (a running ``kb serve``) finds the server where it was. A port that
another process has taken is reported, never silently replaced.

Example:
    >>> server = LocalNeo4j(home=Path(".kb-data/neo4j"), cache_dir=Path("~/.cache/kb"))
    >>> server.bolt_port()             # stored at the first call, the same ever after
    40123
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import string
import subprocess
from collections.abc import Iterator
from pathlib import Path

from kb.neo4j_conf import write_conf
from kb.neo4j_prereqs import Neo4jLocalError, lib_dir, resolve_jars
from kb.neo4j_process import free_port, port_answers

ADMIN_TOOL = "org.neo4j.cli.AdminTool"


class Neo4jHome:
    """The files of a Neo4j Community server's home: the base of
    :class:`kb.neo4j_local.LocalNeo4j`, whose constructor sets the attributes below (its
    docstring says what each one is)."""

    home: Path
    cache_dir: Path
    version: str
    heap: str
    pagecache: str
    requested_port: int | None

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

    def _clear_state(self) -> None:
        for path in (self.pid_file, self.state_file):
            path.unlink(missing_ok=True)

    def _log_tail(self, lines: int = 15) -> str:
        for path in (self.home / "logs" / "neo4j.log", self.console_log):
            with contextlib.suppress(OSError):
                text = path.read_text(errors="replace").strip()
                if text:
                    return "\n".join(text.splitlines()[-lines:])
        return "(no log output)"
