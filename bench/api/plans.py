"""Database hits of the planned paged and nested reads, with and without index order.

For each ``--scale`` (bench/synthetic.py grows the seed), the planner's statements for
the two scale reads of bench/api/compare.py (20 lessons newest first; 20 states ->
alliances -> contracts -> categories) are PROFILEd twice: as planned now
(kb/graph/ordered.py: index order, nulls apart, id-index walk for large parents) and as
planned before it (one ``ORDER BY`` over every node; every parent expanded and sorted),
and timed (median of ``--runs`` runs through the driver). Prints a Markdown table.

It WIPES the graph it points at (KB_DATA_DIR's managed Neo4j by default); with
NEO4J_URI set it refuses unless --allow-wipe is given. ``--as-is`` instead reads the
graph as it is (no wipe, no seed, no growth: e.g. ``KB_DATA_DIR=.kb-bench/growth-100x``
after ``make bench-api-growth``) and also lists the operators with the most db hits of
the statement as planned now.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from graphql import parse

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE.parent))  # bench/, for synthetic

import synthetic  # noqa: E402
from compare import PAGED  # noqa: E402
from queries import READS  # noqa: E402

from kb.api import planner  # noqa: E402
from kb.api.context import Context, Viewer  # noqa: E402
from kb.api.schema import build_schema  # noqa: E402
from kb.bootstrap import seed_graph  # noqa: E402
from kb.config import Settings  # noqa: E402
from kb.graph import projection  # noqa: E402
from kb.graph.connect import open_graph  # noqa: E402
from kb.graph.db import Graph  # noqa: E402
from kb.graph.projection import Statement  # noqa: E402
from kb.graph.schema import apply_schema  # noqa: E402


def statements(graph: Graph, settings: Settings, query: str, before: bool) -> list[Statement]:
    """The planner's statements for ``query`` (``before``: without kb/graph/ordered.py)."""
    context = Context(graph, dataclasses.replace(settings, planner="on"), Viewer())
    saved = projection.ordered_nodes, projection._degree
    if before:
        projection.ordered_nodes = lambda *a: None  # type: ignore[assignment]
        projection._degree = lambda *a: None  # type: ignore[assignment]
    try:
        bound = planner.plan(build_schema(), parse(query), None, None, context)
    finally:
        projection.ordered_nodes, projection._degree = saved
    if bound is None:
        raise SystemExit(f"not planned: {query}")
    return list(bound.statements)


def db_hits(plan: Any) -> int:
    return int(plan.get("dbHits", 0)) + sum(db_hits(c) for c in plan.get("children", []))


def operators(plan: Any, depth: int = 0) -> list[tuple[int, int, str, str]]:
    """(db hits, depth, operator, details) of every operator of a PROFILE plan."""
    details = str(plan.get("args", {}).get("Details", ""))[:110]
    found = [(int(plan.get("dbHits", 0)), depth, plan["operatorType"].split("@")[0], details)]
    for child in plan.get("children", []):
        found += operators(child, depth + 1)
    return found


def profile(graph: Graph, statement: Statement) -> Any:
    with graph.driver.session(database=graph.database) as session:
        result = session.run("PROFILE " + statement.text, statement.params)  # type: ignore[arg-type]
        return dict(result.consume().profile or {})


def as_is(graph: Graph, settings: Settings, runs: int) -> None:
    sizes = {
        label: graph.read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"]  # type: ignore[arg-type]
        for label in ("Contract", "Practice", "Lesson")
    }
    print(f"graph as it is: {sizes}")
    print("| read | db hits before / after | median ms before / after | same rows |")
    print("|---|---|---|---|")
    for read in (PAGED, READS[1]):
        old = statements(graph, settings, read.ours, before=True)
        new = statements(graph, settings, read.ours, before=False)
        hits_old, ms_old, rows_old = measure(graph, old[0], runs)
        hits_new, ms_new, rows_new = measure(graph, new[0], runs)
        print(
            f"| {read.name} | {hits_old:,} / {hits_new:,} "
            f"| {ms_old:.2f} / {ms_new:.2f} | {rows_old == rows_new} |",
            flush=True,
        )
    for read in (PAGED, READS[1]):
        statement = statements(graph, settings, read.ours, before=False)[0]
        print(f"\n{read.name}: operators with the most db hits (as planned now)\n")
        print(statement.text, "\n")
        for hits, depth, name, details in sorted(operators(profile(graph, statement)))[-12:][::-1]:
            print(f"  {hits:>8,}  {'  ' * depth}{name}  {details}")


def measure(graph: Graph, statement: Statement, runs: int) -> tuple[int, float, Any]:
    with graph.driver.session(database=graph.database) as session:
        result = session.run("PROFILE " + statement.text, statement.params)  # type: ignore[arg-type]
        rows = [r["v"] for r in result]
        profile = result.consume().profile
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        graph.read_column(statement.text, **statement.params)  # type: ignore[arg-type]
        times.append((time.perf_counter() - started) * 1000)
    return db_hits(dict(profile or {})), statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--allow-wipe", action="store_true", help="wipe a NEO4J_URI graph")
    parser.add_argument("--scale", default="1,100", help="comma-separated scales")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per statement")
    parser.add_argument("--as-is", action="store_true", help="read the graph as it is")
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.as_is:
        graph = open_graph(settings, start=True)
        try:
            as_is(graph, settings, args.runs)
        finally:
            graph.close()
        return
    if settings.external_neo4j is not None and not args.allow_wipe:
        sys.exit(f"NEO4J_URI is set ({settings.external_neo4j.uri}); pass --allow-wipe to wipe it")
    graph = open_graph(settings, start=True)
    try:
        apply_schema(graph)
        graph.execute_write(lambda tx: tx.run("MATCH (n) DETACH DELETE n"), timeout=600)
        seed_graph(graph, settings)
        print("| scale | read | db hits before / after | median ms before / after | same rows |")
        print("|---|---|---|---|---|")
        for scale in (int(s) for s in args.scale.split(",")):
            synthetic.expand(graph, scale)
            for read in (PAGED, READS[1]):
                old = statements(graph, settings, read.ours, before=True)
                new = statements(graph, settings, read.ours, before=False)
                hits_old, ms_old, rows_old = measure(graph, old[0], args.runs)
                hits_new, ms_new, rows_new = measure(graph, new[0], args.runs)
                print(
                    f"| {scale}x | {read.name} | {hits_old:,} / {hits_new:,} "
                    f"| {ms_old:.2f} / {ms_new:.2f} | {rows_old == rows_new} |",
                    flush=True,
                )
        synthetic.expand(graph, 1)
    finally:
        graph.close()


if __name__ == "__main__":
    main()
