"""API errors and the extension that gives every error an ``extensions.code``.

Resolvers raise an :class:`ApiError` subclass; anything else that escapes is an
unexpected error: logged with an id, reported as INTERNAL, its message masked in
production. Parse and validation errors become BAD_USER_INPUT (limits set their own
QUERY_TOO_COMPLEX). In production, graphql-core's "Did you mean ...?" suggestions are
cut from every message (fields, arguments, enum values, input fields, types, variables):
they would map the schema for a client that may not introspect it.

Example:
    >>> raise NotFoundError("no State with code 'XX'", field="input.state")
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError, GraphQLSyntaxError
from neo4j.exceptions import Neo4jError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult as StrawberryExecutionResult

from kb.graph.db import DatabaseUnavailableError

log = logging.getLogger(__name__)

BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
INTERNAL = "INTERNAL"


class ApiError(Exception):
    """An error the client caused or must know about; its message is shown as is.

    Args:
        message: what went wrong, quoting the bad value and what would be accepted.
        field: the input field at fault, as a dotted path (``input.title``).
        details: more ``extensions`` for the client (e.g. a refused delete's dependents).
    """

    code = INTERNAL

    def __init__(
        self, message: str, field: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.details = details or {}


class BadInputError(ApiError):
    code = BAD_USER_INPUT


class NotFoundError(ApiError):
    code = NOT_FOUND


class UnauthenticatedError(ApiError):
    code = UNAUTHENTICATED


class ForbiddenError(ApiError):
    code = FORBIDDEN


class TooComplexError(ApiError):
    code = QUERY_TOO_COMPLEX


class InputErrors(BadInputError):
    """Several bad input fields at once; each is listed in ``extensions.fields``.

    The code is BAD_USER_INPUT, or NOT_FOUND when ``not_found`` (every problem is a
    reference to a node that does not exist)."""

    def __init__(self, problems: list[tuple[str, str]], not_found: bool = False) -> None:
        self.problems = problems
        if not_found:
            self.code = NOT_FOUND
        text = "; ".join(f"{field}: {message}" for field, message in problems)
        super().__init__(f"invalid input: {text}", field=problems[0][0] if problems else None)


_TOO_COMPLEX_SYNTAX = re.compile(r"Document contains more than \d+ tokens")
# What Neo4j says when it stops a transaction at its timeout (while running, or while
# waiting for a lock).
_TIMEOUTS = (
    ".Transaction.TransactionTimedOut",  # also ...TimedOutClientConfiguration
    ".Transaction.LockClientStopped",
    ".Transaction.Terminated",
)


def classify(error: GraphQLError) -> tuple[str, dict[str, Any]]:
    """The code of ``error`` and extra extensions (the offending input field)."""
    original = error.original_error
    existing = error.extensions or {}
    if isinstance(existing.get("code"), str) and original is None:
        return existing["code"], {}
    if isinstance(original, InputErrors):
        fields = [{"field": f, "message": m} for f, m in original.problems]
        return original.code, {"field": original.field, "fields": fields, **original.details}
    if isinstance(original, ApiError):
        extra = {"field": original.field} if original.field else {}
        return original.code, {**extra, **original.details}
    if isinstance(original, DatabaseUnavailableError):
        return DATABASE_UNAVAILABLE, {}
    if isinstance(original, Neo4jError) and any(t in str(original.code) for t in _TIMEOUTS):
        return QUERY_TOO_COMPLEX, {}
    # Without a path the error came before execution: syntax, validation or the
    # coercion of variables. All are the client's to fix.
    if original is None or error.path is None or isinstance(error, GraphQLSyntaxError):
        if _TOO_COMPLEX_SYNTAX.search(error.message):
            return QUERY_TOO_COMPLEX, {}
        return BAD_USER_INPUT, {}
    return INTERNAL, {}


# graphql-core appends suggestions as " Did you mean 'a', 'b', or 'c'?" (names hold no '?').
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    """``message`` with graphql-core's "Did you mean ...?" suggestions cut out."""
    return _SUGGESTION.sub("", message)


_MESSAGES = {
    DATABASE_UNAVAILABLE: "the database is unavailable; try again later",
    QUERY_TOO_COMPLEX: "the query took too long; ask for fewer or smaller pages",
}


def coded(
    error: GraphQLError, mask: bool = False, hide_suggestions: bool = False, code: str | None = None
) -> GraphQLError:
    """``error`` with ``extensions.code`` (``code``, else :func:`classify`'s): unexpected
    ones are logged with an id (the client sees it as ``extensions.errorId``) and their
    message masked when ``mask``; suggestions are cut when ``hide_suggestions``."""
    code, extra = (code, {}) if code is not None else classify(error)
    extensions: dict[str, Any] = {**(error.extensions or {}), **extra, "code": code}
    message = error.message
    original = error.original_error
    if code == INTERNAL:
        error_id = uuid.uuid4().hex[:12]
        extensions["errorId"] = error_id
        log.error("unexpected error %s at %s", error_id, error.path, exc_info=original)
        if mask:
            message = f"Unexpected error (id {error_id})."
            original = None
    elif code in _MESSAGES and original is not None and not isinstance(original, ApiError):
        # An outage is logged once by the graph, not once per request.
        level = logging.DEBUG if code == DATABASE_UNAVAILABLE else logging.WARNING
        log.log(level, "%s at %s: %s", code, error.path, original)
        message = _MESSAGES[code]
    if hide_suggestions:
        message = without_suggestions(message)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original,
        extensions=extensions,
    )


class ErrorCodes(SchemaExtension):
    """Give each error ``extensions.code`` (see :func:`coded`).

    Example:
        >>> strawberry.Schema(query=Query, extensions=[lambda: ErrorCodes(mask=True)])
    """

    def __init__(self, mask: bool = False, hide_suggestions: bool = False) -> None:
        self.mask = mask
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | StrawberryExecutionResult) and result.errors:
            result.errors = [coded(e, self.mask, self.hide_suggestions) for e in result.errors]
