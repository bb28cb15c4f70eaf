"""Parsed documents, kept per process: clients send the same documents over and over.

:func:`parse_kept` is graphql-core's ``parse`` behind a bounded LRU (successes only: an
exception is never cached, so a syntax error is reported afresh each time, with its code).
:class:`KeptParse` hands a kept document to Strawberry before it parses; on a miss it lets
Strawberry parse (and report errors) as usual and keeps the result.

Example:
    >>> parse_kept("{ states { code } }", 100) is parse_kept("{ states { code } }", 100)
    True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

#: Documents kept, per token limit (bounded: unique texts cannot grow memory).
KEPT_DOCUMENTS = 256
#: The longest document text whose validation outcome is kept by the fast path and the
#: directive gate (a body may be 1 MB: 256 kept would be 256 MB); longer ones are
#: validated on each request.
KEPT_LENGTH = 20_000


@lru_cache(maxsize=KEPT_DOCUMENTS)
def parse_kept(query: str, max_tokens: int) -> DocumentNode:
    """``query`` parsed with at most ``max_tokens`` tokens (raises GraphQLError)."""
    return parse(query, max_tokens=max_tokens)


class KeptParse(SchemaExtension):
    """Strawberry's parse step through :func:`parse_kept`. Register it after the
    token limiter, whose ``max_tokens`` it keys on."""

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        limit = ctx.parse_options.get("max_tokens")
        if ctx.query and ctx.graphql_document is None and isinstance(limit, int):
            # On an error Strawberry parses again below and reports it with its code.
            with suppress(GraphQLError, RecursionError):
                ctx.graphql_document = parse_kept(ctx.query, limit)
        yield
