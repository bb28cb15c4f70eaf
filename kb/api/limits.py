"""Limits on the shape of a request: depth, aliases and cost, checked before execution.

The operation is walked with its fragments expanded (a fragment is followed wherever it
is spread, whatever its name, ``__schema`` included), so fragments cannot hide depth,
aliases or cost. Cost counts the objects a query may produce plus the price of fields
that do real work on every call (:mod:`kb.api.costs`): a field with a selection
produces one object per parent, or, for a list, one per item: the page size asked for
with ``first`` (a variable counts as the largest page; a page's ``nodes``/``edges``/
``hits`` take the ``first`` of the field that returned the page), or the size
:func:`kb.api.costs.list_size` assumes for a list without ``first``. Token counting is
done by the parser (see :mod:`kb.api.schema`).

Introspection (``__schema``, ``__type``) has its own depth budget: the fields under it
count against ``max_introspection_depth``, not ``max_depth``, so that the standard
introspection query (which GraphiQL and client generators send: 14 levels under
``__schema``, nine of them ``ofType``) works, while a hand-made ``ofType { ofType { ... } }``
tower past it (and a margin of two) is refused.

Example:
    >>> rule = limits_rule(Limits(max_depth=5))
    >>> graphql.validate(schema, document, [rule])
    >>> measure_operation(schema, document).cost
    121
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef
from graphql.validation import ASTValidationRule

from kb.api.costs import call_cost, list_size
from kb.api.errors import QUERY_TOO_COMPLEX
from kb.api.pagination import DEFAULT_PAGE, MAX_PAGE

_META = {
    "__schema": SchemaMetaFieldDef,
    "__type": TypeMetaFieldDef,
    "__typename": TypeNameMetaFieldDef,
}


@dataclass(frozen=True)
class Limits:
    """The limits every request is held to."""

    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_cost: int = 10_000
    #: Levels under ``__schema`` / ``__type``; the standard query needs 14 (see above).
    max_introspection_depth: int = 16
    #: Fields visited while expanding fragments, past which we stop counting.
    max_visits: int = 20_000


@dataclass
class Measure:
    """Depth, aliases and cost of one operation, fragments expanded."""

    limits: Limits
    fragments: dict[str, FragmentDefinitionNode]
    schema: Any
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    visits: int = 0
    introspection_depth: int = 0
    stack: list[str] = field(default_factory=list)
    #: Fields priced per call (``Type.field``): [calls, cost charged for them].
    calls: dict[str, list[int]] = field(default_factory=dict)
    #: The depth of the introspection field being walked (None outside introspection).
    introspection_base: int | None = None

    def exceeded(self) -> bool:
        lim = self.limits
        return (
            self.depth > lim.max_depth
            or self.introspection_depth > lim.max_introspection_depth
            or self.aliases > lim.max_aliases
            or self.cost > lim.max_cost
            or self.visits > lim.max_visits
        )

    def walk(
        self,
        selections: SelectionSetNode,
        parent: GraphQLNamedType | None,
        depth: int,
        multiplier: int,
        page: int | None = None,
    ) -> None:
        for selection in selections.selections:
            if self.exceeded():
                return
            self.visits += 1
            if isinstance(selection, FieldNode):
                self._field(selection, parent, depth, multiplier, page)
            elif isinstance(selection, InlineFragmentNode):
                self.walk(
                    selection.selection_set,
                    self._type(selection.type_condition, parent),
                    depth,
                    multiplier,
                    page,
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self.stack:
                    continue  # unknown or cyclic: graphql-core's own rules report it
                self.stack.append(name)
                self.walk(
                    fragment.selection_set,
                    self._type(fragment.type_condition, parent),
                    depth,
                    multiplier,
                    page,
                )
                self.stack.pop()

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        depth: int,
        multiplier: int,
        page: int | None,
    ) -> None:
        depth += 1
        if self.introspection_base is None:
            self.depth = max(self.depth, depth)
        else:
            self.introspection_depth = max(
                self.introspection_depth, depth - self.introspection_base
            )
        if node.alias is not None:
            self.aliases += 1
        definition = self._definition(node.name.value, parent)
        entering = self.introspection_base is None and node.name.value in ("__schema", "__type")
        if entering or self.introspection_base is not None:
            # Introspection reads the schema in memory, not the graph: it is bounded by
            # its own depth budget and the visit limit, and costs nothing.
            objects, child_page = multiplier, None
        else:
            objects, child_page = self._charge(node, parent, definition, multiplier, page)
        if node.selection_set is None:
            return
        child = get_named_type(definition.type) if definition is not None else None
        if entering:
            self.introspection_base = depth
        self.walk(node.selection_set, child, depth, objects, child_page)
        if entering:
            self.introspection_base = None

    # -- cost (the price list is kb.api.costs) ---------------------------------
    def _charge(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        definition: Any,
        multiplier: int,
        page: int | None,
    ) -> tuple[int, int | None]:
        """Charge the field running ``multiplier`` times: its calls' price and the
        objects it produces. Returns those objects (the multiplier of its children)
        and, when it returns a page, the page size for the page's lists."""
        if definition is None:  # unknown field: graphql-core's own rules report it
            return multiplier, None
        owner, name = getattr(parent, "name", ""), node.name.value
        size = self._page_size(node, definition) if "first" in definition.args else None
        price = call_cost(owner, name, size)
        if price:
            self.cost += multiplier * price
            charged = self.calls.setdefault(f"{owner}.{name}", [0, 0])
            charged[0] += multiplier
            charged[1] += multiplier * price
        if node.selection_set is None:
            return multiplier, None
        result = get_named_type(definition.type)
        if size is not None and _is_page(result):
            self.cost += multiplier  # the page object; its lists take ``size``
            return multiplier, size
        objects = multiplier
        if size is not None:
            objects = multiplier * size
        elif is_list_type(get_nullable_type(definition.type)):
            objects = multiplier * (page if page is not None else list_size(owner, name))
        self.cost += objects
        return objects, None

    @property
    def expensive(self) -> int:
        """The part of the cost charged for fields priced per call."""
        return sum(charged for _, charged in self.calls.values())

    def _definition(self, name: str, parent: GraphQLNamedType | None) -> Any:
        if name in _META:
            return _META[name]
        fields = getattr(parent, "fields", None)
        return fields.get(name) if fields else None

    def _type(self, condition: Any, parent: GraphQLNamedType | None) -> GraphQLNamedType | None:
        if condition is None:
            return parent
        found = self.schema.get_type(condition.name.value)
        return found if isinstance(found, GraphQLNamedType) else None

    @staticmethod
    def _page_size(node: FieldNode, definition: Any) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                if isinstance(argument.value, IntValueNode):
                    digits = argument.value.value
                    # int() refuses over 4,300 digits; anything past 9 is out of range anyway
                    return MAX_PAGE if len(digits) > 9 else max(0, int(digits))
                return MAX_PAGE  # a variable (or a wrong literal) counts as the largest page
        default = definition.args["first"].default_value
        return default if isinstance(default, int) else DEFAULT_PAGE


