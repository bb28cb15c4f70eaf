"""API benchmark: a nested GraphQL read beside hand-written Cypher, cache off and on.

One nested read (20 states -> their alliances -> those alliances' contracts -> their
categories) is timed three ways in the same process, against the same Neo4j:

- hand-written Cypher: one statement with map projections, through kb.graph.db.Graph
  (the baseline: what the API could at best do over the same driver);
- GraphQL over HTTP (in-process ASGI) with the response cache off: parsing, validation,
  limits, DataLoader batching (one query per relationship level), JSON encoding;
- the same with the response cache on (repeat reads are memory lookups).

Run with `make bench-api`; writes bench/api/README.md. It WIPES the graph it points at:
by default a managed Neo4j under .kb-bench/ (KB_DATA_DIR).

Cypher appears here, outside kb/graph, on purpose: it is the baseline being measured.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from kb.app import create_app
from kb.bootstrap import seed_graph
from kb.config import PROJECT_ROOT, Settings
from kb.graph.connect import open_graph
from kb.graph.db import Graph
from kb.graph.schema import apply_schema

REPORT = PROJECT_ROOT / "bench" / "api" / "README.md"
ROUNDS = 300
#: Where the report of bench/api/compare.py starts; kept when this bench rewrites.
KEPT = "<!-- compare.py: begin -->"
WARM_UP = 20

GRAPHQL = """{ states(first: 20, orderBy: CODE_ASC) { nodes { code name
  alliances(first: 5) { nodes { slug name
    contracts(first: 10) { nodes { slug title
      categories(first: 5) { nodes { code name } } } } } } } } }"""

CYPHER = (
    "MATCH (s:State) WITH s ORDER BY s.code LIMIT 20 "
    "RETURN s { .code, .name, alliances: [(s)-[:MEMBER_OF]->(a:Alliance) | a { .slug, .name, "
    "contracts: [(a)-[:AWARDED]->(c:Contract) | c { .slug, .title, "
    "categories: [(c)-[:COVERS]->(g:Category) | g { .code, .name }][..5] }][..10] }][..5] } AS s"
)


def timed(work: Callable[[], object]) -> list[float]:
    for _ in range(WARM_UP):
        work()
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.95) - 1]


def graphql_times(settings: Settings, graph: Graph, cache: int, workdir: Path) -> list[float]:
    configured = dataclasses.replace(
        settings, response_cache=cache, index_dir=workdir / f"index-{cache}"
    )
    with TestClient(create_app(configured, graph)) as client:

        def run() -> None:
            response = client.post("/graphql", json={"query": GRAPHQL})
            assert response.status_code == 200 and "errors" not in response.json(), response.text

        return timed(run)


def main() -> None:
    settings = Settings.from_env()
    if settings.external_neo4j is not None and "--allow-wipe" not in sys.argv:
        sys.exit(f"NEO4J_URI is set ({settings.external_neo4j.uri}); pass --allow-wipe to wipe it")
    graph = open_graph(settings, start=True)
    try:
        apply_schema(graph)
        graph.execute_write(lambda tx: tx.run("MATCH (n) DETACH DELETE n"), timeout=600)
        seed_graph(graph, settings)
        before = graph.query_count
        rows = {
            "hand-written Cypher (one statement)": timed(lambda: graph.read(CYPHER)),
        }
        cypher_queries = (graph.query_count - before) / (ROUNDS + WARM_UP)
        with tempfile.TemporaryDirectory(prefix="kb-bench-api-") as workdir:
            before = graph.query_count
            rows["GraphQL, response cache off"] = graphql_times(settings, graph, 0, Path(workdir))
            per_request = (graph.query_count - before) / (ROUNDS + WARM_UP)
            rows["GraphQL, response cache on"] = graphql_times(settings, graph, 512, Path(workdir))
        text = report(rows, cypher_queries, per_request)
        previous = REPORT.read_text() if REPORT.exists() else ""
        if KEPT in previous:  # the peer bench's section (bench/api/compare.py) stays
            text += "\n" + KEPT + previous.split(KEPT, 1)[1]
        REPORT.write_text(text)
        print(text)
    finally:
        graph.close()


def report(rows: dict[str, list[float]], cypher_queries: float, per_request: float) -> str:
    base = statistics.median(rows["hand-written Cypher (one statement)"])
    lines = [
        "# API benchmark",
        "",
        "`make bench-api` (script: `bench/api/run.py`). One nested read: 20 states, their",
        "alliances (5 each), those alliances' contracts (10 each) and their categories (5",
        f"each), {ROUNDS} times after {WARM_UP} warm-up runs, in one process, against the seed.",
        "GraphQL runs over HTTP in-process (ASGI, no network); Cypher runs through the same",
        "driver wrapper (`kb.graph.db.Graph`).",
        "",
        "| way | p50 ms | p95 ms | requests/s | p50 ratio to Cypher |",
        "|---|---|---|---|---|",
    ]
    for name, times in rows.items():
        median = statistics.median(times)
        lines.append(
            f"| {name} | {median:.2f} | {p95(times):.2f} | {1000 / median:,.0f} | "
            f"{median / base:.2f} |"
        )
    lines += [
        "",
        f"Bolt statements per request: Cypher {cypher_queries:.0f}; GraphQL without the cache "
        f"{per_request:.1f}:",
        "the root list and one per relationship level (4), whatever the list sizes",
        "(`tests/api/test_batching.py` asserts the bound), plus the background indexer's",
        "once-a-second poll of the change log, which the counter also sees.",
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()}. Ratios above 1 mean slower than the hand-written statement.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
