"""Open the :class:`Graph` the settings point at, starting the managed Neo4j if needed."""

from __future__ import annotations

from collections.abc import Callable

from kb.config import Settings
from kb.graph.db import Graph
from kb.neo4j_local import LocalNeo4j


def local_server(settings: Settings) -> LocalNeo4j:
    """The managed local Neo4j under ``KB_DATA_DIR`` (not started)."""
    return LocalNeo4j(
        home=settings.neo4j_home,
        cache_dir=settings.cache_dir,
        version=settings.neo4j_version,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
        start_timeout=settings.neo4j_start_timeout,
        port=settings.neo4j_port,
    )


def open_graph(
    settings: Settings, start: bool = True, report: Callable[[str], None] | None = None
) -> Graph:
    """Connect to ``NEO4J_URI`` if set; otherwise to the managed local server.

    With ``start`` the managed server is started (or reused); without, the graph points
    at wherever it last ran, and queries fail with ``DatabaseUnavailableError`` if it
    is down. ``report`` is told the steps of starting the managed server.
    """
    target = settings.external_neo4j
    if target is not None:
        return Graph.connect(
            target.uri, target.user, target.password, target.database, settings.tx_timeout
        )
    server = local_server(settings)
    if start:
        info = server.start(report)
        port, user, password = info.port, info.user, info.password
    else:
        # The port is kept per data directory, so this is where the server runs (or
        # will run once started again), whatever its state now.
        port = server.stored_port() or 1  # 1: nothing listens
        user, password = (
            "neo4j",
            server.password_file.read_text().strip() if (server.password_file.exists()) else "",
        )
    uri = f"{settings.neo4j_scheme}://127.0.0.1:{port}"
    return Graph.connect(uri, user, password, settings.neo4j_database, settings.tx_timeout)
