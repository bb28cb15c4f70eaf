"""The one handle on Neo4j: driver lifecycle, managed transactions, a query counter.

Every Cypher statement of the application runs through :class:`Graph`, with a timeout,
with parameters only: inside a managed transaction (``execute_read`` / ``execute_write``),
or, for a single read of one column (:meth:`Graph.read_column`: the planner's
statements), as one auto-commit read: RUN and PULL in one round trip to Neo4j instead of
three (BEGIN, RUN and PULL, COMMIT), retried as a managed read when it fails transiently.
That is the one exception to managed transactions, for single read-only statements;
every write, and every read of several statements, is a managed transaction.

Reads and writes are sent as such (``execute_read`` / ``execute_write``), so that with a
routing URI (``neo4j://``, a cluster or Aura) reads go to any member and writes to the
leader. Transient failures are retried briefly (:data:`RETRY_TIME`); when Neo4j cannot be
reached, :class:`~kb.graph.availability.Availability` makes the following requests fail
at once until a probe finds it answering again (the driver reconnects by itself).

Example:
    >>> graph = Graph.connect("bolt://127.0.0.1:7687", "neo4j", "secret")
    >>> graph.read("MATCH (s:State {code: $code}) RETURN s.name AS name", code="UT")
    [{'name': 'Utah'}]
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import READ_ACCESS, GraphDatabase, ManagedTransaction, Query, unit_of_work
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from kb.graph.availability import Availability
from kb.graph.deadline import bounded_timeout

T = TypeVar("T")
Row = dict[str, Any]

#: An error Neo4j answered with (a timeout, a constraint, a syntax error), named here so
#: that the layers above need not import the driver.
QueryError = Neo4jError

#: Seconds a transaction is retried on transient errors (first retry after 0.1 s,
#: doubling). Kept short so that a request fails within a second when Neo4j is gone.
RETRY_TIME = 0.25
#: Seconds to open a TCP connection to Neo4j.
CONNECT_TIMEOUT = 3.0
#: What every driver of this application is opened with (the blocking one here, the
#: event loop's in :mod:`kb.graph.async_reads`): bounded waits for a pooled connection
#: and for connecting, and no notifications sent along with results.
DRIVER_OPTIONS: dict[str, Any] = {
    "connection_acquisition_timeout": 10.0,
    "connection_timeout": CONNECT_TIMEOUT,
    "notifications_min_severity": "OFF",
}

log = logging.getLogger(__name__)

# The driver logs every failed connection and retried attempt; outages are logged once,
# by Availability, instead of several lines per request.
logging.getLogger("neo4j").setLevel(logging.CRITICAL)


class DatabaseUnavailableError(RuntimeError):
    """Neo4j does not answer, or refused the credentials."""


class Tx:
    """A managed transaction that counts the statements it runs."""

    def __init__(self, tx: ManagedTransaction, graph: Graph) -> None:
        self._tx = tx
        self._graph = graph
        #: Work to run last, after the transaction's own, before it commits (keyed, so
        #: asking twice runs it once): :func:`kb.graph.changes.record_changes` asks
        #: for the recount of :mod:`kb.graph.property_counts` this way.
        self.before_commit: dict[str, Callable[[Tx], None]] = {}

    def finish(self) -> None:
        """Run the :attr:`before_commit` work (each may ask for more)."""
        done: set[str] = set()
        while pending := [k for k in self.before_commit if k not in done]:
            for key in pending:
                done.add(key)
                self.before_commit[key](self)

    def run(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run one parameterised statement and return its rows as dicts."""
        self._graph._count()
        for observe in self._graph.observers:
            observe(query, params)
        result = self._tx.run(query, params)
        return [record.data() for record in result]

    def column(self, query: LiteralString, **params: Any) -> list[Any]:
        """Run one statement and return the values of its single column as the driver
        decoded them: no per-record dict, no walk over nested lists and maps (what
        ``record.data()`` costs). For statements that return plain values (lists, maps,
        scalars, temporal values), never nodes or relationships."""
        self._graph._count()
        for observe in self._graph.observers:
            observe(query, params)
        return [record[0] for record in self._tx.run(query, params)]


