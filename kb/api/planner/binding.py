"""Planning an operation and binding its variables: statements plus a shaping function.

:func:`plan` reads the operation (:mod:`kb.api.planner.reading`) into one statement per
root field (:mod:`kb.graph.projection`) and the compiled function that shapes their
results; :func:`bound_for` keeps bound plans in a bounded LRU (:class:`BoundCache`);
:func:`run_bound` runs one.

Example:
    >>> bound = plan(schema, document, None, {"n": 2}, context)
    >>> bound.statements[0].text.startswith("MATCH (n:State)")
    True
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, OperationType
from graphql.execution import Executor
from graphql.execution.collect_fields import collect_fields

from kb.api.planner.reading import Reader, Unplannable, named_type
from kb.api.planner.shaping import compile_shape
from kb.graph.db import Graph
from kb.graph.projection import Statement, root_node, root_page

log = logging.getLogger(__name__)

#: The root lists the planner knows: field name -> label.
LIST_ROOTS = {
    "states": "State",
    "alliances": "Alliance",
    "contracts": "Contract",
    "categories": "Category",
    "practices": "Practice",
    "lessons": "Lesson",
}
#: The lookups by natural key: field name -> (label, argument, upper-cased).
KEY_ROOTS = {
    "state": ("State", "code", True),
    "alliance": ("Alliance", "slug", False),
    "contract": ("Contract", "slug", False),
    "category": ("Category", "code", False),
    "practice": ("Practice", "slug", False),
    "lesson": ("Lesson", "id", False),
}


@dataclass(frozen=True)
class Bound:
    """A planned operation with its variables bound: the statements (one per root
    field that reads), and how their results become the response's ``data``."""

    statements: tuple[Statement, ...]
    shape: Callable[[list[Any]], dict[str, Any]]


def plan(
    schema: Any,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Any,
) -> Bound | None:
    """The bound plan of the operation, or None when plain execution must answer it."""
    built = Executor.build(schema._schema, document, None, context, variables, operation_name)
    if isinstance(built, list):
        return None  # bad variables, no such operation: plain execution says so
    if built.operation.operation is not OperationType.QUERY:
        return None
    try:
        return _plan(schema, built)
    except Unplannable as reason:
        log.debug("not planned: %s", reason)
        return None


def _plan(schema: Any, ec: Any) -> Bound:
    reader = Reader(schema, ec)
    root = schema._schema.query_type
    collected = collect_fields(schema._schema, ec.fragments, ec.variable_values, root, ec.operation)
    if collected.new_defer_usages:
        raise Unplannable("@defer")
    statements: list[Statement] = []
    entries: list[str] = []
    for key, details in collected.grouped_field_set.items():
        name = details[0].node.name.value
        if name == "__typename":
            entries.append(f"{key!r}: {root.name!r}")
            continue
        field = root.fields.get(name)
        at = len(statements)
        if name in LIST_ROOTS and field is not None:
            args = reader.arguments(field, details)
            page, function = reader.connection(named_type(field.type), details, None, args)
            statement = root_page(LIST_ROOTS[name], page)
            entries.append(f"{key!r}: {function}(R[{at}][0], O)")
        elif name in KEY_ROOTS and field is not None:
            label, argument, upper = KEY_ROOTS[name]
            args = reader.arguments(field, details)
            value = str(args[argument])
            row, expr = reader.node(named_type(field.type), details)
            statement = root_node(label, value.upper() if upper else value, row)
            function = reader.source.nullable(expr)
            entries.append(f"{key!r}: {function}(R[{at}][0], O) if R[{at}] else None")
        else:
            raise Unplannable(f"root field {name}")
        if statement is None:
            raise Unplannable(f"root field {name}: a part the graph layer does not plan")
        statements.append(statement)
    source = "".join(reader.source.functions)
    source += f"def shape(R, O):\n    return {{{', '.join(entries)}}}\n"
    shape = compile_shape(source)
    offsets = tuple(reader.offsets)
    return Bound(tuple(statements), lambda results: shape(results, offsets))


def run_bound(graph: Graph, bound: Bound) -> dict[str, Any]:
    """Run a bound plan's statements (one per root field) and shape the response."""
    # identifiers checked, values parameters; one column of plain values (no nodes)
    results = [graph.read_column(s.text, **s.params) for s in bound.statements]
    return bound.shape(results)


class BoundCache:
    """A least-recently-used map of bound plans, bounded in entries and in key size.

    Keyed by a digest of the document text, the operation name and the variables (as
    canonical JSON), so that a kept entry costs 32 bytes of key whatever the size of
    the document; requests whose variables' JSON is longer than ``max_variables``
    characters are planned each time and not kept (their bound values would be kept
    with the plan, and such requests rarely repeat). ``None`` (not plannable) is kept
    too, so an unplannable document is read once.

    Example:
        >>> cache = BoundCache(size=2)
        >>> cache.key("{ states { nodes { code } } }", None, {"n": 1}) is not None
        True
    """

    def __init__(self, size: int = 256, max_variables: int = 4096) -> None:
        if size < 1:
            raise ValueError(f"a bound-plan cache needs room for one plan at least, not {size}")
        self.size = size
        self.max_variables = max_variables
        self._entries: LRUCache[bytes, Bound | None] = LRUCache(size)

    def __len__(self) -> int:
        return len(self._entries)

    def key(
        self, query: str, operation_name: str | None, variables: dict[str, Any] | None
    ) -> bytes | None:
        """The entry's key, or None when the request is not to be kept."""
        try:
            text = json.dumps(variables, sort_keys=True, default=str)
        except (TypeError, ValueError):
            return None
        if len(text) > self.max_variables:
            return None
        digest = hashlib.blake2b(digest_size=32)
        for part in (query, "\0", operation_name or "", "\0", text):
            digest.update(part.encode("utf-8", "surrogatepass"))
        return digest.digest()

    def get(self, key: bytes) -> tuple[bool, Bound | None]:
        """``(found, bound)``; a hit becomes the most recently used entry."""
        if key not in self._entries:
            return False, None
        return True, self._entries[key]

    def put(self, key: bytes, bound: Bound | None) -> None:
        self._entries[key] = bound


#: Bound plans of this process: clients repeat requests.
BOUND = BoundCache()


def bound_for(
    schema: Any,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Any,
) -> Bound | None:
    """The bound plan of the operation (kept in :data:`BOUND`), or None when plain
    execution must answer it."""
    key = BOUND.key(query, operation_name, variables)
    if key is not None:
        found, bound = BOUND.get(key)
        if found:
            return bound
    bound = plan(schema, document, operation_name, variables, context)
    if key is not None:
        BOUND.put(key, bound)
    return bound
