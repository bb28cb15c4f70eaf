"""What a cached GraphQL response depends on: which changes of the graph can alter it.

A change entry names one node (label and key); a link change names at least the node
that holds the link (a node write records the holder, a link mutation both ends, a
delete the holders too). So a response that reads a relationship depends on the labels
of *both* ends, and a change of either drops it. The dependencies of a document are the
graph labels of every type its selection reaches (root type, relationship fields,
connections, fragments, search hits), computed once per document; a by-key read of one
node without relationship fields depends on that (label, key) only.

Conservative rules, correctness first:

- A type that is neither a node label nor plain structure (connections, edges, page
  info, search results) depends on every change (paths, stats, curricula,
  certifications): :attr:`Dependencies.everything`.
- ``search``, ``relatedItems`` and glossary terms read the search index, whose
  documents hold the text of linked states, alliances, categories and contracts: they
  depend on every node label.
- ``eligibleContracts`` goes through alliances (memberships, arms): it adds Alliance.

Example:
    >>> deps = dependencies(schema, "{ state(code: \\"ut\\") { name } }", None, None)
    >>> deps.keys
    frozenset({('State', 'UT')})
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
    parse,
)

from kb.domain.relationships import LABELS, STATE_ELIGIBLE_CONTRACTS

#: Node labels that have a GraphQL type of the same name (the model's, one list).
NODE_LABELS = frozenset(LABELS)

#: Root fields that read one node by natural key: the argument and how it is normalised.
BY_KEY: dict[str, tuple[str, Callable[[str], str]]] = {
    "state": ("code", str.upper),
    "alliance": ("slug", str),
    "contract": ("slug", str),
    "category": ("code", str),
    "practice": ("slug", str),
    "lesson": ("id", str),
}

#: Fields that read labels beyond those of their own type and their parent's.
EXTRA: dict[tuple[str, str], frozenset[str]] = {
    (STATE_ELIGIBLE_CONTRACTS.parent, STATE_ELIGIBLE_CONTRACTS.field): frozenset({"Alliance"}),
    ("Query", "search"): NODE_LABELS,
    ("Practice", "relatedItems"): NODE_LABELS,
    ("Lesson", "relatedItems"): NODE_LABELS,
    ("Query", "glossary"): NODE_LABELS,
    # The same contracts as eligibleContracts, worded from the alliances and lead state.
    ("State", "couldJoin"): frozenset({"Alliance", "Contract", "State"}),
    ("Contract", "vendors"): frozenset({"Vendor"}),
    # Vendors are listed through their awards' contracts, alliances and categories.
    ("Query", "vendors"): frozenset({"Vendor", "Contract", "Alliance", "Category"}),
    ("Query", "vendor"): frozenset({"Vendor"}),
    ("Vendor", "contracts"): frozenset({"Vendor", "Contract"}),
}

#: Root fields whose answers are never cached: what they read changes without a change
#: entry (webhooks and their deliveries, written by the delivery worker).
UNCACHED_ROOTS = frozenset({"webhooks", "webhook"})

#: Types of no label that only carry what their fields reach.
_STRUCTURE = frozenset(
    {"PageInfo", "Change", "SearchResults", "SearchHit", "SearchFacets", "SearchHighlight"}
    | {"FacetValue", "RelatedItemResult", "Term", "JoinOption", "JoinStep", "Award", "Vendor"}
    | {"FieldChange", "VendorAward"}
)


@dataclass(frozen=True)
class Dependencies:
    """Labels whose changes drop the entry, (label, key) pairs likewise, or everything."""

    labels: frozenset[str] = frozenset()
    keys: frozenset[tuple[str, str]] = frozenset()
    everything: bool = False
    #: False: the response must not be kept at all (see :data:`UNCACHED_ROOTS`).
    cacheable: bool = True

    def affected_by(self, labels: set[str], keys: set[tuple[str, str]]) -> bool:
        """True when a change of these labels or nodes can alter the response."""
        return (
            self.everything or bool(self.labels & labels) or any(key in keys for key in self.keys)
        )

    @property
    def all_labels(self) -> frozenset[str]:
        return self.labels | {label for label, _ in self.keys}


EVERYTHING = Dependencies(everything=True)
UNCACHEABLE = Dependencies(everything=True, cacheable=False)


@dataclass(frozen=True)
class _Plan:
    labels: frozenset[str]
    everything: bool
    #: Root fields read by key: (label, argument literal or None, variable name or None).
    by_key: tuple[tuple[str, str | None, str | None], ...]
    cacheable: bool = True


def dependencies(
    schema: GraphQLSchema, query: str, name: str | None, variables: dict[str, Any] | None
) -> Dependencies:
    """The dependencies of a (valid) query document run with ``variables``."""
    plan = _plan(schema, query, name)
    if not plan.cacheable:
        return UNCACHEABLE
    if plan.everything:
        return EVERYTHING
    keys = set()
    for label, literal, variable in plan.by_key:
        value = literal if variable is None else (variables or {}).get(variable)
        if not isinstance(value, str):
            return Dependencies(labels=plan.labels | {label})
        keys.add((label, BY_KEY[label.lower()][1](value)))
    return Dependencies(labels=plan.labels, keys=frozenset(keys))


@lru_cache(maxsize=1024)
def _plan(schema: GraphQLSchema, query: str, name: str | None) -> _Plan:
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (o for o in operations if name is None or (o.name and o.name.value == name)), None
    )
    root = schema.query_type
    if operation is None or root is None:
        return _Plan(frozenset(), True, ())
    walk = _Walk(schema, fragments)
    by_key = []
    for field in walk.fields(root, operation.selection_set):
        if field.name.value in UNCACHED_ROOTS:
            return _Plan(frozenset(), True, (), cacheable=False)
        key = _by_key(walk, root, field)
        if key is not None:
            by_key.append(key)
        else:
            walk.field(root, field)
    return _Plan(frozenset(walk.labels), walk.everything, tuple(by_key))


def _by_key(walk: _Walk, root: GraphQLObjectType, field: FieldNode) -> Any:
    """(label, literal, variable) when ``field`` reads one node by key and selects
    nothing but its own scalars and history; None otherwise."""
    if field.name.value not in BY_KEY or field.selection_set is None:
        return None
    argument, _ = BY_KEY[field.name.value]
    label = field.name.value.capitalize()
    node_type = walk.schema.get_type(label)
    if not isinstance(node_type, GraphQLObjectType):
        return None
    for child in walk.fields(node_type, field.selection_set):
        if child.name.value == "__typename":
            continue
        definition = node_type.fields.get(child.name.value)
        if definition is None:
            return None
        named = get_named_type(definition.type)
        if not (is_leaf_type(named) or named.name == "Change"):
            return None
    for arg in field.arguments or ():
        if arg.name.value == argument:
            if isinstance(arg.value, StringValueNode):
                return (label, arg.value.value, None)
            if isinstance(arg.value, VariableNode):
                return (label, None, arg.value.name.value)
    return None


class _Walk:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self.labels: set[str] = set()
        self.everything = False
        self._shallow: set[str] = set()

    def fields(
        self,
        parent: GraphQLNamedType,
        selections: SelectionSetNode,
        seen: frozenset[str] = frozenset(),
    ) -> list[FieldNode]:
        """The fields selected on ``parent``, fragments flattened (directives ignored:
        a skipped field only adds dependencies)."""
        found: list[FieldNode] = []
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                self._condition(condition.name.value if condition else None)
                found += self.fields(parent, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    self._condition(fragment.type_condition.name.value)
                    found += self.fields(parent, fragment.selection_set, seen | {name})
        return found

    def _condition(self, type_name: str | None) -> None:
        if type_name is not None:
            self.reach(self.schema.get_type(type_name))

    def field(self, parent: GraphQLNamedType, node: FieldNode) -> None:
        if node.name.value.startswith("__"):
            if node.name.value != "__typename":
                self.everything = True  # introspection: cheap to recompute, never worth it
            return
        extra = EXTRA.get((parent.name, node.name.value))
        if extra:
            self.labels |= extra
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(node.name.value)
        if definition is None:
            return  # selected on another type of an interface (documents are validated)
        named = get_named_type(definition.type)
        self.reach(named)
        if node.selection_set is not None:
            for possible in self._possible(named):
                for child in self.fields(possible, node.selection_set):
                    self.field(possible, child)

    def _possible(self, named: GraphQLNamedType) -> list[GraphQLNamedType]:
        if isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
            return list(self.schema.get_possible_types(named))
        return [named]

    def reach(self, named: GraphQLNamedType | None) -> None:
        """Add what a reached type depends on, even with none of its fields selected (a
        connection's totalCount counts nodes of its label)."""
        if named is None or is_leaf_type(named) or named.name in self._shallow:
            return
        self._shallow.add(named.name)
        if named.name in NODE_LABELS:
            self.labels.add(named.name)
        elif isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
            for possible in self.schema.get_possible_types(named):
                self.reach(possible)
        elif _structural(named.name) and isinstance(named, GraphQLObjectType):
            for definition in named.fields.values():
                self.reach(get_named_type(definition.type))
        elif named.name not in ("Query",):
            self.everything = True


def _structural(name: str) -> bool:
    return name in _STRUCTURE or name.endswith(("Connection", "Edge"))
