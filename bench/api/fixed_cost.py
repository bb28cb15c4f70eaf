"""What one small read costs this API beyond its Cypher: an interleaved A/B of two
`kb serve` (a base checkout and this tree) on one Neo4j, cache off, with raw Cypher in
the same run.

Wall-clock latency on this shared 2-core machine moves with the other work, so the
figures that do not are reported first:

- **server CPU ms per request**: user + system time of the `kb serve` process (all its
  threads, from ``/proc/<pid>/stat``) over a bounded loop of ``--requests`` requests,
  less what it spends idle over as long (the indexer's poll);
- **Neo4j CPU ms per request** over the same loop (the database's share: a managed
  transaction's BEGIN and COMMIT are work there too);

and then, interleaved cell by cell with the same load generator for both servers, the
p50 at one client (autocannon, ``bench/api/peer/load.mjs``) and raw Cypher's p50 through
the Python driver in this process: ``Graph.read`` (a managed read transaction, as
``bench/api/compare.py`` times it) and, for comparison, one auto-commit read
(``Graph.read_column``'s kind since this change). Several rounds; medians.

Usage (its own managed Neo4j under ``KB_DATA_DIR``, seeded when empty):

    git archive main | tar -x -C /tmp/kb-base
    KB_DATA_DIR=.kb-fixed .venv/bin/python bench/api/fixed_cost.py --base /tmp/kb-base

The base runs with this interpreter and ``PYTHONPATH=<base>`` (same packages). Only
127.0.0.1 is a target; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parents[1]))  # the project root, for tests.serve_support
sys.path.insert(1, str(HERE))

from compare import load  # noqa: E402
from queries import READS  # noqa: E402

from kb.bootstrap import seed_graph  # noqa: E402
from kb.config import Settings  # noqa: E402
from kb.graph.connect import local_server, open_graph  # noqa: E402
from kb.graph.db import Graph  # noqa: E402
from kb.graph.schema import apply_schema  # noqa: E402
from tests.serve_support import Served, start_serve  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


@dataclass
class Cells:
    """What one side measured: CPU seconds and requests summed over its chunks, every
    request's latency, and its autocannon p50 per round."""

    server_cpu: float = 0.0
    neo4j_cpu: float = 0.0
    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)


def loop(port: int, body: bytes, count: int, limit: float) -> list[float]:
    """POST ``body`` ``count`` times on one keep-alive connection (at most ``limit``
    seconds); each one's latency in ms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times: list[float] = []
    end = time.monotonic() + limit
    try:
        for _ in range(count):
            if time.monotonic() > end:
                break
            began = time.perf_counter()
            connection.request("POST", "/graphql", body, {"content-type": "application/json"})
            response = connection.getresponse()
            data = response.read()
            times.append((time.perf_counter() - began) * 1000)
            if response.status != 200 or b'"errors"' in data:
                raise SystemExit(f"port {port}: {response.status} {data[:300]!r}")
    finally:
        connection.close()
    return times


def idle_rate(pid: int, seconds: float) -> float:
    """CPU seconds per second that ``pid`` spends with no request."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def cpu_chunk(
    served: Served, neo4j_pid: int, body: bytes, count: int, idle: float, cells: Cells
) -> None:
    """``count`` requests to ``served``: their latencies, and the server's and Neo4j's
    CPU seconds over them (the server's idle rate taken off), added to ``cells``."""
    port = int(served.base.rsplit(":", 1)[1])
    pid = served.process.pid
    began, server0, neo0 = time.monotonic(), cpu_seconds(pid), cpu_seconds(neo4j_pid)
    times = loop(port, body, count, limit=60.0)
    took = time.monotonic() - began
    cells.server_cpu += cpu_seconds(pid) - server0 - idle * took
    cells.neo4j_cpu += cpu_seconds(neo4j_pid) - neo0
    cells.requests += len(times)
    cells.latencies += times


