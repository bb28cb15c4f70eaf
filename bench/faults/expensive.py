"""Expensive requests beside a simple read: does the simple read stay fast?

Starts a real `kb serve` on 127.0.0.1 (its own managed Neo4j under KB_DATA_DIR, the
seed loaded if the graph is empty; response cache off, so every request does its
work), then, for a bounded time each:

1. the simple read alone (baseline);
2. 8 clients sending the reported query (lessons x relatedItems(first: 50));
3. 8 clients sending the heaviest relatedItems query the cost limit lets through;
4. 8 clients sending full-text searches;

and, as the in-script peer, phases 3 and 4 again on a server with the protections
turned off (no time budget to speak of, unbounded expensive slots, 40 expensive
threads: what the server did before). Reports p50/p95 of the simple read in each
phase and what the expensive requests got (status and error codes). Writes
bench/faults/README.md. Only 127.0.0.1 is targeted; every phase is bounded in time.

Run with `make bench-faults` (or `python bench/faults/expensive.py --seconds 30`).
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.serve_support

from kb.api.pagination import encode_cursor
from kb.config import PROJECT_ROOT
from tests.serve_support import start_serve

REPORT = PROJECT_ROOT / "bench" / "faults" / "README.md"
CLIENTS = 8
SIMPLE = "{ states(first: 20) { nodes { code name } } }"
REPORTED = "{ lessons(first: 100) { nodes { relatedItems(first: 50) { __typename } } } }"
# Cost 9,061 of 10,000: the most relatedItems work one request may ask for.
HEAVY = "{ lessons(first: 60, after: $after) { nodes { relatedItems { key score } } } }"
SEARCHES = ["cooperative contract", "participating addendum", "rfp evaluation", "fleet"]

PROTECTED = {"KB_REQUEST_BUDGET": "5"}  # the other settings at their defaults
UNPROTECTED = {
    "KB_REQUEST_BUDGET": "3600",
    "KB_EXPENSIVE_REQUESTS": "1000",
    "KB_EXPENSIVE_THREADS": "40",
}


class Server:
    """`kb serve` in a subprocess on 127.0.0.1 (stopped by its own pid), ready."""

    def __init__(self, extra_env: dict[str, str], workdir: Path) -> None:
        index = tempfile.mkdtemp(prefix="index-", dir=workdir)
        env = {"KB_RESPONSE_CACHE": "0", "KB_INDEX_DIR": index, **extra_env}
        self.served = start_serve(env, Path(index).with_name(Path(index).name + ".log"))
        self.url = f"{self.served.base}/graphql"
        self.served.wait_ready(timeout=300)

    def stop(self) -> None:
        self.served.stop()


@dataclass
class Outcomes:
    """What the expensive clients got: counts per status/code, and their latencies."""

    counts: collections.Counter[str] = field(default_factory=collections.Counter)
    seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: str, took: float) -> None:
        with self.lock:
            self.counts[outcome] += 1
            self.seconds.append(took)


def outcome_of(response: httpx.Response) -> str:
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        return f"{response.status_code} (not JSON)"
    codes = sorted({e.get("extensions", {}).get("code", "?") for e in body.get("errors", [])})
    return f"{response.status_code} " + (" ".join(codes) if codes else "data")


def expensive_client(url: str, kind: str, until: float, outcomes: Outcomes, n: int) -> None:
    with httpx.Client(timeout=120) as client:
        i = n
        while time.monotonic() < until:
            i += 1
            if kind == "reported":
                payload: dict[str, Any] = {"query": REPORTED}
            elif kind == "heavy":
                # Different cursors make each request different work (cache off anyway).
                query = "query($after: String) " + HEAVY
                after = encode_cursor(i % 90) if i % 2 else None
                payload = {"query": query, "variables": {"after": after}}
            else:
                query = '{ search(query: "%s", first: 20) { totalCount hits { key } } }'
                payload = {"query": query % SEARCHES[i % len(SEARCHES)]}
            started = time.monotonic()
            try:
                response = client.post(url, json=payload)
                outcomes.add(outcome_of(response), time.monotonic() - started)
            except httpx.HTTPError as error:
                outcomes.add(type(error).__name__, time.monotonic() - started)


def simple_reads(url: str, until: float) -> list[float]:
    times = []
    with httpx.Client(timeout=120) as client:
        while time.monotonic() < until:
            started = time.perf_counter()
            response = client.post(url, json={"query": SIMPLE})
            took = (time.perf_counter() - started) * 1000
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            times.append(took)
            time.sleep(0.05)
    return times


def phase(url: str, kind: str | None, seconds: float) -> tuple[list[float], Outcomes]:
    outcomes = Outcomes()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=expensive_client, args=(url, kind, until, outcomes, n))
        for n in range(CLIENTS if kind else 0)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5 if kind else 0)  # let the expensive load build up first
    reads = simple_reads(url, until)
    for thread in threads:
        thread.join()
    return reads, outcomes


def pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * q) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    args = parser.parse_args()
    rows: list[tuple[str, str, list[float], Outcomes]] = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-faults-") as tmp:
        workdir = Path(tmp)
        for label, env, kinds in (
            ("protected", PROTECTED, (None, "reported", "heavy", "search")),
            ("unprotected", UNPROTECTED, ("heavy", "search")),
        ):
            server = Server(env, workdir)
            try:
                httpx.post(server.url, json={"query": SIMPLE})  # warm up
                for kind in kinds:
                    print(f"{label}: {kind or 'simple read alone'} ...", flush=True)
                    reads, outcomes = phase(server.url, kind, args.seconds)
                    rows.append((label, kind or "none (baseline)", reads, outcomes))
            finally:
                server.stop()
    text = report(rows, args.seconds)
    REPORT.write_text(text)
    print(text)


def report(rows: list[tuple[str, str, list[float], Outcomes]], seconds: float) -> str:
    base = statistics.median(rows[0][2])
    lines = [
        "# Expensive requests beside a simple read",
        "",
        "`make bench-faults` (script: `bench/faults/expensive.py`). A real `kb serve` on",
        "127.0.0.1 with the seed, response cache off. In each phase, for "
        f"{seconds:g} s, {CLIENTS} clients",
        "send expensive requests back to back while one client sends the simple read",
        f"`{SIMPLE}` every 50 ms.",
        "",
        "Expensive requests: **reported** `lessons(first: 100) { nodes { relatedItems(first:",
        "50) ... } }` (cost 35,101); **heavy** `lessons(first: 60) { nodes { relatedItems",
        "{ key score } } }` (cost 9,061, the most relatedItems work the limit lets through);",
        "**search** `search(query: ..., first: 20)` (cost 361). *Unprotected* is the same",
        "server with `KB_REQUEST_BUDGET=3600 KB_EXPENSIVE_REQUESTS=1000",
        "KB_EXPENSIVE_THREADS=40`: no budget, no slots, Whoosh on the shared 40 threads.",
        "*Protected* is `KB_REQUEST_BUDGET=5` (the default is 10), the rest at their defaults.",
        "",
        "| server | expensive load | simple read p50 ms | p95 ms | max ms | reads | "
        "p95 / baseline p50 | expensive requests got | their p50 s | max s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, kind, reads, outcomes in rows:
        got = ", ".join(f"{n} x {o}" for o, n in outcomes.counts.most_common()) or "-"
        p50s = f"{statistics.median(outcomes.seconds):.2f}" if outcomes.seconds else "-"
        maxs = f"{max(outcomes.seconds):.2f}" if outcomes.seconds else "-"
        lines.append(
            f"| {label} | {kind} | {statistics.median(reads):.1f} | {pct(reads, 0.95):.1f} | "
            f"{max(reads):.1f} | {len(reads)} | {pct(reads, 0.95) / base:.1f} | {got} | "
            f"{p50s} | {maxs} |"
        )
    lines += [
        "",
        f"Machine: {os.cpu_count()} CPUs shared with other work (load average "
        f"{os.getloadavg()[0]:.1f} at the end), Python {platform.python_version()}, "
        f"{platform.system()}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
