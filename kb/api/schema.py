"""The GraphQL schema, built for development or production.

Example:
    >>> schema = build_schema(production=False)
    >>> print(schema.as_str())
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from kb.api.budget import RequestBudget
from kb.api.curricula import CurriculumMutation, CurriculumQuery
from kb.api.errors import ErrorCodes
from kb.api.limits import Limits, limits_rule
from kb.api.mutations import Mutation
from kb.api.query import Query
from kb.api.search import SearchQuery
from kb.api.types import Alliance, Category, Contract, Lesson, Practice, State

#: The parts the root types are merged from (one module per concern adds its part here).
QUERY_TYPES: tuple[type, ...] = (Query, SearchQuery, CurriculumQuery)
MUTATION_TYPES: tuple[type, ...] = (Mutation, CurriculumMutation)


class Schema(strawberry.Schema):
    """The schema; errors are logged by :class:`~kb.api.errors.ErrorCodes` instead."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


def build_schema(production: bool = False, limits: Limits | None = None) -> Schema:
    """The schema with its limits; in production without introspection, field
    suggestions or unmasked unexpected errors."""
    limits = limits or Limits()
    rules = [limits_rule(limits)]
    if production:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories: strawberry builds fresh extension instances for every request.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ErrorCodes(mask=production),
        RequestBudget,  # time budget and expensive-request slots (kb/api/budget.py)
    ]
    return Schema(
        query=merge_types("Query", QUERY_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        types=[State, Alliance, Contract, Category, Practice, Lesson],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


def schema_sdl() -> str:
    """The SDL of the schema (what ``schema/schema.graphql`` holds)."""
    return build_schema().as_str() + "\n"
