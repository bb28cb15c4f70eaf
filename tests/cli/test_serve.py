"""`kb serve` as a person sees it: each start-up step on a line, the URL to open, and a
clean stop (exit 0, no traceback) on Ctrl-C (SIGINT) and on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from kb.graph.db import Graph
from kb.neo4j_local import free_port


class ServeProcess:
    """A `kb serve` subprocess whose stderr is collected line by line."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        kb = Path(sys.executable).with_name("kb")
        self.process = subprocess.Popen(
            [str(kb), "serve", "--port", str(port)],
            env={**os.environ, **env, "NO_COLOR": "1", "COLUMNS": "200"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r}; output:\n" + "\n".join(self.lines))

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code


def _index_of(lines: list[str], pattern: str) -> int:
    for number, line in enumerate(lines):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(lines))


def test_serve_on_an_empty_graph_tells_each_step_then_stops_on_ctrl_c(
    graph: Graph, test_env: dict[str, str]
) -> None:
    port = free_port()
    serve = ServeProcess(test_env, port)
    try:
        ready = serve.wait_for(r"Ready: open ", timeout=240)
        assert f"http://127.0.0.1:{port}/" in ready
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        code = serve.stop(signal.SIGINT)
    lines = serve.lines
    neo4j = "NEO4J_URI" if "NEO4J_URI" in test_env else r"Neo4j is ready at bolt://127\.0\.0\.1:\d+"
    steps = [
        neo4j,
        r"Schema applied: \d+ constraints and indexes",
        r"The graph is empty: loading the seed",
        r"Seeding the graph .* (\d+)/\1",  # the bar, complete
        r"Seeded: 56 State, \d+ Alliance, .*\d+ Lesson",
        r"Search index: catching up",
        r"Search index: at change \d+",
        r"Ready: open http://127\.0\.0\.1:",
        r"Stopped",
    ]
    positions = [_index_of(lines, step) for step in steps]
    assert positions == sorted(positions), "\n".join(lines)
    assert code == 0, "\n".join(lines)
    assert not any("Traceback" in line or "Aborted" in line for line in lines), "\n".join(lines)
    assert graph.read("MATCH (s:State) RETURN count(s) AS n")[0]["n"] == 56


def test_serve_on_a_seeded_graph_does_not_seed_and_stops_cleanly_on_sigterm(
    seeded_graph: Graph, test_env: dict[str, str]
) -> None:
    serve = ServeProcess(test_env, free_port())
    try:
        serve.wait_for(r"Ready: open ", timeout=120)
    finally:
        code = serve.stop(signal.SIGTERM)
    lines = serve.lines
    assert code == 0, "\n".join(lines)
    assert _index_of(lines, "holds data already: not seeding") < _index_of(lines, "Ready: open")
    assert not any("Seeding the graph" in line for line in lines)
    assert re.search(r"Stopped", lines[-1]), "\n".join(lines)