class Graph:
    """A Neo4j driver bound to one database, with a transaction timeout.

    Args:
        driver: an open ``neo4j.Driver``.
        database: the database name (``neo4j`` by default).
        tx_timeout: seconds after which Neo4j aborts a transaction.
        target: what the driver reaches (its URI), for messages and log lines.
        connection: the URI and credentials the driver was opened with, if known.
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str,
        tx_timeout: float = 10.0,
        target: str = "Neo4j",
        connection: tuple[str, tuple[str, str]] | None = None,
    ) -> None:
        self.driver = driver
        #: (URI, (user, password)) when made by :meth:`connect`: what a second driver
        #: to the same server needs (:mod:`kb.graph.async_reads`).
        self.connection = connection
        self.database = database
        self.tx_timeout = tx_timeout
        self.availability = Availability(f"Neo4j at {target}")
        self._lock = threading.Lock()
        self._queries = 0
        #: Called with each statement and its parameters before it is sent (tests use it
        #: to collect what a request runs, e.g. to EXPLAIN it).
        self.observers: list[Callable[[str, dict[str, Any]], None]] = []

    @classmethod
    def connect(
        cls, uri: str, user: str, password: str, database: str = "neo4j", tx_timeout: float = 10.0
    ) -> Graph:
        """Open a driver (lazily: nothing is sent until the first query)."""
        driver = GraphDatabase.driver(
            uri,
            auth=(user, password),
            max_transaction_retry_time=RETRY_TIME,
            initial_retry_delay=0.1,
            **DRIVER_OPTIONS,
        )
        return cls(driver, database, tx_timeout, target=uri, connection=(uri, (user, password)))

    def close(self) -> None:
        self.driver.close()

    # -- counting (for the N+1 guard in tests) ---------------------------------
    def _count(self) -> None:
        with self._lock:
            self._queries += 1

    @property
    def query_count(self) -> int:
        """How many statements this handle has sent since it was opened."""
        return self._queries

    # -- transactions ----------------------------------------------------------
    def execute_read(self, work: Callable[[Tx], T], timeout: float | None = None) -> T:
        """Run ``work`` in a managed read transaction (retried on transient errors).

        ``timeout`` overrides the default transaction timeout (bulk work such as export).
        """
        return self._execute(work, write=False, timeout=timeout)

    def execute_write(self, work: Callable[[Tx], T], timeout: float | None = None) -> T:
        """Run ``work`` in one managed write transaction: all of it commits, or none."""
        return self._execute(work, write=True, timeout=timeout)

    def read(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run a single read statement."""
        return self.execute_read(lambda tx: tx.run(query, **params))

    def read_column(self, query: LiteralString, **params: Any) -> list[Any]:
        """Run a single read statement of one column (see :meth:`Tx.column`), as one
        auto-commit read.

        A managed transaction costs three round trips to Neo4j (BEGIN; RUN and PULL;
        COMMIT), an auto-commit one a single round trip (RUN and PULL); for one
        read-only statement the two are the same: the session's access mode is READ (a
        routing driver sends it to a reader; Neo4j refuses a write in it), the timeout
        is the transaction's (:func:`~kb.graph.deadline.bounded_timeout`), and no
        bookmarks are passed either way (each session of this class starts without
        any). What differs is the retry: the driver does not retry auto-commit work, so
        a failure the driver calls retryable (a transient error, a lost connection), a
        refused credential, or a probe during an outage runs the statement again as a
        managed read (:meth:`execute_read`: retried, and reported as it reports them).
        """
        timeout = bounded_timeout(self.tx_timeout)
        availability = self.availability
        if availability.down:  # a probe, or a refusal: as a managed read does it
            return self.execute_read(lambda tx: tx.column(query, **params))
        self._count()
        for observe in self.observers:
            observe(query, params)
        try:
            with self.driver.session(
                database=self.database, default_access_mode=READ_ACCESS
            ) as session:
                values = [
                    record[0] for record in session.run(Query(query, timeout=timeout), params)
                ]
        except (DriverError, AuthError) as error:
            log.debug("auto-commit read failed (%s), reading in a managed transaction", error)
            return self.execute_read(lambda tx: tx.column(query, **params))
        except Neo4jError as error:
            if error.is_retryable():
                return self.execute_read(lambda tx: tx.column(query, **params))
            availability.succeeded()  # Neo4j answered (with an error of the query's own)
            raise
        availability.succeeded()
        return values

    def write(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run a single write statement."""
        return self.execute_write(lambda tx: tx.run(query, **params))

    def _execute(self, work: Callable[[Tx], T], write: bool, timeout: float | None) -> T:
        # Inside a request, never longer than the time its budget has left.
        @unit_of_work(timeout=bounded_timeout(timeout or self.tx_timeout))
        def unit(tx: ManagedTransaction) -> T:
            wrapped = Tx(tx, self)
            result = work(wrapped)
            wrapped.finish()
            return result

        availability = self.availability
        if not availability.should_try():
            raise DatabaseUnavailableError(f"Neo4j is unavailable: {availability.reason()}")
        # A probe during an outage makes one attempt, without retries: it only asks
        # whether Neo4j is back.
        retry_time = -1.0 if availability.down else RETRY_TIME
        try:
            with self.driver.session(
                database=self.database, max_transaction_retry_time=retry_time
            ) as session:
                result = session.execute_write(unit) if write else session.execute_read(unit)
        except (ServiceUnavailable, SessionExpired) as error:
            availability.failed(_one_line(error))
            raise DatabaseUnavailableError(f"Neo4j is unavailable: {error}") from error
        except AuthError as error:
            availability.released()
            raise DatabaseUnavailableError(f"Neo4j refused the credentials: {error}") from error
        except BaseException:
            availability.succeeded()  # Neo4j answered (with an error of the query's own)
            raise
        availability.succeeded()
        return result

    def ping(self) -> None:
        """Raise :class:`DatabaseUnavailableError` unless Neo4j answers a query now."""
        self.read("RETURN 1 AS ok")


def _one_line(error: BaseException) -> str:
    """The driver's message on one line (it spreads one reason over several)."""
    text = " ".join(str(error).split())
    return (text[:300] + "...") if len(text) > 300 else (text or type(error).__name__)
