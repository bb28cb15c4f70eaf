"""Planned reads answered over HTTP without Strawberry's execution.

A request whose document the planner answers whole (:mod:`kb.api.planner`) does not
need graphql-core's executor, Strawberry's extension machinery or a result object: a
profile of a small planned read (``bench/api/README.md``) puts about a third of the
event loop's time per request there. :class:`FastPath` answers such a request with the
same checks, in the same order, as the full path:

1. the document is parsed with the token limit (the kept parse of
   :mod:`kb.api.parsing`); the directive limits, then graphql-core's rules with the
   schema's own (depth, aliases, cost; no introspection in production) validate it
   (the outcome kept per document text and operation name, with the parsed document
   and the operation's cost: a repeated document is neither parsed nor validated
   again);
2. the operation is a query the viewer may read (``require_read``); a request whose cost
   is ``KB_EXPENSIVE_COST`` or more takes one of the expensive-request slots first, or
   is refused (RATE_LIMITED) as the full path refuses it;
3. its bound plan runs within the request's time budget (the context's deadline, the
   Neo4j transaction timeout), each statement one auto-commit read (one round trip to
   Neo4j, not three) sent from the event loop (:mod:`kb.graph.async_reads`: no hop to a
   worker thread) or, without async reads or when they hand over (Neo4j down, a lost
   connection, a transient error), by :meth:`kb.graph.db.Graph.read_column` on a worker
   thread, which retries and reports; the response is encoded once by orjson.

Whenever any step says no (a validation error, bad variables, a part the planner does
not plan, a database error, a timeout), :meth:`FastPath.answer` returns None and the
full path answers with the same context (so the same deadline): its answer, errors
included, is plain execution's. With ``KB_PLANNER=check`` (the test suite) the full
path runs too and the two bodies must be byte-identical (:class:`PlannerMismatch`).

Example:
    >>> fast = FastPath(schema)
    >>> body = await fast.answer(query, variables, None, context)  # bytes, or None
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, specified_rules
from strawberry.schema.schema import validate_document

from kb.api.concurrency import Slot, take_slot
from kb.api.directive_limits import DirectiveLimits, directive_limits_rule
from kb.api.errors import ApiError, coded
from kb.api.limits import Limits, measure_operation
from kb.api.parsing import KEPT_DOCUMENTS, KEPT_LENGTH, parse_kept
from kb.api.planner import COUNTS, Bound, bound_for, run_bound
from kb.graph.async_reads import AsyncReads, HandOver
from kb.graph.db import DatabaseUnavailableError

log = logging.getLogger(__name__)

#: Documents whose validation and cost are kept (as many as parses are kept); longer
#: than ``KEPT_LENGTH`` they take the full path.
KEPT = KEPT_DOCUMENTS


@dataclass(frozen=True)
class Checked:
    """A valid document, parsed once, and its operation's cost."""

    document: DocumentNode
    cost: int


class FastPath:
    """Answers fully planned reads (see the module docstring) for one schema.

    Args:
        schema: the application's schema (:func:`kb.api.schema.build_schema`), whose
            ``limits`` and ``extra_rules`` say what its extensions enforce.
    """

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.limits: Limits = getattr(schema, "limits", Limits())
        self.rules = (*specified_rules, *getattr(schema, "extra_rules", ()))
        self.directives = directive_limits_rule(DirectiveLimits())
        #: (document text, operation name) -> the parsed document and its operation's
        #: cost when valid, None when not.
        self._checked: LRUCache[tuple[str, str | None], Checked | None] = LRUCache(KEPT)

    def checked(self, query: str, name: str | None) -> Checked | None:
        """The parsed document and the cost of a valid document's operation (kept per
        document text and operation name); None when it is not valid."""
        key = (query, name)
        if key in self._checked:
            return self._checked[key]  # a hit becomes the most recently used
        checked: Checked | None = None
        try:
            document = parse_kept(query, self.limits.max_tokens)
        except (GraphQLError, RecursionError):
            document = None
        gql = self.schema._schema
        if (
            document is not None
            and not validate_document(gql, document, (self.directives,))
            and not validate_document(gql, document, self.rules)
        ):
            checked = Checked(document, measure_operation(gql, document, name).cost)
        self._checked[key] = checked
        return checked

    async def answer(
        self, query: str, variables: dict[str, Any] | None, name: str | None, context: Any
    ) -> bytes | None:
        """The response body (``{"data": ...}``) of a fully planned query, or None when
        the full path must answer it. ``context`` is the request's
        :class:`~kb.api.context.Context` (its deadline is the request's budget)."""
        settings = context.settings
        if settings.planner == "off":
            return None
        if len(query) > KEPT_LENGTH:
            return None
        checked = self.checked(query, name)
        if checked is None:
            return None
        try:
            context.require_read()
        except ApiError:
            return None
        cost = checked.cost
        bound = bound_for(self.schema, query, checked.document, name, variables, context)
        if bound is None:
            return None
        slot: Slot | None = None
        if cost >= settings.expensive_cost:  # as RequestBudget: one of the few slots
            slot = await take_slot(settings, cost, context.deadline)
            if slot.refused is not None:
                COUNTS.fast += 1
                return self.refusal(slot.refused)
        try:
            data = await self._read(bound, context)
        except DatabaseUnavailableError:
            return None  # the full path reports it
        except Exception as error:  # a timeout: the full path reports it, with its code
            log.warning("fast path read failed, executing plainly: %s", error)
            return None
        finally:
            if slot is not None:
                slot.release()
        COUNTS.fast += 1
        return orjson.dumps({"data": data})

    async def _read(self, bound: Bound, context: Any) -> dict[str, Any]:
        """The bound plan's response data: its statements sent from the event loop
        (:class:`~kb.graph.async_reads.AsyncReads`) when the context has async reads,
        else, or when they hand over, from a worker thread (:func:`run_bound`)."""
        reads: AsyncReads | None = context.reads
        if reads is not None:
            try:
                at = context.deadline
                results = [await reads.column(s.text, s.params, at) for s in bound.statements]
            except HandOver:
                pass  # the blocking path retries, probes and reports
            else:
                return bound.shape(results)
        data: dict[str, Any] = await context.run(run_bound, context.graph, bound)
        return data

    def refusal(self, error: GraphQLError) -> Refusal:
        """The body of a request refused for want of an expensive-request slot, as the
        full path words it (:class:`~kb.api.errors.ErrorCodes` gives it its code)."""
        production = bool(getattr(self.schema, "production", False))
        coded_error = coded(error, mask=production, hide_suggestions=production)
        return Refusal(orjson.dumps({"errors": [coded_error.formatted]}))


class Refusal(bytes):
    """A response body with errors only (a request error: 400 when the client accepts
    ``application/graphql-response+json``)."""
