"""Import benchmark: peak memory and time of `kb import` for 10k and 100k lesson rows.

Two ways of importing the same generated CSV are measured, each in a fresh child
process (so that its peak RSS is its own), against the same Neo4j:

- batched (kb.seed.imports.import_file): a streaming validation pass, then batches of
  1,000 rows, each its own transaction, with the undo journal;
- single (the previous design, kept here as the baseline): read and validate the whole
  file into memory, then write every row in one transaction.

Run with `.venv/bin/python bench/imports/run.py [ROWS ...]` (default 10000 100000);
writes bench/imports/README.md. It WIPES the graph it points at: by default a managed
Neo4j with a 384 MB heap (as in the tests) under .kb-bench/imports (KB_DATA_DIR).
"""

from __future__ import annotations

import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kb.config import PROJECT_ROOT, Settings
from kb.graph.connect import open_graph
from kb.graph.db import Graph
from kb.graph.load import load_seed
from kb.graph.schema import apply_schema
from kb.seed import read_seed

REPORT = PROJECT_ROOT / "bench" / "imports" / "README.md"
COLUMNS = ["id", "title", "context", "lesson", "recommendation", "recorded", "status", "state"]
COLUMNS += ["contract", "categories", "practice", "tags", "illustrative"]


def settings() -> Settings:
    env = dict(os.environ)
    env.setdefault("KB_DATA_DIR", str(PROJECT_ROOT / ".kb-bench" / "imports"))
    env.setdefault("KB_NEO4J_HEAP", "384m")
    env.setdefault("KB_NEO4J_PAGECACHE", "64m")
    return Settings.from_env(env)


def generate(path: Path, rows: int) -> None:
    """Lessons of about 470 bytes, as in the reported 50 MB register of 108k rows."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for n in range(rows):
            writer.writerow(
                [
                    f"L-{100000 + n}",
                    f"Generated lesson {n}: confirm the hosting terms before the PA",
                    f"Office {n % 97} signed a participating addendum before legal review "
                    "of the hosting terms of the master agreement.",
                    "The master agreement allowed hosting abroad unless the PA said otherwise, "
                    "and nobody had checked.",
                    "Add a data-residency clause to the PA template and review it every year.",
                    f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}",
                    "OBSERVATION",
                    "UT",
                    "nvp-cloud-solutions",
                    "920;204",
                    "cloud-services-procurement",
                    "cloud;data residency",
                    "true",
                ]
            )


def child(mode: str, path: Path) -> None:
    """Import ``path`` in this process; print one JSON line of figures."""
    graph = open_graph(settings(), start=False)
    idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    outcome = "ok"
    try:
        if mode == "batched":
            from kb.seed.imports import import_file

            import_file(graph, path, batch_size=1000)
        else:
            single_transaction(graph, path)
    except Exception as error:  # the figure to report, whatever it is
        outcome = f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    graph.close()
    print(json.dumps({"idle": idle, "peak": peak, "seconds": seconds, "outcome": outcome}))


def single_transaction(graph: Graph, path: Path) -> None:
    """The design before batching: everything in memory, one transaction."""
    from kb.domain.field_readers import KnownKeys, SeedValidationError
    from kb.domain.records import SeedData
    from kb.graph.keys import graph_keys
    from kb.graph.load import BULK_TIMEOUT, seed_rows, write_rows
    from kb.seed.build import build_lessons
    from kb.seed.files import read_csv

    keys = graph_keys(graph)
    known = KnownKeys(set(keys.states), set(keys.alliances), set(keys.categories))
    known.contracts, known.practices = set(keys.contracts), set(keys.practices)
    errors: list[Any] = []
    name = str(path)
    lessons = build_lessons([(name, r) for r in read_csv(path, name, errors)], errors, known)
    if errors:
        raise SeedValidationError(errors)
    rows = seed_rows(SeedData(lessons=lessons))
    graph.execute_write(lambda tx: write_rows(tx, rows, [], "bench"), timeout=BULK_TIMEOUT)


def run(mode: str, path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"idle": 0, "peak": 0, "seconds": 0, "outcome": done.stderr[-300:]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def reset(graph: Graph) -> None:
    """Empty the graph in bounded transactions (links first: a state with 100k lessons
    would otherwise be detached in one transaction), then seed it."""
    for query in (
        "MATCH ()-[r]->() WITH r LIMIT 5000 DELETE r RETURN count(*) AS n",
        "MATCH (n) WITH n LIMIT 5000 DELETE n RETURN count(*) AS n",
    ):
        while graph.execute_write(lambda tx, q=query: tx.run(q), timeout=300)[0]["n"]:
            pass
    load_seed(graph, read_seed(PROJECT_ROOT / "seed"))


def main(sizes: list[int]) -> None:
    graph = open_graph(settings(), start=True)
    apply_schema(graph)
    results: list[tuple[int, float, str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"lessons-{rows}.csv"
            generate(path, rows)
            megabytes = path.stat().st_size / 1e6
            for mode in ("batched", "single"):
                reset(graph)
                result = run(mode, path)
                print(rows, mode, result, flush=True)
                results.append((rows, megabytes, mode, result))
    graph.close()
    write_report(results)


def write_report(results: list[tuple[int, float, str, dict[str, Any]]]) -> None:
    lines = [
        "| rows | file MB | design | outcome | seconds | peak RSS MB | above idle MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for rows, megabytes, mode, r in results:
        lines.append(
            f"| {rows:,} | {megabytes:.1f} | {mode} | {r['outcome']} | {r['seconds']:.1f} | "
            f"{r['peak']:.0f} | {r['peak'] - r['idle']:.0f} |"
        )
    ratios = []
    for mode in ("batched", "single"):
        mine = [r for _, _, m, r in results if m == mode]
        if len(mine) >= 2 and mine[0]["peak"] - mine[0]["idle"] > 0:
            above = [r["peak"] - r["idle"] for r in mine]
            ratios.append(
                f"- {mode}: peak RSS {mine[-1]['peak'] / mine[0]['peak']:.2f}x, "
                f"RSS above idle {above[-1] / above[0]:.2f}x "
                f"(largest file against smallest)"
            )
    table = "\n".join(lines)
    (REPORT.parent / "results.md").write_text(
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()}.\n\n{table}\n\n" + "\n".join(ratios) + "\n"
    )
    print(table)
    print("\n".join(ratios))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], Path(sys.argv[3]))
    else:
        main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
