"""Bring the knowledge base up: Neo4j reachable, schema applied, seed loaded if empty."""

from __future__ import annotations

import logging

from kb.config import Settings
from kb.graph.connect import open_graph
from kb.graph.db import Graph
from kb.graph.load import LoadReport, load_seed
from kb.graph.schema import apply_schema
from kb.graph.stats import is_empty
from kb.seed import read_seed

log = logging.getLogger(__name__)


def seed_graph(graph: Graph, settings: Settings) -> LoadReport:
    """Validate the seed directory, then load it (nothing is written if it is invalid)."""
    data = read_seed(settings.seed_dir)
    # Curricula (issue 7): validated with the rest before anything is written.
    from kb.graph.curricula_load import load_curricula
    from kb.seed.curriculum_files import read_curricula

    curricula = read_curricula(settings.seed_dir, data)
    report = load_seed(graph, data)
    load_curricula(graph, curricula)  # after the seed: curricula refer to its practices
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


def prepare(settings: Settings, seed_if_empty: bool = True) -> Graph:
    """Open the graph (starting the managed Neo4j when no NEO4J_URI is set), apply the
    constraints and indexes, and load the seed when the graph holds nothing yet."""
    graph = open_graph(settings, start=True)
    try:
        apply_schema(graph)
        _recover(graph)
        if seed_if_empty and is_empty(graph):
            report = seed_graph(graph, settings)
            log.info("seeded an empty graph: %s records written", report.total_changed)
    except BaseException:
        graph.close()
        raise
    return graph
