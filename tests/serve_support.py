"""A real ``kb serve`` process on 127.0.0.1: start it, wait until ``/readyz`` says ready,
stop it. The one harness for the tests that need a server process (web pages, two
processes on one Neo4j, recovery) and for ``bench/load``.

Example:
    >>> with serving(env, tmp_path / "serve.log") as served:
    ...     httpx.get(f"{served.base}/readyz").status_code
    200
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from kb.neo4j_local import free_port

#: The ``kb`` command of the running interpreter's environment.
KB = Path(sys.executable).with_name("kb")

#: How long a server may take to become ready (a first start builds the search index).
READY_TIMEOUT = 180.0


class ServeError(RuntimeError):
    """``kb serve`` exited, or did not become ready in time (the message holds its log)."""


@dataclass
class Served:
    """A started ``kb serve``: its address, process and log file."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Everything the server wrote so far."""
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Until ``/readyz`` answers 200.

        Raises:
            ServeError: the process exited first, or ``timeout`` seconds passed (the
                process is then killed).
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(
                    f"kb serve exited with {self.process.returncode}:\n{self.output()[-3000:]}"
                )
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        self.process.kill()
        self.process.wait(timeout=30)
        raise ServeError(
            f"kb serve did not become ready within {timeout:.0f} s:\n{self.output()[-3000:]}"
        )

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL if it still runs after ``timeout`` seconds."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL (when it still runs) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def start_serve(
    env: Mapping[str, str],
    log: Path,
    *,
    command: Sequence[str] | None = None,
    cwd: Path | None = None,
) -> Served:
    """Start ``kb serve`` on a free port of 127.0.0.1, writing its output to ``log``.

    ``env`` is added to this process's environment. ``command`` replaces ``kb`` (for a
    server run from another checkout, as ``bench/load`` does); ``serve --host 127.0.0.1
    --port N`` is appended to it. Returns at once: call :meth:`Served.wait_ready`.
    """
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [*(command or [str(KB)]), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Served(f"http://127.0.0.1:{port}", process, log)


def serve_ready(env: Mapping[str, str], log: Path, timeout: float = READY_TIMEOUT) -> Served:
    """Start ``kb serve`` and wait until it is ready (see :func:`start_serve`)."""
    served = start_serve(env, log)
    served.wait_ready(timeout)
    return served


@contextlib.contextmanager
def serving(env: Mapping[str, str], log: Path, timeout: float = READY_TIMEOUT) -> Iterator[Served]:
    """A ready ``kb serve`` for the body of the ``with``, stopped at its end."""
    served = start_serve(env, log)
    try:
        served.wait_ready(timeout)
        yield served
    finally:
        served.stop()
