"""The time left to the request being served, as Neo4j transaction timeouts see it.

The API layer sets a deadline for the duration of a request (see
:mod:`kb.api.budget`); every transaction :class:`kb.graph.db.Graph` starts meanwhile is
given the time left as its timeout when that is shorter than the usual one. A context
variable carries it, so it follows the request into worker threads (anyio copies the
context into them) without a parameter on every graph function.

Example:
    >>> with deadline(time.monotonic() + 2.0):
    ...     graph.read("MATCH (n) RETURN count(n) AS n")  # aborted by Neo4j after 2 s
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("kb_deadline", default=None)

#: Below this many seconds left a transaction is not started: it could not finish.
MIN_TX_SECONDS = 0.01


class DeadlineExceededError(TimeoutError):
    """The request's time budget ran out before a transaction could start."""


@contextmanager
def deadline(at: float | None) -> Iterator[None]:
    """Bound the transactions started inside the block by ``at`` (``time.monotonic()``)."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left to the current deadline (None when there is none)."""
    at = _DEADLINE.get()
    return None if at is None else at - time.monotonic()


def bounded_timeout(timeout: float) -> float:
    """``timeout``, shortened to the time left to the deadline; raises
    :class:`DeadlineExceededError` when too little is left to start a transaction."""
    left = remaining()
    if left is None:
        return timeout
    if left < MIN_TX_SECONDS:
        raise DeadlineExceededError(f"the time budget ran out {max(-left, 0.0):.3f}s ago")
    return min(timeout, left)
