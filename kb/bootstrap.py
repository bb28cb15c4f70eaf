"""Bring the knowledge base up: Neo4j reachable, schema applied, seed loaded if empty.

Each step can be reported to a person (``kb serve`` prints them) through a
:class:`StartupProgress`; by default nothing is said.

Example:
    >>> graph = prepare(settings)                      # silent
    >>> graph = prepare(settings, progress=printer)    # Neo4j, schema, seeding bar
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from kb.config import Settings
from kb.graph.connect import open_graph
from kb.graph.db import Graph
from kb.graph.load import LoadReport, load_seed, seed_size
from kb.graph.property_counts import refresh as refresh_counts
from kb.graph.schema import apply_schema
from kb.graph.stats import is_empty
from kb.seed import read_seed

log = logging.getLogger(__name__)


class StartupProgress(Protocol):
    """Where the steps of start-up are told: a line per step, a bar for seeding."""

    def say(self, message: str) -> None:
        """One step, as a line a person can read."""

    def bar(self, description: str, total: int) -> AbstractContextManager[Callable[[int], None]]:
        """A bar of ``total`` units; the context gives the function that advances it."""


class Silent:
    """A :class:`StartupProgress` that says nothing (the default)."""

    def say(self, message: str) -> None:
        pass

    @contextmanager
    def bar(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        yield lambda rows: None


def seed_graph(
    graph: Graph, settings: Settings, progress: StartupProgress | None = None
) -> LoadReport:
    """Validate the seed directory, then load it (nothing is written if it is invalid)."""
    progress = progress or Silent()
    progress.say(f"Reading and validating the seed in {settings.seed_dir}")
    data = read_seed(settings.seed_dir)
    # Curricula (issue 7): validated with the rest before anything is written.
    from kb.graph.curricula_load import load_curricula
    from kb.seed.curriculum_files import read_curricula

    curricula = read_curricula(settings.seed_dir, data)
    # Authors and times of an export (history.csv), validated before any write, as
    # `kb seed --dir` does: a directory written by `kb export` keeps them either way.
    from kb.graph.stamps import write_stamps
    from kb.seed.history import read_history, seed_keys

    stamps = read_history(settings.seed_dir, seed_keys(data, curricula))
    with progress.bar("Seeding the graph", seed_size(data)) as advance:
        report = load_seed(graph, data, progress=advance)
    progress.say(f"Loading {len(curricula.curricula)} curricula and their certifications")
    curricula_report = load_curricula(graph, curricula)  # curricula refer to its practices
    counts = {**report.seen, "MEMBER_OF": len(data.memberships), **curricula_report.seen}
    if stamps:
        write_stamps(graph, stamps)
        progress.say(f"Authors and times of {len(stamps)} record(s) set from history.csv")
    progress.say("Seeded: " + ", ".join(f"{n} {label}" for label, n in counts.items()))
    return report


def _recover(graph: Graph) -> None:
    """Undo what a crashed import or seed left half-written, so that an interrupted first
    seed leaves an empty graph (seeded again below), not half a seed."""
    from kb.graph.recovery import ImportInProgressError, recover_imports

    try:
        for line in recover_imports(graph):
            log.warning("%s", line)
    except ImportInProgressError as error:
        log.warning("%s", error)


def prepare(
    settings: Settings, seed_if_empty: bool = True, progress: StartupProgress | None = None
) -> Graph:
    """Open the graph (starting the managed Neo4j when no NEO4J_URI is set), apply the
    constraints and indexes, and load the seed when the graph holds nothing yet."""
    progress = progress or Silent()
    if settings.external_neo4j is not None:
        progress.say(f"Connecting to the Neo4j at {settings.external_neo4j.uri} (NEO4J_URI)")
    graph = open_graph(settings, start=True, report=progress.say)
    try:
        count = apply_schema(graph)
        progress.say(f"Schema applied: {count} constraints and indexes (schema/*.cypher)")
        _recover(graph)
        refresh_counts(graph)  # true again whatever wrote the graph last
        if seed_if_empty and is_empty(graph):
            progress.say("The graph is empty: loading the seed")
            report = seed_graph(graph, settings, progress)
            log.debug("seeded an empty graph: %s records written", report.total_changed)
        elif seed_if_empty:
            progress.say("The graph holds data already: not seeding")
    except BaseException:
        graph.close()
        raise
    return graph
