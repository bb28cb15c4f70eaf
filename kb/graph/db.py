"""The one handle on Neo4j: driver lifecycle, managed transactions, a query counter.

Every Cypher statement of the application runs through :class:`Graph`, inside a managed
transaction (``execute_read`` / ``execute_write``) with a timeout, with parameters only.

Example:
    >>> graph = Graph.connect("bolt://127.0.0.1:7687", "neo4j", "secret")
    >>> graph.read("MATCH (s:State {code: $code}) RETURN s.name AS name", code="UT")
    [{'name': 'Utah'}]
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired

from kb.graph.deadline import bounded_timeout

T = TypeVar("T")
Row = dict[str, Any]


class DatabaseUnavailableError(RuntimeError):
    """Neo4j does not answer, or refused the credentials."""


class Tx:
    """A managed transaction that counts the statements it runs."""

    def __init__(self, tx: ManagedTransaction, graph: Graph) -> None:
        self._tx = tx
        self._graph = graph

    def run(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run one parameterised statement and return its rows as dicts."""
        self._graph._count()
        result = self._tx.run(query, params)
        return [record.data() for record in result]


class Graph:
    """A Neo4j driver bound to one database, with a transaction timeout.

    Args:
        driver: an open ``neo4j.Driver``.
        database: the database name (``neo4j`` by default).
        tx_timeout: seconds after which Neo4j aborts a transaction.
    """

    def __init__(self, driver: neo4j.Driver, database: str, tx_timeout: float = 10.0) -> None:
        self.driver = driver
        self.database = database
        self.tx_timeout = tx_timeout
        self._lock = threading.Lock()
        self._queries = 0

    @classmethod
    def connect(
        cls, uri: str, user: str, password: str, database: str = "neo4j", tx_timeout: float = 10.0
    ) -> Graph:
        """Open a driver (lazily: nothing is sent until the first query)."""
        driver = GraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_acquisition_timeout=10.0,
            connection_timeout=5.0,
            max_transaction_retry_time=5.0,
            notifications_min_severity="OFF",
        )
        return cls(driver, database, tx_timeout)

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

    def write(self, query: LiteralString, **params: Any) -> list[Row]:
        """Run a single write statement."""
        return self.execute_write(lambda tx: tx.run(query, **params))

    def _execute(self, work: Callable[[Tx], T], write: bool, timeout: float | None) -> T:
        # Inside a request, never longer than the time its budget has left.
        @unit_of_work(timeout=bounded_timeout(timeout or self.tx_timeout))
        def unit(tx: ManagedTransaction) -> T:
            return work(Tx(tx, self))

        try:
            with self.driver.session(database=self.database) as session:
                if write:
                    return session.execute_write(unit)
                return session.execute_read(unit)
        except (ServiceUnavailable, SessionExpired) as error:
            raise DatabaseUnavailableError(f"Neo4j is unavailable: {error}") from error
        except AuthError as error:
            raise DatabaseUnavailableError(f"Neo4j refused the credentials: {error}") from error

    def ping(self) -> None:
        """Raise :class:`DatabaseUnavailableError` unless Neo4j answers a query now."""
        self.read("RETURN 1 AS ok")
