"""Search benchmark: Whoosh (kb.search) beside Neo4j's native full-text index.

For 1x, 10x and 100x the seed's lesson count (synthetic lessons mixed from the seed's
own sentences), measures the index build rate and query latency p50/p95 over the judged
queries of tests/search/judgments.yaml, and writes bench/README.md.

Run with `make bench-search`. It WIPES the graph it points at: by default a managed
Neo4j under .kb-bench/ (KB_DATA_DIR); with NEO4J_URI set it refuses unless
--allow-wipe is given.

Cypher appears here, outside kb/graph, on purpose: Neo4j's full-text index is the
baseline being measured, not something the application uses.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from kb.bootstrap import seed_graph
from kb.config import PROJECT_ROOT, Settings
from kb.graph.connect import open_graph
from kb.graph.db import Graph
from kb.graph.schema import apply_schema
from kb.search import Indexer, IndexStore, SearchService
from kb.search.service import settle_heap

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # bench/, for synthetic
from synthetic import expand_lessons

JUDGMENTS = PROJECT_ROOT / "tests" / "search" / "judgments.yaml"
REPORT = PROJECT_ROOT / "bench" / "README.md"
SCALES = (1, 10, 100)
ROUNDS = 3
#: What follows this heading in the report is kept when the bench rewrites it.
HISTORY = "\n## History\n"
_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')


@dataclass
class Measure:
    scale: int
    lessons: int
    documents: int
    whoosh_build_s: float
    neo4j_build_s: float
    whoosh_p50: float
    whoosh_p95: float
    neo4j_p50: float
    neo4j_p95: float
    #: Whoosh p95 over the first run of each query only (cold caches), and the rest.
    whoosh_first_p95: float = 0.0
    whoosh_repeat_p95: float = 0.0


class GcTimer:
    """Garbage collections (by generation) and the time they took while it is entered:
    what a pause in a search may owe to the collector rather than to the search."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = int(info["generation"])
            self.counts[generation] += 1
            self.seconds[generation] += time.perf_counter() - self._started

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        gc.callbacks.remove(self._callback)

    def __str__(self) -> str:
        parts = ", ".join(
            f"gen{g} {n} in {s * 1000:.0f} ms"
            for g, (n, s) in enumerate(zip(self.counts, self.seconds, strict=True))
        )
        return f"garbage collections: {parts}"


def lucene_escape(text: str) -> str:
    """A user query made safe for Neo4j's Lucene query syntax (words ORed by default)."""
    return "".join(f"\\{ch}" if ch in _LUCENE_SPECIAL else ch for ch in text).strip() or "x"


def neo4j_fulltext_build(graph: Graph) -> float:
    graph.write("DROP INDEX bench_search IF EXISTS")
    started = time.perf_counter()
    graph.write(
        "CREATE FULLTEXT INDEX bench_search FOR (n:Practice|Lesson|Contract) "
        "ON EACH [n.title, n.summary, n.body, n.context, n.lesson, n.recommendation, "
        "n.description, n.tags]"
    )
    graph.execute_write(lambda tx: tx.run("CALL db.awaitIndex('bench_search', 3600)"), timeout=3600)
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def time_interleaved(
    engines: list[Callable[[str], None]], queries: list[str], rounds: int
) -> list[tuple[float, float]]:
    """(p50, p95) in ms per engine; each query runs on every engine in turn, so that the
    load of a shared machine falls on both alike."""
    return [percentiles(times) for times in time_samples(engines, queries, rounds)]


def time_samples(
    engines: list[Callable[[str], None]], queries: list[str], rounds: int
) -> list[list[float]]:
    """Seconds per query per engine, round after round (see :func:`time_interleaved`)."""
    samples: list[list[float]] = [[] for _ in engines]
    for _ in range(rounds):
        for query in queries:
            for engine, times in zip(engines, samples, strict=True):
                started = time.perf_counter()
                engine(query)
                times.append(time.perf_counter() - started)
    return samples


def measure(graph: Graph, scale: int, queries: list[str], workdir: Path, rounds: int) -> Measure:
    expand_lessons(graph, scale)
    lessons = graph.read("MATCH (n:Lesson) RETURN count(n) AS n")[0]["n"]
    store = IndexStore(workdir / f"index-{scale}")
    started = time.perf_counter()
    report = Indexer(graph, store).reindex()
    whoosh_build = time.perf_counter() - started
    documents = sum(report.documents.values())
    neo4j_build = neo4j_fulltext_build(graph)
    # With the graph, as the API runs it: the hits of each page are checked to exist.
    service = SearchService(store, graph)
    service.warm()  # as the search runtime does before it serves (arrays read whole)
    settle_heap()  # and then (gc.collect, gc.freeze; once per process)

    def whoosh_query(q: str) -> None:
        service.search(q, first=10)

    def neo4j_query(q: str) -> None:
        graph.read(
            "CALL db.index.fulltext.queryNodes('bench_search', $q, {limit: 10}) "
            "YIELD node, score RETURN node.id AS id, score",
            q=lucene_escape(q),
        )

    whoosh_query("warm up")
    neo4j_query("warm up")
    whoosh_s, neo4j_s = time_samples([whoosh_query, neo4j_query], queries, rounds)
    first = percentiles(whoosh_s[: len(queries)])[1]
    repeat = percentiles(whoosh_s[len(queries) :])[1] if rounds > 1 else first
    return Measure(
        scale,
        lessons,
        documents,
        whoosh_build,
        neo4j_build,
        *percentiles(whoosh_s),
        *percentiles(neo4j_s),
        first,
        repeat,
    )


