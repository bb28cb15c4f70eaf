"""`kb serve` as a person sees it: each start-up step on a line, the URL to open, and a
clean stop (exit 0, no traceback) on Ctrl-C (SIGINT) and on SIGTERM."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import httpx

from kb.graph.db import Graph
from tests.serve_support import Served, start_serve

#: Plain lines, wide enough not to wrap, written as they come (the log is a file).
_PLAIN = {"NO_COLOR": "1", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}


def _wait_for(served: Served, pattern: str, timeout: float) -> str:
    """The first line of the server's output matching ``pattern``, once it is written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in served.output().splitlines():
            if re.search(pattern, line):
                return line
        if served.process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"no line matching {pattern!r}; output:\n{served.output()}")


def _stop(served: Served, signum: int) -> int:
    """Send ``signum``; the exit code (the process is killed if it does not stop)."""
    served.process.send_signal(signum)
    try:
        return served.process.wait(timeout=30)
    finally:
        served.kill()


def _index_of(lines: list[str], pattern: str) -> int:
    for number, line in enumerate(lines):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(lines))


def test_serve_on_an_empty_graph_tells_each_step_then_stops_on_ctrl_c(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    served = start_serve({**test_env, **_PLAIN}, tmp_path / "serve.log")
    try:
        ready = _wait_for(served, r"Ready: open ", timeout=240)
        assert f"{served.base}/" in ready
        assert httpx.get(f"{served.base}/healthz", timeout=5).status_code == 200
    finally:
        code = _stop(served, signal.SIGINT)
    lines = served.output().splitlines()
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
    seeded_graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    served = start_serve({**test_env, **_PLAIN}, tmp_path / "serve.log")
    try:
        _wait_for(served, r"Ready: open ", timeout=120)
    finally:
        code = _stop(served, signal.SIGTERM)
    lines = served.output().splitlines()
    assert code == 0, "\n".join(lines)
    assert _index_of(lines, "holds data already: not seeding") < _index_of(lines, "Ready: open")
    assert not any("Seeding the graph" in line for line in lines)
    assert re.search(r"Stopped", lines[-1]), "\n".join(lines)
