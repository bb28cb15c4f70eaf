"""Single-column auto-commit reads on the event loop, for the API's planned reads.

:meth:`kb.graph.db.Graph.read_column` is blocking: a request on the event loop hands it
to a worker thread and waits for the thread to hand the result back, two wake-ups that
cost about 0.1 ms on a read whose statement takes 0.6 ms (``bench/api/README.md``).
:class:`AsyncReads` sends the same statement, the same way (one auto-commit read in a
READ session, the transaction timeout shortened to the request's deadline, no
bookmarks), through the driver's ``AsyncDriver`` on the event loop itself: no thread, no
hand-off, and at 16 concurrent requests no contention for worker threads.

It keeps the sync path's guarantees by handing over rather than handling:

- each statement is counted and shown to :attr:`Graph.observers` exactly as
  ``read_column`` does (the statement-count tests see it);
- when Neo4j is taken to be down (:class:`~kb.graph.availability.Availability`), when
  the driver fails (a lost connection, a refused credential, a transient error) or
  the deadline is too near, it raises :class:`HandOver` without retrying: the caller
  answers with the blocking path, which retries, probes and reports as before;
- an error of the statement's own (a Cypher error) is raised as the driver raises it.

One instance per event loop: it is opened in the application's lifespan
(:meth:`AsyncReads.open`) and closed there. A :class:`Graph` not made by
:meth:`Graph.connect` (no URI to connect to) has none: ``open`` returns None and the
blocking path is used.

Example:
    >>> reads = AsyncReads.open(graph)
    >>> await reads.column("RETURN $n", {"n": 1}, at=time.monotonic() + 5)
    [1]
    >>> await reads.close()
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, LiteralString

import neo4j
from neo4j import READ_ACCESS, Query
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from kb.graph.db import DRIVER_OPTIONS, Graph
from kb.graph.deadline import MIN_TX_SECONDS

log = logging.getLogger(__name__)


class HandOver(Exception):
    """The read was not made (or failed in a way the blocking path handles): read
    again with :meth:`Graph.read_column`, which retries and reports."""


class AsyncReads:
    """Auto-commit single-column reads through an ``AsyncDriver`` (module docstring).

    Args:
        graph: the blocking handle whose database, timeout, counter, observers and
            availability these reads share.
        driver: an open ``neo4j.AsyncDriver`` to the same server.
    """

    def __init__(self, graph: Graph, driver: neo4j.AsyncDriver) -> None:
        self.graph = graph
        self.driver = driver

    @classmethod
    def open(cls, graph: Graph) -> AsyncReads | None:
        """An async twin of ``graph``'s driver (lazily connected), or None when
        ``graph`` was not made by :meth:`Graph.connect`."""
        if graph.connection is None:
            return None
        uri, auth = graph.connection
        driver = neo4j.AsyncGraphDatabase.driver(uri, auth=auth, **DRIVER_OPTIONS)
        return cls(graph, driver)

    async def close(self) -> None:
        await self.driver.close()

    async def column(self, query: LiteralString, params: dict[str, Any], at: float) -> list[Any]:
        """The values of the single column of one read-only statement (plain values,
        as :meth:`Graph.read_column` returns them), within the deadline ``at``
        (``time.monotonic()`` seconds). Raises :class:`HandOver` when the blocking
        path must read instead, and the driver's error for an error of the
        statement's own."""
        graph = self.graph
        left = at - time.monotonic()
        if left < MIN_TX_SECONDS or graph.availability.down:
            raise HandOver("the deadline is near or Neo4j is taken to be down")
        graph._count()
        for observe in graph.observers:
            observe(query, params)
        timeout = min(graph.tx_timeout, left)
        try:
            async with asyncio.timeout(left):
                async with self.driver.session(
                    database=graph.database, default_access_mode=READ_ACCESS
                ) as session:
                    result = await session.run(Query(query, timeout=timeout), params)
                    values = [record[0] async for record in result]
        except TimeoutError:
            raise HandOver("the request's deadline passed during the read") from None
        except (DriverError, AuthError) as error:
            log.debug("async read failed (%s), handing over to the blocking path", error)
            raise HandOver(str(error)) from error
        except Neo4jError as error:
            if error.is_retryable():
                raise HandOver(str(error)) from error
            graph.availability.succeeded()  # Neo4j answered (with an error of its own)
            raise
        graph.availability.succeeded()
        return values
