"""A limit on directives: how many one location may carry, and how many a document may use.

graphql-core reports every unknown or repeated directive as its own error, so a document
of hundreds of ``@aa`` ("directive overloading") costs hundreds of errors to find and to
send. :func:`directive_limits_rule` is a validation rule that counts directives on every
node that can carry them (operations, fields, fragments, variables); it reports at most
two errors (the first crowded location, and the document's total), each naming the count
and the limit. :class:`DirectiveGate` runs it before the other validation rules and, when
it fails, answers with its errors alone.

Example:
    >>> rule = directive_limits_rule(DirectiveLimits(per_location=5, per_document=50))
    >>> graphql.validate(schema, parse("{ __typename @a @a @a @a @a @a }"), [rule])
    [GraphQLError("'__typename' carries 6 directives; at most 5 are allowed on one ...")]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    VariableDefinitionNode,
    validate,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from kb.api.errors import QUERY_TOO_COMPLEX
from kb.api.parsing import KEPT_DOCUMENTS, KEPT_LENGTH


@dataclass(frozen=True)
class DirectiveLimits:
    """At most ``per_location`` directives on one node, ``per_document`` in all.

    Real documents put one or two (``@include``, ``@skip``) on a field; the limits
    leave room for that and refuse what only an attacker writes.
    """

    per_location: int = 5
    per_document: int = 50


def _where(node: Node) -> str:
    if isinstance(node, FieldNode):
        return f"the field {(node.alias or node.name).value!r}"
    if isinstance(node, FragmentSpreadNode):
        return f"the spread of {node.name.value!r}"
    if isinstance(node, FragmentDefinitionNode):
        return f"the fragment {node.name.value!r}"
    if isinstance(node, OperationDefinitionNode):
        return f"the operation {node.name.value!r}" if node.name else "the operation"
    if isinstance(node, VariableDefinitionNode):
        return f"the variable ${node.variable.name.value}"
    if isinstance(node, InlineFragmentNode):
        return "an inline fragment"
    return "one location"


def directive_limits_rule(limits: DirectiveLimits) -> type[ASTValidationRule]:
    """A validation rule reporting QUERY_TOO_COMPLEX when ``limits`` are exceeded."""

    class DirectiveLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.total = 0
            self.crowded: tuple[Node, int] | None = None

        def enter(self, node: Node, *_: Any) -> None:
            directives = getattr(node, "directives", None)
            if not directives:
                return
            self.total += len(directives)
            if self.crowded is None and len(directives) > limits.per_location:
                self.crowded = (node, len(directives))

        def leave_document(self, node: DocumentNode, *_: Any) -> None:
            if self.crowded is not None:
                where, count = self.crowded
                self.report_error(
                    GraphQLError(
                        f"{_where(where)} carries {count} directives; at most "
                        f"{limits.per_location} are allowed on one location",
                        where,
                        extensions={"code": QUERY_TOO_COMPLEX},
                    )
                )
            if self.total > limits.per_document:
                self.report_error(
                    GraphQLError(
                        f"the document uses {self.total} directives; at most "
                        f"{limits.per_document} are allowed",
                        extensions={"code": QUERY_TOO_COMPLEX},
                    )
                )

    return DirectiveLimitsRule


@lru_cache(maxsize=8)
def _rule(limits: DirectiveLimits) -> type[ASTValidationRule]:
    return directive_limits_rule(limits)


#: Document texts whose outcome is kept (as many as parses are kept; the longest kept
#: is ``KEPT_LENGTH``, as for the fast path's validations: kb/api/fast_path.py).
KEPT_OUTCOMES = KEPT_DOCUMENTS
#: (limits, document text) -> the rule's errors (empty: within the limits).
_KEPT: LRUCache[tuple[DirectiveLimits, str], list[GraphQLError]] = LRUCache(KEPT_OUTCOMES)


class DirectiveGate(SchemaExtension):
    """Run the directive limits before validation; when they fail, the request is
    answered with their errors only (the other rules would add one error per directive).

    The outcome is kept per limits and document text (a bounded LRU, shared by every
    request's gate): the same text parses to the same document, whose directives count
    the same whatever the schema (the rule reads the document alone).
    """

    def __init__(self, limits: DirectiveLimits | None = None) -> None:
        self.limits = limits or DirectiveLimits()
        self.rule = _rule(self.limits)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            errors = self._errors(context.schema._schema, document, context.query)
            if errors:
                # Strawberry skips its own validation when an extension set errors.
                context.pre_execution_errors = errors
        yield

    def _errors(self, schema: Any, document: DocumentNode, query: str | None) -> list[GraphQLError]:
        if query is None or len(query) > KEPT_LENGTH:
            return validate(schema, document, [self.rule])
        key = (self.limits, query)
        errors = _KEPT.get(key)  # a hit becomes the most recently used
        if errors is None:
            errors = validate(schema, document, [self.rule])
            _KEPT[key] = errors
        return list(errors)