def report(measures: list[Measure], queries: int, rounds: int) -> str:
    lines = [
        "# Benchmarks",
        "",
        "## Search: Whoosh (kb.search) beside Neo4j's native full-text index",
        "",
        "`make bench-search` (script: `bench/search/run.py`). Documents: the seed's 48",
        "practices and 28 contracts plus its 160 lessons expanded 1x, 10x and 100x with",
        "synthetic lessons (each mixes the context, lesson and recommendation of three seed",
        f"lessons). Queries: the {queries} judged queries of `tests/search/judgments.yaml`,",
        f"each run {rounds} times after a warm-up, Whoosh and Neo4j interleaved query by",
        "query (a shared machine loads both alike); latency is per query, end to end.",
        "",
        "- **Whoosh build**: `Indexer.reindex()`: read every document from Neo4j, analyse",
        "  and write a new index generation, swap it in.",
        "- **Neo4j build**: `CREATE FULLTEXT INDEX` on the same properties until",
        "  `db.awaitIndex` returns.",
        "- **Whoosh query**: `SearchService(store, graph).search(q, first=10)`: parsing, typo",
        "  correction, synonym expansion, Whoosh's BM25F over every match as numpy vectors",
        "  (`kb/search/scoring.py`), re-ranking of the best 100, highlights for 10 hits, exact",
        "  total and facet counts over all hits (bitmaps, `kb/search/matchsets.py`), and the",
        "  check that the 10 hits' nodes still exist (one Bolt read).",
        "- **Neo4j query**: `db.index.fulltext.queryNodes` (Lucene, query escaped), ids and",
        "  scores of 10 hits over Bolt: no highlights, facets, synonyms or typo correction.",
        "",
        "| scale | documents | Whoosh build docs/s | Neo4j build docs/s | build ratio W/N "
        "| Whoosh p50 ms | Whoosh p95 ms | Neo4j p50 ms | Neo4j p95 ms "
        "| p50 ratio W/N | p95 ratio W/N | Whoosh p95 ms, 1st run / repeats |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in measures:
        wrate = m.documents / m.whoosh_build_s
        nrate = m.documents / m.neo4j_build_s
        lines.append(
            f"| {m.scale}x | {m.documents} | {wrate:,.0f} | {nrate:,.0f} | {wrate / nrate:.2f} "
            f"| {m.whoosh_p50:.1f} | {m.whoosh_p95:.1f} | {m.neo4j_p50:.1f} | {m.neo4j_p95:.1f} "
            f"| {m.whoosh_p50 / m.neo4j_p50:.1f} | {m.whoosh_p95 / m.neo4j_p95:.1f} "
            f"| {m.whoosh_first_p95:.1f} / {m.whoosh_repeat_p95:.1f} |"
        )
    lines += [
        "",
        "Ratios above 1 mean Whoosh is slower (latency) or faster (build rate). The last",
        "column splits Whoosh's p95 into the first run of each query (posting arrays, field",
        "lengths, the documents' keys and the thesaurus's phrase matches were read and made",
        "per segment before the service took searches, then `gc.collect()` and",
        "`gc.freeze()` ran, as the search runtime does; a snapshot's bitmaps are joined",
        "from its segments' as first needed) and the repeats (cached per index commit).",
        "Machine:",
        f"{_machine()}, load average {os.getloadavg()[0]:.1f} at the end of the run. Small builds",
        "(1x) are noisy from run to run.",
        "",
    ]
    return "\n".join(lines)


def _machine() -> str:
    import platform

    return f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--allow-wipe", action="store_true", help="wipe a NEO4J_URI graph")
    parser.add_argument("--scales", default=",".join(map(str, SCALES)))
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="runs of each query")
    args = parser.parse_args()
    settings = Settings.from_env()
    if settings.external_neo4j is not None and not args.allow_wipe:
        sys.exit(f"NEO4J_URI is set ({settings.external_neo4j.uri}); pass --allow-wipe to wipe it")
    graph = open_graph(settings, start=True)
    try:
        apply_schema(graph)
        graph.execute_write(lambda tx: tx.run("MATCH (n) DETACH DELETE n"), timeout=600)
        seed_graph(graph, settings)
        queries = [q["query"] for q in yaml.safe_load(JUDGMENTS.read_text())["queries"]]
        measures = []
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as workdir:
            for scale in map(int, args.scales.split(",")):
                m = measure(graph, scale, queries, Path(workdir), args.rounds)
                print(m, flush=True)
                measures.append(m)
        text = report(measures, len(queries), args.rounds)
        previous = REPORT.read_text() if REPORT.exists() else ""
        if HISTORY in previous:
            text += HISTORY + previous.split(HISTORY, 1)[1]
        REPORT.write_text(text)
        print(text)
    finally:
        graph.close()


if __name__ == "__main__":
    main()
