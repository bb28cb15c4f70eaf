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

Example:
    >>> bound = plan(schema, document, None, {"n": 2}, context)
    >>> bound.statements[0].text.startswith("MATCH (n:State)")
    True
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, cast

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    OperationType,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution import Executor
from graphql.execution.collect_fields import (
    FieldDetailsList,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import get_argument_values
from strawberry.extensions import SchemaExtension
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from kb.api.errors import ApiError
from kb.api.ids import encode_id
from kb.api.nodes import camel_case
from kb.api.pagination import encode_cursor, page_request
from kb.api.relationship_fields import relationship_of
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.graph.projection import (
    Column,
    EdgeColumn,
    One,
    Page,
    Row,
    Statement,
    root_node,
    root_page,
)
from kb.graph.records import PageRequest

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

_DEFINITION = "strawberry-definition"


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


class _Unplannable(Exception):
    """Something in the document the planner does not answer exactly."""


@dataclass(frozen=True)
class Bound:
    """A planned operation with its variables bound: the statements (one per root
    field that reads), and how their results become the response's ``data``."""

    statements: tuple[Statement, ...]
    shape: Callable[[list[Any]], dict[str, Any]]


# --- Reading the operation ------------------------------------------------------------


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


class _Reader:
    """Reads one operation into row plans and the source of the function that shapes
    their results (see :class:`_Source`)."""

    def __init__(self, schema: Any, ec: Any) -> None:
        self.schema = schema
        self.gql = schema._schema
        self.ec = ec
        self.source = _Source()
        self.offsets: list[int] = []

    def sub(self, type_: GraphQLObjectType, details: FieldDetailsList) -> dict[str, Any]:
        collected = collect_subfields(
            self.gql, self.ec.fragments, self.ec.variable_values, self.ec.operation,
            type_, details,
        )  # fmt: skip
        if collected.new_defer_usages:
            raise _Unplannable("@defer")
        return collected.grouped_field_set

    def arguments(self, field: Any, details: FieldDetailsList) -> dict[str, Any]:
        first = details[0]
        raw = get_argument_values(
            field, first.node, self.ec.variable_values, first.fragment_variable_values
        )
        definition: StrawberryField = field.extensions[_DEFINITION]
        return convert_arguments(
            raw, definition.arguments, self.schema.schema_converter.scalar_registry,
            self.schema.config,
        )  # fmt: skip

    def request(self, args: dict[str, Any]) -> PageRequest:
        where = args.get("where")
        try:
            return page_request(
                args.get("first"), args.get("after"),
                where.to_graph() if where is not None else None,
                args.get("order_by"), args.get("as_of"),
            )  # fmt: skip
        except Exception as error:  # plain execution reports it, with its path
            raise _Unplannable(str(error)) from None

    # An object of one of the node types: a Row, and the dict expression over ``v``.
    def node(self, type_: GraphQLObjectType, details: FieldDetailsList) -> tuple[Row, str]:
        label = type_.name
        columns: list[Column | One | Page] = []
        entries: list[str] = []
        for key, field_details in self.sub(type_, details).items():
            name = field_details[0].node.name.value
            if name == "__typename":
                entries.append(f"{key!r}: {label!r}")
                continue
            if name in ("id", "key"):
                at = len(columns)
                columns.append(Column("id"))
                value = f"_id({label!r}, v[{at}])" if name == "id" else f"v[{at}]"
                entries.append(f"{key!r}: {value}")
                continue
            field = type_.fields.get(name)
            if field is None or _DEFINITION not in (field.extensions or {}):
                raise _Unplannable(f"{label}.{name}")
            definition: StrawberryField = field.extensions[_DEFINITION]
            at = len(columns)
            rel = relationship_of(definition)
            if rel is not None:
                target = _named(field.type)
                if not rel.many:
                    row, expr = self.node(target, field_details)
                    columns.append(One(rel, row))
                    entries.append(f"{key!r}: {self.source.nullable(expr)}(v[{at}])")
                    continue
                args = self.arguments(field, field_details)
                page, function = self.connection(target, field_details, rel, args)
                columns.append(page)
                entries.append(f"{key!r}: {function}(v[{at}], O)")
                continue
            if definition.base_resolver is not None:
                raise _Unplannable(f"{label}.{name} has a resolver")
            column, convert = _column(definition, field.type)
            columns.append(column)
            entries.append(f"{key!r}: {convert}(v[{at}])" if convert else f"{key!r}: v[{at}]")
        return Row(tuple(columns)), "{" + ", ".join(entries) + "}"

    def connection(
        self, type_: GraphQLObjectType, details: FieldDetailsList, rel: Any, args: dict[str, Any]
    ) -> tuple[Page, str]:
        """A connection (``rel`` None: a root list): its Page and the name of the
        function that turns ``[total, items]`` into the connection's dict."""
        request = self.request(args)
        slot = len(self.offsets)
        self.offsets.append(request.offset)
        parts: list[Row | EdgeColumn] = []
        entries: list[str] = []
        counted = False

        def part(value: Row | EdgeColumn) -> int:
            parts.append(value)
            return len(parts) - 1

        for key, field_details in self.sub(type_, details).items():
            name = field_details[0].node.name.value
            field_type: Any = _named(type_.fields[name].type) if name in type_.fields else None
            if name == "__typename":
                entries.append(f"{key!r}: {type_.name!r}")
            elif name == "totalCount":
                counted = True
                entries.append(f"{key!r}: total")
            elif name == "nodes":
                row, expr = self.node(field_type, field_details)
                fn = self.source.function(expr)
                entries.append(f"{key!r}: [{fn}(i[{part(row)}], O) for i in items]")
            elif name == "pageInfo":
                info = []
                for k, d in self.sub(field_type, field_details).items():
                    info_name = d[0].node.name.value
                    counted = counted or info_name == "hasNextPage"
                    info.append(f"{k!r}: {_PAGE_INFO[info_name]}")
                entries.append(f"{key!r}: {{{', '.join(info)}}}")
            elif name == "edges":
                edge = []
                for k, d in self.sub(field_type, field_details).items():
                    edge_name = d[0].node.name.value
                    if edge_name == "__typename":
                        edge.append(f"{k!r}: {field_type.name!r}")
                    elif edge_name == "cursor":
                        edge.append(f"{k!r}: _cur(off + q)")
                    elif edge_name == "node":
                        node_type = _named(field_type.fields["node"].type)
                        row, expr = self.node(node_type, d)
                        fn = self.source.function(expr)
                        edge.append(f"{k!r}: {fn}(i[{part(row)}], O)")
                    elif edge_name in ("since", "until"):
                        edge.append(f"{k!r}: i[{part(EdgeColumn(edge_name))}]")
                    else:
                        raise _Unplannable(f"{field_type.name}.{edge_name}")
                entries.append(f"{key!r}: [{{{', '.join(edge)}}} for q, i in enumerate(items)]")
            else:
                raise _Unplannable(f"{type_.name}.{name}")
        body = "{" + ", ".join(entries) + "}"
        function = self.source.connection(body, slot)
        return Page(rel, request, tuple(parts), counted), function


_PAGE_INFO = {
    "hasNextPage": "off + len(items) < total",
    "hasPreviousPage": "off > 0",
    "startCursor": "_cur(off) if items else None",
    "endCursor": "_cur(off + len(items) - 1) if items else None",
    "__typename": "'PageInfo'",
}


def _column(definition: StrawberryField, type_: Any) -> tuple[Column, str | None]:
    """The column of a plain field of a node type, and the converter of its value
    (None: as Neo4j returns it)."""
    prop = camel_case(definition.python_name)
    named = _named(type_)
    if isinstance(named, GraphQLEnumType):
        enum = cast(Any, named.values)
        names = {}
        for gql_name, value in enum.items():
            stored = value.value.value if isinstance(value.value, Enum) else value.value
            names[str(stored)] = gql_name
        if all(k == v for k, v in names.items()):
            return Column(prop), None
        return Column(prop, "names", tuple(sorted(names.items()))), None
    if isinstance(named, GraphQLScalarType) and named.name == "Date":
        return Column(prop, "date"), None
    if isinstance(named, GraphQLScalarType) and named.name == "DateTime":
        return Column(prop), "_dt"
    if prop == "illustrative":
        return Column(prop, "flag"), None
    if prop == "tags":
        return Column(prop, "tags"), None
    if isinstance(named, GraphQLScalarType) and named.name in ("String", "Int", "Boolean"):
        return Column(prop), None
    raise _Unplannable(f"{definition.python_name}: a {named} field")


# --- The generated shaping function ---------------------------------------------------


class _Source:
    """The Python source of the function that shapes a planned operation's results:
    one function per object or connection of the plan, each one dict display, so that
    turning the rows into the response costs no call per field."""

    def __init__(self) -> None:
        self.functions: list[str] = []

    def function(self, expr: str) -> str:
        name = f"f{len(self.functions)}"
        self.functions.append(f"def {name}(v, O):\n    return {expr}\n")
        return name

    def nullable(self, expr: str) -> str:
        name = f"f{len(self.functions)}"
        self.functions.append(f"def {name}(v, O=None):\n    return None if v is None else {expr}\n")
        return name

    def connection(self, body: str, slot: int) -> str:
        name = f"f{len(self.functions)}"
        self.functions.append(
            f"def {name}(v, O):\n    total, items = v\n    off = O[{slot}]\n    return {body}\n"
        )
        return name


@lru_cache(maxsize=256)
def _cursor(offset: int) -> str:
    return encode_cursor(offset)


def _datetime(value: Any) -> Any:
    # As plain execution: kb.graph.records makes Python datetimes of Neo4j's.
    return None if value is None else value.to_native().isoformat()


_GLOBALS: dict[str, Any] = {
    "_id": encode_id,
    "_cur": _cursor,
    "_dt": _datetime,
    "__builtins__": {"len": len, "enumerate": enumerate},
}


@lru_cache(maxsize=256)
def _compile(source: str) -> Callable[..., dict[str, Any]]:
    """The shaping function of ``source`` (kept: a document's shape is compiled once)."""
    namespace: dict[str, Any] = dict(_GLOBALS)
    exec(compile(source, "<kb.api.planner>", "exec"), namespace)  # our own generated text
    return cast(Callable[..., dict[str, Any]], namespace["shape"])


# --- Planning an operation ------------------------------------------------------------


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
    except _Unplannable as reason:
        log.debug("not planned: %s", reason)
        return None


def _plan(schema: Any, ec: Any) -> Bound:
    reader = _Reader(schema, ec)
    root = schema._schema.query_type
    collected = collect_fields(schema._schema, ec.fragments, ec.variable_values, root, ec.operation)
    if collected.new_defer_usages:
        raise _Unplannable("@defer")
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
            page, function = reader.connection(_named(field.type), details, None, args)
            statement = root_page(LIST_ROOTS[name], page)
            entries.append(f"{key!r}: {function}(R[{at}][0], O)")
        elif name in KEY_ROOTS and field is not None:
            label, argument, upper = KEY_ROOTS[name]
            args = reader.arguments(field, details)
            value = str(args[argument])
            row, expr = reader.node(_named(field.type), details)
            statement = root_node(label, value.upper() if upper else value, row)
            function = reader.source.nullable(expr)
            entries.append(f"{key!r}: {function}(R[{at}][0], O) if R[{at}] else None")
        else:
            raise _Unplannable(f"root field {name}")
        if statement is None:
            raise _Unplannable(f"root field {name}: a part the graph layer does not plan")
        statements.append(statement)
    source = "".join(reader.source.functions)
    source += f"def shape(R, O):\n    return {{{', '.join(entries)}}}\n"
    shape = _compile(source)
    offsets = tuple(reader.offsets)
    return Bound(tuple(statements), lambda results: shape(results, offsets))


def run_bound(graph: Graph, bound: Bound) -> dict[str, Any]:
    """Run a bound plan's statements (one per root field) and shape the response."""
    # identifiers checked, values parameters; one column of plain values (no nodes)
    results = [graph.read_column(s.text, **s.params) for s in bound.statements]
    return bound.shape(results)


# --- The extension --------------------------------------------------------------------


#: Bound plans kept per (document, operation name, variables): clients repeat requests.
_BOUND: OrderedDict[tuple[str, str | None, str], Bound | None] = OrderedDict()
_BOUND_SIZE = 256


def bound_for(
    schema: Any,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Any,
) -> Bound | None:
    """The bound plan of the operation (kept per document text, operation name and
    variables), or None when plain execution must answer it."""
    try:
        text = json.dumps(variables, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = None
    key = (query, operation_name, text) if text is not None else None
    if key is not None and key in _BOUND:
        _BOUND.move_to_end(key)
        return _BOUND[key]
    bound = plan(schema, document, operation_name, variables, context)
    if key is not None:
        _BOUND[key] = bound
        if len(_BOUND) > _BOUND_SIZE:
            _BOUND.popitem(last=False)
    return bound


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
