"""Search speed probe: one scale, a kept graph and index, answers saved for A/B.

`bench/search/run.py` rebuilds everything for each scale (minutes at 100x); while
optimising, this script reuses the graph and the index it built last time (under
``--workdir``), times the judged queries with Whoosh and Neo4j's full-text index
interleaved, optionally under cProfile, and writes every answer (hits in order, total,
facet counts) to a JSON file, so that two versions of the code can be compared on what
they return as well as on how fast.

    KB_DATA_DIR=.kb-bench .venv/bin/python bench/search/probe.py --scale 100 \
        --answers /tmp/after.json --compare /tmp/before.json --profile /tmp/search.prof

It WIPES the graph it points at when the scale differs from the kept one (by default a
managed Neo4j under KB_DATA_DIR; with NEO4J_URI set it refuses unless --allow-wipe).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from kb.bootstrap import seed_graph
from kb.config import PROJECT_ROOT, Settings
from kb.graph.changes import record_changes
from kb.graph.connect import open_graph
from kb.graph.db import Graph
from kb.graph.schema import apply_schema
from kb.search import Indexer, IndexStore, SearchService
from kb.search import service as service_module
from kb.search.results import SearchResult
from kb.search.service import settle_heap

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # bench/, for synthetic
sys.path.insert(1, str(Path(__file__).resolve().parent))
from run import (
    GcTimer,
    lucene_escape,
    neo4j_fulltext_build,
    percentiles,
    time_interleaved,
)
from synthetic import expand_lessons

JUDGMENTS = PROJECT_ROOT / "tests" / "search" / "judgments.yaml"


def answer(result: SearchResult) -> dict[str, Any]:
    """What a search returned, as plain data (scores rounded: float noise aside)."""
    return {
        "hits": [f"{h.kind}:{h.id}" for h in result.hits],
        "total": result.total,
        "facets": {k: {c.value: c.count for c in v} for k, v in result.facets.items()},
        "highlights": [[(x.field, list(x.fragments)) for x in h.highlights] for h in result.hits],
        "suggestion": result.suggestion,
    }


def write_probe_lesson(graph: Graph, delete: bool = False) -> None:
    """Create (or update, or delete) one lesson with its change entry, as the application
    writes."""

    def work(tx: Any) -> None:
        if delete:
            tx.run("MATCH (n:Lesson {id: 'L-PROBE'}) DETACH DELETE n")
            record_changes(tx, "Lesson", ["L-PROBE"], "DELETE", "probe")
            return
        tx.run(
            "MERGE (n:Lesson {id: 'L-PROBE'}) SET n.title = 'Probe lesson ' + toString(rand()), "
            "n.context = 'a bid protest on a cooperative contract', n.lesson = 'x', "
            "n.recommendation = '', n.recordedOn = date('2025-06-01'), n.tags = ['probe'], "
            "n.status = 'OBSERVATION' WITH n MATCH (s:State {id: 'UT'}) MERGE (n)-[:FROM]->(s)"
        )
        record_changes(tx, "Lesson", ["L-PROBE"], "UPSERT", "probe")

    graph.execute_write(work)


def prepare(graph: Graph, settings: Settings, scale: int, workdir: Path) -> IndexStore:
    """The graph at ``scale`` and its index, built only if the kept ones differ."""
    marker = workdir / "scale"
    store = IndexStore(workdir / "index")
    if marker.exists() and marker.read_text() == str(scale) and store.current_link.exists():
        return store
    apply_schema(graph)
    graph.execute_write(lambda tx: tx.run("MATCH (n) DETACH DELETE n"), timeout=600)
    seed_graph(graph, settings)
    expand_lessons(graph, scale)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    Indexer(graph, store).reindex()
    print(f"whoosh build {time.perf_counter() - started:.1f} s", flush=True)
    print(f"neo4j build {neo4j_fulltext_build(graph):.1f} s", flush=True)
    marker.write_text(str(scale))
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=PROJECT_ROOT / ".kb-bench" / "probe")
    parser.add_argument("--answers", type=Path, help="write the answers here (JSON)")
    parser.add_argument("--compare", type=Path, help="answers of another version to diff")
    parser.add_argument("--profile", type=Path, help="cProfile the Whoosh searches into this")
    parser.add_argument("--profile-cold", type=Path, help="cProfile the cold pass into this")
    parser.add_argument("--after-commit", action="store_true", help="time a write's effect")
    parser.add_argument("--allow-wipe", action="store_true", help="wipe a NEO4J_URI graph")
    parser.add_argument(
        "--lazy", action="store_true", help="no warm-up: read arrays as searches need them"
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the index in this process first, as run.py does (a fresh generation)",
    )
    parser.add_argument(
        "--no-settle",
        action="store_true",
        help="no gc.collect() and gc.freeze() after the warm-up (the runtime does them)",
    )
    parser.add_argument("--profile-commit", type=Path, help="cProfile the commit and its warm-up")
    args = parser.parse_args()
    settings = Settings.from_env()
    if settings.external_neo4j is not None and not args.allow_wipe:
        sys.exit(f"NEO4J_URI is set ({settings.external_neo4j.uri}); pass --allow-wipe to wipe it")
    graph = open_graph(settings, start=True)
    try:
        store = prepare(graph, settings, args.scale, args.workdir)
        if args.rebuild:
            # What run.py's process does before it searches: the whole graph read and
            # indexed, into a new index directory (the kept one is left as it is).
            shutil.rmtree(args.workdir / "rebuilt", ignore_errors=True)
            store = IndexStore(args.workdir / "rebuilt")
            started = time.perf_counter()
            Indexer(graph, store).reindex()
            print(f"rebuilt in this process: {time.perf_counter() - started:.1f} s", flush=True)
        queries = [q["query"] for q in yaml.safe_load(JUDGMENTS.read_text())["queries"]]
        service = SearchService(store, graph)
        if not args.lazy:
            # What the search runtime does at start, before it serves: every segment's
            # arrays read whole, the speller's vocabulary built.
            started, cpu = time.perf_counter(), time.process_time()
            service.warm()
            print(
                f"warm-up before serving: {time.perf_counter() - started:.2f} s "
                f"(cpu {time.process_time() - cpu:.2f} s)",
                flush=True,
            )
        if not args.lazy and not args.no_settle:
            started = time.perf_counter()
            settle_heap()  # as the search runtime does once it has warmed
            print(f"gc.collect() and gc.freeze(): {time.perf_counter() - started:.2f} s")
        # Cold: the first time each query runs on a fresh service (with --lazy, posting
        # arrays, phrase bitmaps and field lengths read as they are needed).
        cold, cold_cpu = [], []
        profiler = cProfile.Profile()
        # The Bolt read each search makes (do the page's nodes still exist?), timed
        # apart: a cold Neo4j (just started or just indexing) shows there, not in Whoosh.
        checks: list[float] = []
        check = service_module.existing_keys

        def timed_check(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return check(*args)
            finally:
                checks.append(time.perf_counter() - started)

        service_module.existing_keys = timed_check
        with GcTimer() as collections:
            for q in queries:
                started, cpu = time.perf_counter(), time.process_time()
                if args.profile_cold:
                    profiler.runcall(service.search, q, first=10)
                else:
                    service.search(q, first=10)
                cold.append(time.perf_counter() - started)
                cold_cpu.append(time.process_time() - cpu)
        service_module.existing_keys = check
        p50, p95 = percentiles(cold)
        c50, c95 = percentiles(cold_cpu)
        if checks:
            k50, k95 = percentiles(checks)
            print(f"  of which the graph check: p50 {k50:.1f} p95 {k95:.1f} ms")
        print(
            f"cold (first run of each query, fresh service): p50 {p50:.1f} p95 {p95:.1f} ms"
            f" (cpu p50 {c50:.1f} p95 {c95:.1f} ms); {collections} "
            f"(tracked objects {len(gc.get_objects())}, frozen {gc.get_freeze_count()})"
        )
        if args.profile_cold:
            profiler.dump_stats(str(args.profile_cold))
        # Also the warm-up; through JSON so that it compares equal to a file read back.
        answers = json.loads(json.dumps({q: answer(service.search(q, first=10)) for q in queries}))
        if args.answers:
            args.answers.write_text(json.dumps(answers, indent=1, sort_keys=True))
        if args.compare and args.compare.exists():
            before = json.loads(args.compare.read_text())
            for q in queries:
                for key in ("hits", "total", "facets", "highlights", "suggestion"):
                    if before.get(q, {}).get(key) != answers[q][key]:
                        print(
                            f"DIFF {key}: {q!r}\n  before {before.get(q, {}).get(key)}"
                            f"\n  after  {answers[q][key]}"
                        )

        def whoosh(q: str) -> None:
            service.search(q, first=10)

        def neo4j(q: str) -> None:
            graph.read(
                "CALL db.index.fulltext.queryNodes('bench_search', $q, {limit: 10}) "
                "YIELD node, score RETURN node.id AS id, score",
                q=lucene_escape(q),
            )

        (wp50, wp95), (np50, np95) = time_interleaved([whoosh, neo4j], queries, args.rounds)
        if args.after_commit:
            # One lesson written and indexed (a commit: a new small segment), then each
            # query once more on the same service: what the first searches after a
            # live write cost (segment arrays kept, snapshot caches renewed).
            write_probe_lesson(graph)
            indexer = Indexer(graph, store)
            if not args.lazy:
                indexer.listeners.append(service.warm)  # as the search runtime does
            started, cpu = time.perf_counter(), time.process_time()
            if args.profile_commit:
                cProfile.runctx(
                    "indexer.catch_up()", globals(), {"indexer": indexer}, str(args.profile_commit)
                )
            else:
                indexer.catch_up()
            print(
                f"commit and warm-up: {time.perf_counter() - started:.2f} s "
                f"(cpu {time.process_time() - cpu:.2f} s)",
                flush=True,
            )
            after = []
            for q in queries:
                started = time.perf_counter()
                service.search(q, first=10)
                after.append(time.perf_counter() - started)
            p50, p95 = percentiles(after)
            print(f"first run after a commit: p50 {p50:.1f} p95 {p95:.1f} ms")
            write_probe_lesson(graph, delete=True)  # the kept graph and index as they were
            indexer.catch_up()
        print(
            f"{args.scale}x: whoosh p50 {wp50:.1f} p95 {wp95:.1f} ms | neo4j p50 {np50:.1f} "
            f"p95 {np95:.1f} ms | p95 ratio {wp95 / np95:.1f} | load {os.getloadavg()[0]:.1f}"
        )
        if args.profile:
            profiler = cProfile.Profile()
            cpu: list[tuple[float, str]] = []
            for q in queries:
                started = time.process_time()
                profiler.runcall(whoosh, q)
                cpu.append((time.process_time() - started, q))
            profiler.dump_stats(str(args.profile))
            cpu.sort(reverse=True)
            p50, p95 = percentiles([c for c, _ in cpu])
            print(f"cpu per query p50 {p50:.1f} p95 {p95:.1f} ms; slowest:")
            for seconds, q in cpu[:5]:
                print(f"  {seconds * 1000:7.1f} ms  {q}")
            pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(35)
    finally:
        graph.close()


if __name__ == "__main__":
    main()
