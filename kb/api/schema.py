"""The GraphQL schema, built for development or production.

Example:
    >>> schema = build_schema(production=False)
    >>> print(schema.as_str())
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from kb.api.budget import RequestBudget
from kb.api.curriculum_operations import CurriculumMutation, CurriculumQuery
from kb.api.directive_limits import DirectiveGate
from kb.api.errors import BAD_USER_INPUT, INTERNAL, ErrorCodes, coded
from kb.api.glossary import GlossaryQuery
from kb.api.limits import Limits, limits_rule
from kb.api.mutations import Mutation
from kb.api.parsing import KeptParse
from kb.api.planner import Planner
from kb.api.query import Query
from kb.api.search import SearchQuery
from kb.api.subscriptions import Subscription
from kb.api.types import Alliance, Category, Contract, Lesson, Practice, State
from kb.api.vendors import VendorQuery
from kb.api.webhooks import WebhookMutation, WebhookQuery

#: The parts the root types are merged from (one module per concern adds its part here).
QUERY_TYPES: tuple[type, ...] = (
    Query, SearchQuery, CurriculumQuery, GlossaryQuery, VendorQuery, WebhookQuery,
)  # fmt: skip
MUTATION_TYPES: tuple[type, ...] = (Mutation, CurriculumMutation, WebhookMutation)


#: Documents whose validation is kept, per process.
PARSED_DOCUMENTS = 256


class KeptValidation(ValidationCache):
    """Strawberry's validation cache, except that it keeps errors an earlier extension
    found (the directive gate), where Strawberry's would overwrite them."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors is not None:
            yield
            return
        yield from super().on_validate()


class Schema(strawberry.Schema):
    """The schema; errors are logged by :class:`~kb.api.errors.ErrorCodes` instead.

    :meth:`execute` never raises for a bad request and never returns an error without
    ``extensions.code``: what Strawberry raises (no query, an unknown ``operationName``,
    an operation type the schema lacks) becomes BAD_USER_INPUT, and an exception that
    escaped a validation rule (Strawberry reports it outside the extensions) INTERNAL.
    """

    production = False
    #: What the extensions enforce (read by the HTTP fast path, kb/api/fast_path.py).
    limits: Limits = Limits()
    extra_rules: tuple[Any, ...] = ()

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None

    async def execute(  # Strawberry's signature, so that callers see no difference
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        try:
            result = await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed_operation_types,
                operation_extensions,
            )
        except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError) as error:
            message = _operation_problem(error, query, operation_name)
            return ExecutionResult(
                data=None, errors=[GraphQLError(message, extensions={"code": BAD_USER_INPUT})]
            )
        if result.errors and any("code" not in (e.extensions or {}) for e in result.errors):
            result.errors = [
                e if "code" in (e.extensions or {}) else self._unexpected(e) for e in result.errors
            ]
        return result

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Strawberry's stream (WebSocket operations), each result's errors coded as
        :meth:`execute` codes them: ``ErrorCodes`` sees only the first result there."""
        return _coded_stream(await super().stream(*args, **kwargs), self.production)

    def _unexpected(self, error: GraphQLError) -> GraphQLError:
        return coded(error, mask=self.production, hide_suggestions=self.production, code=INTERNAL)


async def _coded_stream(source: Any, mask: bool) -> AsyncIterator[Any]:
    try:
        async for result in source:
            errors = getattr(result, "errors", None)
            if errors:
                result.errors = [coded(e, mask=mask, hide_suggestions=mask) for e in errors]
            yield result
    finally:
        await source.aclose()


def _operation_problem(error: Exception, query: str | None, name: str | None) -> str:
    """What is wrong with the operation the request asks for (the document parsed)."""
    if isinstance(error, MissingQueryError):
        return "a non-empty 'query' string is required"
    if isinstance(error, InvalidOperationTypeError):
        kind = error.operation_type.value
        return f"{kind} operations are not accepted in this request"
    names = [
        d.name.value if d.name else "(anonymous)"
        for d in parse(query or "").definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    if not names:
        return "the document defines no operation (only fragments); add a query or mutation"
    listed = ", ".join(repr(n) for n in names)
    return f"operationName {name!r} is not in the document; it defines {listed}"


def build_schema(production: bool = False, limits: Limits | None = None) -> Schema:
    """The schema with its limits (depth, aliases, tokens, cost, directives); in
    production without introspection, "did you mean" suggestions or unmasked unexpected
    errors."""
    limits = limits or Limits()
    rules = [limits_rule(limits)]
    if production:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories: strawberry builds fresh extension instances for every request.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        KeptParse,  # after the token limiter: keyed on its max_tokens (kb/api/parsing.py)
        lambda: AddValidationRules(rules),
        DirectiveGate,
        # Validation results are kept (bounded LRU): clients send the same documents
        # over and over, and a refused one would cost its validation each time
        # (bench/faults/README.md). So are parsed documents (KeptParse
        # above); not Strawberry's ParserCache, whose syntax errors come out as INTERNAL.
        lambda: KeptValidation(maxsize=PARSED_DOCUMENTS),
        lambda: ErrorCodes(mask=production, hide_suggestions=production),
        RequestBudget,  # time budget and expensive-request slots (kb/api/budget.py)
        # Last: runs after validation, the limits and the budget's slot, within its
        # deadline; answers plannable reads with one statement per root field.
        Planner,
    ]
    schema = Schema(
        query=merge_types("Query", QUERY_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        subscription=Subscription,
        types=[State, Alliance, Contract, Category, Practice, Lesson],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )
    schema.production = production
    schema.limits = limits
    schema.extra_rules = tuple(rules)
    return schema


def schema_sdl() -> str:
    """The SDL of the schema (what ``schema/schema.graphql`` holds)."""
    return build_schema().as_str() + "\n"
