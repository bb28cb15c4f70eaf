"""The query planner: a whole GraphQL read as one Cypher statement per root field.

Plain execution builds a Python object for every node of the response and completes
each field of each object through Strawberry and graphql-core; a nested read costs one
Bolt statement per relationship field and hundreds of objects. The planner reads the
executed operation instead (fields, aliases, fragments, ``@include``/``@skip``, the
arguments from literals or variables, exactly as graph-core collects and coerces them)
into the row plans of :mod:`kb.graph.projection`, runs one statement per root field, and
turns the rows into the response's dictionaries with a function generated once per
shape of response (no Strawberry object, no resolver, no per-field call).

Only what is known exactly is planned: the root lists (``states`` ... ``lessons``) and
the lookups by natural key (``state(code:)`` ... ``lesson(id:)``) with node properties,
``id``/``key``/``__typename``, relationship fields of the table with stored types, and
connections (``edges``, ``nodes``, ``pageInfo``, ``totalCount``, edge ``since``/``until``).
Anything else in the document (``node``, search, paths, stats, curricula, history,
``relatedItems``, derived relationships such as ``eligibleContracts``, introspection, a
mutation), and any argument plain execution would refuse (``first: 500``, a foreign
cursor), sends the whole document to plain execution: its answer, errors included, is
plain execution's own. So are requests a role may not read (``require_read``).

:class:`Planner` is the Strawberry extension (``KB_PLANNER``): ``on`` answers planned
reads without executing them, ``check`` runs both and raises :class:`PlannerMismatch`
when their JSON differs (the test suite runs so), ``off`` never plans.

The package: :mod:`~kb.api.planner.reading` reads an operation into row plans,
:mod:`~kb.api.planner.shaping` generates the function that shapes their rows,
:mod:`~kb.api.planner.binding` plans, binds, keeps and runs; this module is the
Strawberry extension and the counters.

Example:
    >>> bound = plan(schema, document, None, {"n": 2}, context)
    >>> bound.statements[0].text.startswith("MATCH (n:State)")
    True
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from kb.api.errors import ApiError
from kb.api.planner.binding import KEY_ROOTS, LIST_ROOTS, Bound, bound_for, plan, run_bound
from kb.graph.db import DatabaseUnavailableError

__all__ = [
    "COUNTS",
    "KEY_ROOTS",
    "LIST_ROOTS",
    "Bound",
    "Counts",
    "Planner",
    "PlannerMismatch",
    "bound_for",
    "plan",
    "run_bound",
]

log = logging.getLogger(__name__)


@dataclass
class Counts:
    """How many operations were planned, left to plain execution, found different."""

    planned: int = 0
    fallback: int = 0
    mismatches: int = 0
    #: Answered over HTTP without Strawberry's execution (:mod:`kb.api.fast_path`).
    fast: int = 0


#: Per process (the differential test reads it to know the planner really planned).
COUNTS = Counts()


class PlannerMismatch(AssertionError):
    """``KB_PLANNER=check``: the planned answer differs from plain execution's."""


def _bound_for(ctx: Any) -> Bound | None:
    return bound_for(
        ctx.schema, ctx.query or "", ctx.graphql_document, ctx.operation_name, ctx.variables,
        ctx.context,
    )  # fmt: skip


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


class Planner(SchemaExtension):
    """Answer a plannable read from its plan (``KB_PLANNER=on``), or both ways and
    compare (``check``). Register it last: it runs after validation, the cost checks and
    the budget's slot (:class:`~kb.api.budget.RequestBudget`), within its deadline."""

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context: Any = ctx.context
        settings = getattr(context, "settings", None)
        mode = getattr(settings, "planner", "off")
        if mode == "off" or ctx.result is not None or ctx.graphql_document is None:
            yield
            return
        data = await self._planned(context)
        if data is None:
            COUNTS.fallback += 1
            yield
            return
        COUNTS.planned += 1
        if mode == "on":
            ctx.result = GraphQLExecutionResult(data=data, errors=None)
            yield
            return
        yield  # check: plain execution too
        result = ctx.result
        plain = (result.data, [e.formatted for e in result.errors or []]) if result else None
        if plain is None or plain != (data, []) or _json(plain[0]) != _json(data):
            COUNTS.mismatches += 1
            log.error("planner mismatch for %r: %s != %s", ctx.query, _json(data), _json(plain))
            raise PlannerMismatch(
                f"the planned answer differs from plain execution for {ctx.query!r}: "
                f"planned {_json(data)}, plain {_json(plain)}"
            )

    async def _planned(self, context: Any) -> dict[str, Any] | None:
        try:
            context.require_read()
        except ApiError:
            return None  # plain execution refuses it, field by field
        bound = _bound_for(self.execution_context)
        if bound is None:
            return None
        try:
            return cast(dict[str, Any], await context.run(run_bound, context.graph, bound))
        except DatabaseUnavailableError:
            return None  # plain execution reports it; the graph logs each outage once
        except Exception as error:  # a timeout: plain execution reports it
            log.warning("planned read failed, executing plainly: %s", error)
            return None