def raw_times(graph: Graph, statement: str, count: int, autocommit: bool) -> list[float]:
    """ms of each of ``count`` runs of ``statement`` through the driver: ``Graph.read``
    (a managed read transaction) or ``Graph.read_column`` (one auto-commit read)."""
    run: Any = graph.read_column if autocommit else graph.read
    times = []
    end = time.monotonic() + 60
    for _ in range(count):
        if time.monotonic() > end:
            break
        began = time.perf_counter()
        run(statement)
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--base", required=True, type=Path, help="a checkout of the base")
    parser.add_argument("--chunks", type=int, default=20, help="interleaved chunks per side")
    parser.add_argument("--requests", type=int, default=200, help="per chunk")
    parser.add_argument("--rounds", type=int, default=3, help="autocannon rounds")
    parser.add_argument("--seconds", type=float, default=3.0, help="per autocannon cell")
    parser.add_argument("--read", type=int, default=2, help="index in bench/api/queries.py")
    args = parser.parse_args()
    settings = Settings.from_env()
    if settings.external_neo4j is not None:
        sys.exit("fixed_cost.py runs on its own managed Neo4j (KB_DATA_DIR); unset NEO4J_URI")
    read = READS[args.read]
    body = json.dumps({"query": read.ours}).encode()
    graph = open_graph(settings, start=True)
    status = local_server(settings).status()
    assert status.pid is not None
    neo4j_pid = status.pid
    served: dict[str, Served] = {}
    try:
        apply_schema(graph)
        if graph.read("MATCH (s:State) RETURN count(s) AS n")[0]["n"] == 0:
            seed_graph(graph, settings)
        with tempfile.TemporaryDirectory(prefix="kb-fixed-cost-") as tmp:
            work = Path(tmp)
            base_command = [sys.executable, "-c", "from kb.cli import main; main()"]
            base = args.base.resolve()
            found = subprocess.run(
                [sys.executable, "-c", "import kb; print(kb.__file__)"],
                env={**os.environ, "PYTHONPATH": str(base)},
                cwd=base,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            if not found.startswith(str(base)):
                sys.exit(f"the base would run {found}, not the checkout in {base}")
            # The base's `kb` from its own directory (`python -c` puts the working
            # directory first on sys.path), this tree's from its virtualenv.
            for name, command, extra, cwd in (
                ("base", base_command, {"PYTHONPATH": str(base)}, base),
                ("this tree", None, {}, None),
            ):
                env = {
                    "KB_DATA_DIR": str(settings.data_dir),
                    "KB_RESPONSE_CACHE": "0",
                    "KB_ACCESS_LOG": "false",
                    "KB_INDEX_DIR": str(work / f"index-{len(served)}"),
                    **extra,
                }
                log = work / f"serve-{len(served)}.log"
                served[name] = start_serve(env, log, command=command, cwd=cwd)
            for one in served.values():
                one.wait_ready()

            for one in served.values():  # warm up, and check the answers agree
                loop(int(one.base.rsplit(":", 1)[1]), body, 300, 30.0)
            answers = {
                name: httpx_post(one.base + "/graphql", read.ours) for name, one in served.items()
            }
            if len(set(answers.values())) != 1:
                sys.exit(f"the two servers answer differently: {answers}")
            raw_times(graph, read.cypher, 300, autocommit=False)
            raw_times(graph, read.cypher, 300, autocommit=True)
            idle = {name: idle_rate(one.process.pid, 3.0) for name, one in served.items()}
            cells = {name: Cells() for name in served}
            raws: dict[str, list[float]] = {"managed": [], "auto-commit": []}
            loads = [os.getloadavg()[0]]
            sides = list(served.items())
            for chunk in range(args.chunks):  # interleaved: the load drifts alike for both
                for name, one in sides if chunk % 2 else reversed(sides):
                    cpu_chunk(one, neo4j_pid, body, args.requests, idle[name], cells[name])
                raws["managed"] += raw_times(graph, read.cypher, args.requests, autocommit=False)
                raws["auto-commit"] += raw_times(graph, read.cypher, args.requests, autocommit=True)
            loads.append(os.getloadavg()[0])
            for round_ in range(args.rounds):
                for name, one in sides if round_ % 2 else reversed(sides):
                    cell = load(one.base + "/graphql", read.ours, 1, args.seconds)  # autocannon
                    cells[name].p50.append(float(cell["p50"]))
                loads.append(os.getloadavg()[0])
            print(report(read.name, cells, raws, idle, loads, args))
    finally:
        for one in served.values():
            one.stop()
        graph.close()


def httpx_post(url: str, query: str) -> bytes:
    import httpx

    return httpx.post(url, json={"query": query}, timeout=30).content


def report(
    read: str,
    cells: dict[str, Cells],
    raws: dict[str, list[float]],
    idle: dict[str, float],
    loads: list[float],
    args: argparse.Namespace,
) -> str:
    med = statistics.median
    raw = med(raws["managed"])
    auto = med(raws["auto-commit"])
    lines = [
        f"{read}: {args.chunks} interleaved chunks of {args.requests} requests per side, "
        f"{args.rounds} autocannon rounds of {args.seconds:g} s; 1-minute load average "
        + ", ".join(f"{x:.1f}" for x in loads),
        "",
        "| server | server CPU ms/request | Neo4j CPU ms/request | p50 ms (Python client) "
        "| p50 ms (autocannon, 1 client; per round) | p50 / raw managed, auto-commit |",
        "|---|---|---|---|---|---|",
    ]
    for name, cell in cells.items():
        n = max(cell.requests, 1)
        p50 = med(cell.p50)
        lines.append(
            f"| {name} | {cell.server_cpu * 1000 / n:.3f} | {cell.neo4j_cpu * 1000 / n:.3f} "
            f"| {med(cell.latencies):.3f} | {p50:.2f} ("
            + ", ".join(f"{x:.2f}" for x in cell.p50)
            + f") | {p50 / raw:.2f}x, {p50 / auto:.2f}x |"
        )
    lines += [
        "",
        f"Raw Cypher p50 in this process, interleaved with the chunks: managed "
        f"`Graph.read` {raw:.3f} ms, auto-commit `Graph.read_column` {auto:.3f} ms. Idle CPU "
        "of each server (subtracted): "
        + ", ".join(f"{name} {rate * 1000:.1f} ms/s" for name, rate in idle.items())
        + ".",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
