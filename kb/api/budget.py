"""The time budget of a request: work past it is stopped and reported, not waited for.

Every request gets ``KB_REQUEST_BUDGET`` seconds from the moment its
:class:`~kb.api.context.Context` is made. Within them:

- blocking work goes through :func:`run_within` (``Context.run``): it is not started
  once the budget is spent, and the resolver stops waiting for it (for a thread or for
  a free one) when the budget runs out; the result of a thread that was already
  running is dropped when it ends (a Whoosh call lasts tens of milliseconds);
- every Neo4j transaction gets the time left as its timeout when that is shorter than
  ``KB_TX_TIMEOUT`` (:mod:`kb.graph.deadline`), DataLoader reads included.

What ran out is reported once, as ``QUERY_TOO_COMPLEX`` with ``extensions.budget``
(the budget in seconds), by :class:`RequestBudget`, the extension that also bounds how
many expensive requests run at once (:mod:`kb.api.concurrency`).

Example:
    >>> schema = strawberry.Schema(query=Query, extensions=[RequestBudget])
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from neo4j.exceptions import Neo4jError
from strawberry.extensions import SchemaExtension

from kb.api.concurrency import Slot, take_slot
from kb.api.errors import TooComplexError
from kb.api.limits import measure_operation
from kb.graph.deadline import DeadlineExceededError, deadline

T = TypeVar("T")


class BudgetExceededError(TooComplexError):
    """The request ran past its time budget (``QUERY_TOO_COMPLEX``, ``extensions.budget``)."""

    def __init__(self, budget: float, skipped: int = 0) -> None:
        more = f"; {skipped} more fields were stopped with it" if skipped else ""
        super().__init__(
            f"the request ran past its time budget of {budget:g}s (KB_REQUEST_BUDGET){more}; "
            "ask for fewer or smaller pages, or for expensive fields (relatedItems, search, "
            "path) on fewer items"
        )
        self.extensions = {"budget": budget}


async def run_within(
    at: float,
    budget: float,
    func: Callable[[], T],
    limiter: anyio.CapacityLimiter | None = None,
) -> T:
    """Run ``func`` in a worker thread (of ``limiter``, else the shared pool of
    :data:`WORKER_THREADS`) unless the deadline ``at`` has passed; stop waiting for it
    when it does."""
    if time.monotonic() >= at:
        raise BudgetExceededError(budget)
    if limiter is None:
        return await _run_pooled(at, budget, func)
    with anyio.move_on_after(at - time.monotonic()):
        # Not abandoned once started: the thread keeps its limiter slot until it ends,
        # so that no more expensive threads run than the limiter allows.
        try:
            return await anyio.to_thread.run_sync(_bounded, at, func, limiter=limiter)
        except DeadlineExceededError:
            raise BudgetExceededError(budget) from None
    raise BudgetExceededError(budget)


#: Threads shared by every request's graph reads (as many as anyio's default pool).
WORKER_THREADS = 40
_POOL: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="kb-read"))
    return _POOL[0]


async def _run_pooled(at: float, budget: float, func: Callable[[], T]) -> T:
    # The event loop's own executor hand-off: a third cheaper per call than anyio's
    # worker threads on a small read (bench/api/README.md); the context (the
    # deadline's variable among it) goes along, as anyio copies it. Work not started
    # when the budget runs out is cancelled; a started thread runs to its end (its
    # transaction is bounded by the same deadline) and its result is dropped.
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    future = loop.run_in_executor(_pool(), context.run, _bounded, at, func)
    timer = asyncio.timeout(at - time.monotonic())
    try:
        async with timer:
            return await future
    except TimeoutError as error:
        if timer.expired() or isinstance(error, DeadlineExceededError):
            raise BudgetExceededError(budget) from None
        raise  # a timeout of the work's own


def _bounded(at: float, func: Callable[[], T]) -> T:
    with deadline(at):
        return func()


class RequestBudget(SchemaExtension):
    """Hold each operation to its context's deadline, one expensive-request slot
    (:func:`kb.api.concurrency.take_slot`) when its cost calls for one, and report
    budget errors once."""

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context: Any = ctx.context
        at: float | None = getattr(context, "deadline", None)
        if at is None or ctx.graphql_document is None:
            yield
            return
        settings = context.settings
        measure = measure_operation(ctx.schema._schema, ctx.graphql_document, ctx.operation_name)
        slot: Slot | None = None
        if measure.cost >= settings.expensive_cost:
            slot = await take_slot(settings, measure.cost, at)
            if slot.refused is not None:
                ctx.result = GraphQLExecutionResult(data=None, errors=[slot.refused])
                yield
                return
        try:
            with deadline(at):
                yield
        finally:
            if slot is not None:
                slot.release()
        result = ctx.result
        if isinstance(result, GraphQLExecutionResult) and result.errors:
            result.errors = _budget_errors(result.errors, at, settings.request_budget)


def _budget_errors(errors: list[GraphQLError], at: float, budget: float) -> list[GraphQLError]:
    """The errors with every one the budget caused folded into the first of them."""
    kept: list[GraphQLError] = []
    first: GraphQLError | None = None
    skipped = 0
    for error in errors:
        if not _ran_out(error.original_error, at):
            kept.append(error)
        elif first is None:
            first = error
            kept.append(error)  # replaced below, once the count is known
        else:
            skipped += 1
    if first is None:
        return errors
    reported = BudgetExceededError(budget, skipped)
    kept[kept.index(first)] = GraphQLError(
        str(reported),
        nodes=first.nodes,
        source=first.source,
        positions=first.positions,
        path=first.path,
        original_error=reported,
    )
    return kept


# What Neo4j says when it stops a transaction at its timeout (while running, or while
# waiting for a lock).
_NEO4J_TIMEOUTS = ("TransactionTimedOut", "LockClientStopped", "Transaction.Terminated")


def _ran_out(original: BaseException | None, at: float) -> bool:
    if isinstance(original, BudgetExceededError | DeadlineExceededError):
        return True
    # Neo4j stopped a transaction whose timeout was the time left to the budget (not
    # KB_TX_TIMEOUT, which stays QUERY_TOO_COMPLEX "took too long").
    return (
        isinstance(original, Neo4jError)
        and any(name in str(original.code) for name in _NEO4J_TIMEOUTS)
        and time.monotonic() >= at - 0.1
    )
