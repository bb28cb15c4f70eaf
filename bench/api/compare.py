"""Peer bench: this API (a real `kb serve`, response cache off and on) beside the Neo4j
GraphQL Library 7 on Apollo Server, and hand-written Cypher, on the same Neo4j.

1. starts the bench's managed Neo4j (KB_DATA_DIR, .kb-bench by default), wipes it and
   loads the seed;
2. writes the peer's type definitions (bench/api/peer_schema.py, from the relationship
   table), creates its full-text indexes, `npm ci` into bench/api/peer if needed, and
   starts the peer (bench/api/peer/server.mjs) on 127.0.0.1;
3. starts two `kb serve` on 127.0.0.1: KB_RESPONSE_CACHE=0 and the default cache;
4. checks that both servers answer each read (bench/api/queries.py) with the same node
   counts, then times, interleaved cell by cell for ``--rounds`` rounds, each read on
   each server with ONE load generator (autocannon, bench/api/peer/load.mjs): p50/p95 at
   1 client and req/s at 16 clients, ``--seconds`` per cell; and the raw Cypher p50
   through the Python driver;
5. with ``--scale 1,10,100``: grows the graph (bench/synthetic.py) and times the paged
   and nested reads at each scale (1 client, p95), one scale after the other.

Writes the tables into bench/api/README.md (between the markers below). It WIPES the
graph it points at; with NEO4J_URI set it refuses unless --allow-wipe is given.

``--growth 1,100`` (``make bench-api-growth``) instead measures the growth of the paged
and nested reads fairly: the two scales run AT THE SAME TIME, each on its own managed
Neo4j (``KB_DATA_DIR/growth-<N>x``, its own port), with its own ``kb serve`` (cache off)
and its own peer, and the cells of both scales are interleaved read by read and server
by server within each round (the order of the scales alternating between rounds), so
that each growth ratio compares two cells measured under the same load. It writes the
growth per round, its median and the load averages between the ``fair`` markers.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parents[1]))  # the project root, for tests.serve_support
sys.path.insert(1, str(HERE.parent))  # bench/, for synthetic

import synthetic  # noqa: E402
from peer_schema import fulltext_statements, peer_type_defs  # noqa: E402
from queries import READS, Read  # noqa: E402

from kb.bootstrap import seed_graph  # noqa: E402
from kb.config import PROJECT_ROOT, Settings  # noqa: E402
from kb.graph.connect import local_server, open_graph  # noqa: E402
from kb.graph.db import Graph  # noqa: E402
from kb.graph.schema import apply_schema  # noqa: E402
from tests.serve_support import Served, start_serve  # noqa: E402

PEER = HERE / "peer"
REPORT = HERE / "README.md"
BEGIN, END = "<!-- compare.py: begin -->", "<!-- compare.py: end -->"
OURS_OFF, OURS_ON, PEER_NAME = "ours, cache off", "ours, cache on", "peer"

PAGED = Read(
    "paged: 20 lessons, newest first",
    "{ lessons(first: 20, orderBy: RECORDED_ON_DESC) { nodes { id title recordedOn } } }",
    "{ lessons(limit: 20, sort: [{recordedOn: DESC}]) { id title recordedOn } }",
    "MATCH (n:Lesson) WITH n ORDER BY n.recordedOn DESC LIMIT 20 "
    "RETURN n { .id, .title, .recordedOn } AS n",
    lambda d: len(d["lessons"]["nodes"]),
    lambda d: len(d["lessons"]),
)
SCALE_READS = (PAGED, READS[1])


@dataclass
class Cell:
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    rps: list[float] = field(default_factory=list)


def post(url: str, query: str) -> dict[str, Any]:
    body = httpx.post(url, json={"query": query}, timeout=60).json()
    if "errors" in body:
        raise SystemExit(f"{url}: {query[:80]}...: {body['errors'][0].get('message')}")
    return dict(body["data"])


def load(url: str, query: str, connections: int, seconds: float) -> dict[str, Any]:
    spec = {"url": url, "body": json.dumps({"query": query}), "connections": connections}
    spec["duration"] = seconds
    done = subprocess.run(
        ["node", "load.mjs", json.dumps(spec)],
        cwd=PEER,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    out = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    if "p50" not in out:
        raise SystemExit(f"{url}: no response in {seconds:g} s: {out} {done.stderr[-500:]}")
    if out["non2xx"] or out["errors"]:
        raise SystemExit(f"{url}: {out['non2xx']} non-2xx, {out['errors']} errors: {query[:80]}")
    return out


def cypher_times(
    graph: Graph, statement: str, seconds: float, auto_commit: bool = False
) -> list[float]:
    """Milliseconds of each run of ``statement`` through the driver, for ``seconds``:
    a managed read (``Graph.read``: BEGIN, RUN, COMMIT) or, with ``auto_commit``, one
    auto-commit ``session.run`` (a single round trip, as this API's planned reads)."""
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        if auto_commit:
            with graph.driver.session(database=graph.database, default_access_mode="READ") as s:
                list(s.run(statement))
        else:
            graph.read(statement)  # type: ignore[arg-type]
        times.append((time.perf_counter() - started) * 1000)
    return times


def cypher_p50(graph: Graph, statement: str, seconds: float) -> float:
    """The raw baseline: the cheaper p50 of a managed and an auto-commit read, each timed
    for half of ``seconds``, one after the other."""
    return min(
        statistics.median(cypher_times(graph, statement, seconds / 2, auto_commit=mode))
        for mode in (False, True)
    )


def p95(values: list[float]) -> float:
    """The 95th percentile as bench/api/peer/load.mjs takes it from autocannon's latencies."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def graph_properties(graph: Graph) -> dict[str, dict[str, str]]:
    rows = graph.read(
        "CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName, propertyTypes "
        "RETURN nodeLabels, propertyName, propertyTypes"
    )
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        if len(row["nodeLabels"]) == 1 and row["propertyName"]:
            found.setdefault(row["nodeLabels"][0], {})[row["propertyName"]] = row["propertyTypes"][
                0
            ]
    return found


def start_peer(settings: Settings, graph: Graph, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    if not (PEER / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)
    for statement in fulltext_statements():
        graph.write(statement)  # type: ignore[arg-type]
    graph.execute_write(lambda tx: tx.run("CALL db.awaitIndexes(600)"), timeout=700)
    typedefs = work / "peer.graphql"
    typedefs.write_text(peer_type_defs(graph_properties(graph)))
    target = settings.external_neo4j
    if target is not None:
        uri, user, password = target.uri, target.user, target.password
    else:
        info = local_server(settings).start()
        uri, user, password = f"bolt://127.0.0.1:{info.port}", info.user, info.password
    from kb.neo4j_local import free_port

    port = free_port()
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": password}
    env |= {"PEER_PORT": str(port), "PEER_TYPEDEFS": str(typedefs)}
    log = open(work / "peer.log", "wb")  # noqa: SIM115 (held for the process's life)
    process = subprocess.Popen(["node", "server.mjs"], cwd=PEER, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the peer exited:\n{(work / 'peer.log').read_text()[-3000:]}")
        if "ready" in (work / "peer.log").read_text():
            return process, url
        time.sleep(0.3)
    process.kill()
    raise SystemExit("the peer did not start within 120 s")


def check_same_data(urls: dict[str, str], reads: tuple[Read, ...]) -> dict[str, tuple[int, int]]:
    """Counts (ours, peer) per read; exits when a read that must agree does not."""
    counts = {}
    for read in reads:
        ours = read.count_ours(post(urls[OURS_OFF], read.ours))
        peer = read.count_peer(post(urls[PEER_NAME], read.peer))
        counts[read.name] = (ours, peer)
        if read.same_data and ours != peer:
            raise SystemExit(f"{read.name}: this API answers {ours} nodes, the peer {peer}")
        print(f"  {read.name}: ours {ours}, peer {peer}", flush=True)
    return counts


def run_matrix(
    urls: dict[str, str],
    graph: Graph,
    reads: tuple[Read, ...],
    rounds: int,
    seconds: float,
    clients: tuple[int, ...],
    servers: tuple[str, ...],
) -> tuple[dict[tuple[str, str, int], Cell], dict[str, list[float]]]:
    cells: dict[tuple[str, str, int], Cell] = {}
    raw: dict[str, list[float]] = {r.name: [] for r in reads}
    for number in range(1, rounds + 1):
        for read in reads:
            for n in clients:
                for server in servers:  # interleaved: each server in turn, cell by cell
                    query = read.peer if server == PEER_NAME else read.ours
                    out = load(urls[server], query, n, seconds)
                    cell = cells.setdefault((read.name, server, n), Cell())
                    cell.p50.append(out["p50"])
                    cell.p95.append(out["p95"])
                    cell.rps.append(out["rps"])
            raw[read.name].append(cypher_p50(graph, read.cypher, seconds))
        print(f"  round {number}/{rounds} done", flush=True)
    return cells, raw


def med(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--allow-wipe", action="store_true", help="wipe a NEO4J_URI graph")
    parser.add_argument("--scale", default="1", help="comma-separated scales, e.g. 1,10,100")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each cell")
    parser.add_argument(
        "--growth", help="two scales, e.g. 1,100: measure growth with both graphs side by side"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="--growth: keep graphs already at their scale"
    )
    args = parser.parse_args()
    if shutil.which("node") is None:
        sys.exit("node (Node.js 20+) is needed for the peer and the load generator")
    if args.growth:
        growth_main(args, Settings.from_env())
        return
    scales = [int(s) for s in args.scale.split(",")]
    settings = Settings.from_env()
    if settings.external_neo4j is not None and not args.allow_wipe:
        sys.exit(f"NEO4J_URI is set ({settings.external_neo4j.uri}); pass --allow-wipe to wipe it")
    started = time.monotonic()
    loads = [os.getloadavg()[0]]
    graph = open_graph(settings, start=True)
    served: list[Served] = []
    peer: subprocess.Popen[bytes] | None = None
    try:
        apply_schema(graph)
        graph.execute_write(lambda tx: tx.run("MATCH (n) DETACH DELETE n"), timeout=600)
        seed_graph(graph, settings)
        with tempfile.TemporaryDirectory(prefix="kb-bench-peer-") as tmp:
            work = Path(tmp)
            peer, peer_url = start_peer(settings, graph, work)
            urls = {PEER_NAME: peer_url}
            for name, cache in ((OURS_OFF, "0"), (OURS_ON, "512")):
                env = {"KB_DATA_DIR": str(settings.data_dir), "KB_RESPONSE_CACHE": cache}
                # The peer logs no line per request either (see bench/api/README.md).
                env["KB_ACCESS_LOG"] = "false"
                env["KB_INDEX_DIR"] = str(work / f"index-{cache}")
                one = start_serve(env, work / f"serve-{cache}.log")
                served.append(one)
                one.wait_ready()
                urls[name] = one.base + "/graphql"
            print("same data on both sides:", flush=True)
            counts = check_same_data(urls, READS)
            loads.append(os.getloadavg()[0])
            cells, raw = run_matrix(
                urls, graph, READS, args.rounds, args.seconds, (1, 16),
                (OURS_OFF, PEER_NAME, OURS_ON),
            )  # fmt: skip
            scaled: dict[int, tuple[dict[str, int], dict[tuple[str, str, int], Cell]]] = {}
            for scale in scales:
                sizes = synthetic.expand(graph, scale)
                print(f"scale {scale}x: {sizes}", flush=True)
                check_same_data(urls, SCALE_READS)
                scale_cells, _ = run_matrix(
                    urls, graph, SCALE_READS, args.rounds, args.seconds, (1,),
                    (OURS_OFF, PEER_NAME),
                )  # fmt: skip
                scaled[scale] = (sizes, scale_cells)
                loads.append(os.getloadavg()[0])
            synthetic.expand(graph, 1)
        loads.append(os.getloadavg()[0])
        text = report(cells, raw, counts, scaled, args, time.monotonic() - started, loads)
        write_block(BEGIN, END, text)
        print(text)
    finally:
        for one in served:
            one.stop()
        if peer is not None and peer.poll() is None:
            peer.terminate()
            peer.wait(timeout=30)
        graph.close()


FAIR_BEGIN, FAIR_END = "<!-- compare.py fair: begin -->", "<!-- compare.py fair: end -->"
RAW = "raw Cypher"
GROWTH_SERVERS = (OURS_OFF, PEER_NAME, RAW)


@dataclass
class Side:
    """One scale of the growth run: its own managed Neo4j, `kb serve` and peer."""

    scale: int
    settings: Settings
    graph: Graph
    urls: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)


def start_side(
    base: Settings, scale: int, work: Path, stack: contextlib.ExitStack, reuse: bool
) -> Side:
    """Seed a managed Neo4j of its own (``KB_DATA_DIR/growth-<scale>x``), start the peer
    and a `kb serve` (cache off) on it, then grow it to ``scale`` times the seed."""
    data_dir = base.data_dir / f"growth-{scale}x"
    # Generous limits: a cold first read of the large graph on a loaded machine is slow,
    # and this run measures time rather than enforcing budgets.
    settings = dataclasses.replace(
        base, data_dir=data_dir, index_dir=data_dir / "index", neo4j_port=None, tx_timeout=300.0
    )
    work.mkdir(parents=True, exist_ok=True)
    graph = open_graph(settings, start=True)
    stack.callback(local_server(settings).stop)  # LIFO: after the graph and the servers
    stack.callback(graph.close)
    side = Side(scale, settings, graph)
    apply_schema(graph)
    sizes = synthetic.sizes(graph)
    kept = reuse and sizes["Contract"] > 0 and sizes == synthetic.sizes_at(graph, scale)
    kept = kept and settings.index_dir.exists()
    if not kept:  # in batches: one transaction deleting a 100x graph outgrows its memory
        with graph.driver.session(database=graph.database) as session:
            session.run(
                "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
            ).consume()
        shutil.rmtree(settings.index_dir, ignore_errors=True)
        seed_graph(graph, settings)
    peer, side.urls[PEER_NAME] = start_peer(settings, graph, work)
    stack.callback(_stop_process, peer)
    env = {"KB_DATA_DIR": str(data_dir), "KB_RESPONSE_CACHE": "0", "KB_ACCESS_LOG": "false"}
    env |= {"KB_INDEX_DIR": str(settings.index_dir), "KB_NEO4J_PORT": ""}
    env |= {"KB_REQUEST_BUDGET": "300", "KB_TX_TIMEOUT": "300"}
    served = start_serve(env, work / "serve.log")
    stack.callback(served.stop)
    served.wait_ready(900)
    side.urls[OURS_OFF] = served.base + "/graphql"
    # Grown after the servers started, as in the sequential run: the synthetic records
    # bypass the change log, so `kb serve` does not index them while cells run (and its
    # index, kept under the data directory, lets --reuse skip all of this next time).
    side.sizes = sizes if kept else synthetic.expand(graph, scale)
    print(f"scale {scale}x{' (reused)' if kept else ''}: {side.sizes}", flush=True)
    return side


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


#: (round, read, scale, server) -> p95 ms
Growth = dict[tuple[int, str, int, str], float]


def run_growth(sides: list[Side], rounds: int, seconds: float) -> tuple[Growth, list[float]]:
    """p95 at 1 client of each scale read on each side, the two scales' cells of the same
    read and server back to back (scale order alternating between rounds); the 1-minute
    load average after each round."""
    found: Growth = {}
    loads = []
    for side in sides:  # warm-up, not timed: first requests (JIT, plan caches, pools)
        for read in SCALE_READS:
            for server in (OURS_OFF, PEER_NAME):
                query = read.peer if server == PEER_NAME else read.ours
                load(side.urls[server], query, 1, max(seconds, 3.0))
            cypher_times(side.graph, read.cypher, 1.0)
    for number in range(1, rounds + 1):
        order = sides if number % 2 else sides[::-1]
        for read in SCALE_READS:
            for server in GROWTH_SERVERS:
                for side in order:
                    if server == RAW:
                        value = p95(cypher_times(side.graph, read.cypher, seconds))
                    else:
                        query = read.peer if server == PEER_NAME else read.ours
                        value = load(side.urls[server], query, 1, seconds)["p95"]
                    found[(number, read.name, side.scale, server)] = value
        loads.append(os.getloadavg()[0])
        print(f"  round {number}/{rounds} done, load {loads[-1]:.1f}", flush=True)
    return found, loads


def growth_main(args: argparse.Namespace, base: Settings) -> None:
    scales = [int(s) for s in args.growth.split(",")]
    if len(scales) != 2 or scales[0] >= scales[1]:
        sys.exit("--growth takes two scales, smaller first: e.g. 1,100")
    if base.external_neo4j is not None:
        sys.exit("--growth runs two managed Neo4j servers side by side: unset NEO4J_URI")
    started = time.monotonic()
    loads = [os.getloadavg()[0]]
    # The servers (in the stack) stop before their logs' folder is removed.
    with tempfile.TemporaryDirectory(prefix="kb-growth-") as tmp, contextlib.ExitStack() as stack:
        sides = [start_side(base, s, Path(tmp) / f"{s}x", stack, args.reuse) for s in scales]
        for side in sides:
            print(f"same data on both sides at {side.scale}x:", flush=True)
            check_same_data(side.urls, SCALE_READS)
        loads.append(os.getloadavg()[0])
        found, round_loads = run_growth(sides, args.rounds, args.seconds)
    loads += round_loads
    text = growth_report(sides, found, args, time.monotonic() - started, loads)
    write_block(FAIR_BEGIN, FAIR_END, text)
    print(text)


def growth_report(
    sides: list[Side], found: Growth, args: argparse.Namespace, elapsed: float, loads: list[float]
) -> str:
    small, large = (side.scale for side in sides)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    labels = ("Contract", "Practice", "Lesson")
    sizes = "; ".join(
        f"{side.scale}x: {' / '.join(str(side.sizes[k]) for k in labels)}" for side in sides
    )
    lines = [
        f"## Growth {small}x -> {large}x measured side by side (`make bench-api-growth`)",
        "",
        f"{when}, commit {_commit()}, {os.cpu_count()} CPUs; {args.rounds} rounds, "
        f"{args.seconds:g} s per cell, whole run {elapsed / 60:.1f} min; contracts / practices "
        f"/ lessons {sizes}. 1-minute load average {', '.join(f'{v:.1f}' for v in loads)} "
        "(start, before the rounds, after each round).",
        "",
        f"Script `bench/api/compare.py --growth {small},{large}`: both graphs at once, each on",
        "its own managed Neo4j with its own `kb serve` (cache off) and peer; in each round,",
        "for each read and each server, the two scales' cells run back to back (1 client,",
        "autocannon; raw Cypher through the Python driver), the scale order alternating",
        "between rounds. Growth = p95 at the large scale / p95 at the small one, per round.",
        "",
        "| round | load after | read | ours p95 ms (growth) | peer p95 ms (growth) "
        "| raw Cypher p95 ms (growth) |",
        "|---|---|---|---|---|---|",
    ]
    rounds = sorted({key[0] for key in found})

    def cell(number: int, read: str, server: str) -> str:
        a, b = found[(number, read, small, server)], found[(number, read, large, server)]
        return f"{a:.1f} -> {b:.1f} ({b / a:.2f}x)"

    for number in rounds:
        for read in SCALE_READS:
            lines.append(
                f"| {number} | {loads[1 + number]:.1f} | {read.name} | "
                + " | ".join(cell(number, read.name, server) for server in GROWTH_SERVERS)
                + " |"
            )
    lines += ["", "Median over the rounds of the per-round growth (and of each scale's p95):", ""]
    for read in SCALE_READS:
        parts = []
        for server in GROWTH_SERVERS:
            ratios = [
                found[(n, read.name, large, server)] / found[(n, read.name, small, server)]
                for n in rounds
            ]
            a = med([found[(n, read.name, small, server)] for n in rounds])
            b = med([found[(n, read.name, large, server)] for n in rounds])
            parts.append(
                f"{server} {med(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}; "
                f"p95 {a:.1f} -> {b:.1f} ms)"
            )
        lines.append(f"- {read.name}: " + "; ".join(parts))
    lines.append("")
    return "\n".join(lines)


def write_block(begin: str, end: str, text: str) -> None:
    """Put ``text`` between the ``begin`` and ``end`` markers of the README (appended
    with them when they are not there yet)."""
    previous = REPORT.read_text() if REPORT.exists() else ""
    if begin in previous and end in previous:
        head, rest = previous.split(begin, 1)
        text = head + begin + "\n" + text + end + rest.split(end, 1)[1]
    else:
        text = previous.rstrip("\n") + "\n\n" + begin + "\n" + text + end + "\n"
    REPORT.write_text(text)


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "kb"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() + (" (kb/ modified)" if dirty.stdout.strip() else "")


def report(
    cells: dict[tuple[str, str, int], Cell],
    raw: dict[str, list[float]],
    counts: dict[str, tuple[int, int]],
    scaled: dict[int, tuple[dict[str, int], dict[tuple[str, str, int], Cell]]],
    args: argparse.Namespace,
    elapsed: float,
    loads: list[float],
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## This API beside the Neo4j GraphQL Library (`make bench-api`)",
        "",
        f"{when}, commit {_commit()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, Node {_node_version()}, {platform.system()}; "
        f"{args.rounds} rounds, {args.seconds:g} s per cell, whole run {elapsed / 60:.1f} min; "
        f"1-minute load average {', '.join(f'{v:.1f}' for v in loads)} (start, before the "
        "matrix, after each scale, end: other work shares the CPUs).",
        "",
        "Script `bench/api/compare.py`: a real `kb serve` (cache off: `KB_RESPONSE_CACHE=0`;",
        "cache on: 512 entries) and the peer (`@neo4j/graphql` 7 on `@apollo/server` 4,",
        "`bench/api/peer/`, type definitions generated from `kb/domain/relationships.py`) on",
        "the same Neo4j and seed, each cell timed by the same load generator (autocannon over",
        "HTTP on 127.0.0.1), servers interleaved cell by cell; medians over the rounds. Raw",
        "Cypher: one hand-written statement through the Python driver, the cheaper p50 of a",
        "managed read (`Graph.read`) and an auto-commit `session.run`, timed one after the other.",
        "Node counts were checked equal on both sides before timing (search: different",
        "engines, counts shown, not required equal).",
        "",
        "| read | nodes ours/peer | raw Cypher p50 | ours off p50 / p95 | peer p50 / p95 "
        "| ours on p50 / p95 | ours off / raw p50 | ours off / peer p50 | req/s @16: ours off "
        "/ peer / ours on | req/s ratio off/peer, on/peer |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for read in READS:
        off, peer, on = (cells[(read.name, s, 1)] for s in (OURS_OFF, PEER_NAME, OURS_ON))
        r_off, r_peer, r_on = (
            med(cells[(read.name, s, 16)].rps) for s in (OURS_OFF, PEER_NAME, OURS_ON)
        )
        base = med(raw[read.name])
        ours, theirs = counts[read.name]
        lines.append(
            f"| {read.name} | {ours}/{theirs} | {base:.1f} ms "
            f"| {med(off.p50):.1f} / {med(off.p95):.1f} "
            f"| {med(peer.p50):.1f} / {med(peer.p95):.1f} | {med(on.p50):.1f} / {med(on.p95):.1f} "
            f"| {med(off.p50) / base:.1f}x | {med(off.p50) / med(peer.p50):.2f} "
            f"| {r_off:,.0f} / {r_peer:,.0f} / {r_on:,.0f} "
            f"| {r_off / r_peer:.2f}, {r_on / r_peer:.2f} |"
        )
    lines += [
        "",
        "Ratios: ours/raw and ours/peer p50 above 1 mean this API is slower; req/s ratios",
        "below 1 mean it serves fewer requests than the peer. Search timings compare",
        "different work: ours runs Whoosh with highlights, facets, synonyms and typo",
        "correction; the peer runs three Lucene `@fulltext` queries.",
        "",
    ]
    if scaled:
        lines += [
            "### Scale (1 client, cache off; synthetic contracts, practices and lessons)",
            "",
            "| scale | contracts / practices / lessons | read | ours p95 ms | peer p95 ms |",
            "|---|---|---|---|---|",
        ]
        for scale, (sizes, sc) in scaled.items():
            for read in SCALE_READS:
                lines.append(
                    f"| {scale}x | {sizes['Contract']} / {sizes['Practice']} / {sizes['Lesson']} "
                    f"| {read.name} | {med(sc[(read.name, OURS_OFF, 1)].p95):.1f} "
                    f"| {med(sc[(read.name, PEER_NAME, 1)].p95):.1f} |"
                )
        first, last = min(scaled), max(scaled)
        if first != last:
            lines += ["", f"Growth of p95 from {first}x to {last}x:", ""]
            for read in SCALE_READS:
                for server in (OURS_OFF, PEER_NAME):
                    a = med(scaled[first][1][(read.name, server, 1)].p95)
                    b = med(scaled[last][1][(read.name, server, 1)].p95)
                    lines.append(f"- {read.name}, {server}: {b / a:.2f}x")
        lines.append("")
    return "\n".join(lines)


def _node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True)
    return done.stdout.strip()


if __name__ == "__main__":
    main()