def _is_page(named: Any) -> bool:
    """A page of results (a connection, search results): its lists are the page."""
    return isinstance(named, GraphQLObjectType) and "pageInfo" in named.fields


def measure_operation(
    schema: Any,
    document: DocumentNode,
    operation_name: str | None = None,
    limits: Limits | None = None,
) -> Measure:
    """Depth, aliases and cost of the operation ``operation_name`` of ``document``."""
    measure = Measure(limits or Limits(), _fragments(document), schema)
    operation = get_operation_ast(document, operation_name)
    if operation is not None:
        root = schema.get_root_type(operation.operation)
        measure.walk(operation.selection_set, root, 0, 1)
    return measure


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def limits_rule(limits: Limits) -> type[ASTValidationRule]:
    """A validation rule that reports QUERY_TOO_COMPLEX when ``limits`` are exceeded."""

    class LimitsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            root: GraphQLObjectType | None = schema.get_root_type(node.operation)
            measure = Measure(limits, fragments, schema)
            measure.walk(node.selection_set, root, 0, 1)
            for problem in _problems(measure, limits):
                self.report_error(
                    GraphQLError(problem, node, extensions={"code": QUERY_TOO_COMPLEX})
                )

    return LimitsRule


def _problems(measure: Measure, limits: Limits) -> list[str]:
    problems = []
    if measure.depth > limits.max_depth:
        problems.append(
            f"the query is nested {measure.depth} levels deep; "
            f"at most {limits.max_depth} are allowed"
        )
    if measure.introspection_depth > limits.max_introspection_depth:
        problems.append(
            f"the introspection is nested {measure.introspection_depth} levels deep under "
            f"__schema or __type; at most {limits.max_introspection_depth} are allowed"
        )
    if measure.aliases > limits.max_aliases:
        problems.append(
            f"the query uses {measure.aliases} aliases; at most {limits.max_aliases} are allowed"
        )
    if measure.cost > limits.max_cost:
        problems.append(cost_problem(measure, limits))
    if measure.visits > limits.max_visits:
        problems.append("the query expands to too many fields (fragments spread too often)")
    return problems


def cost_problem(measure: Measure, limits: Limits) -> str:
    """What the cost limit reports: the cost, the limit, and what the cost is made of."""
    parts = [f"it may produce {measure.cost - measure.expensive:,} objects"]
    for name, (calls, charged) in sorted(measure.calls.items(), key=lambda kv: -kv[1][1]):
        parts.append(f"{name} runs {calls:,} times for {charged:,}")
    return (
        f"the query costs {measure.cost:,} ({'; '.join(parts)}); at most "
        f"{limits.max_cost:,} is allowed (ask for smaller pages with first:, or for "
        "expensive fields on fewer items)"
    )
