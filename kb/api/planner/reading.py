"""Reading an executed GraphQL operation into the row plans of :mod:`kb.graph.projection`.

:class:`Reader` walks the operation as graphql-core collects it (fields, aliases,
fragments, ``@include``/``@skip``, arguments from literals or variables, coerced as plain
execution coerces them) and, for each object or connection, writes one expression of the
function that shapes the rows (:mod:`kb.api.planner.shaping`). What it does not know
exactly raises :class:`Unplannable`, and the whole document goes to plain execution.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, cast

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import FieldDetailsList, collect_subfields
from graphql.execution.values import get_argument_values
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from kb.api.nodes import camel_case
from kb.api.pagination import page_request
from kb.api.planner.shaping import ShapeSource
from kb.api.relationship_fields import relationship_of
from kb.graph.projection import Column, EdgeColumn, One, Page, Row, single
from kb.graph.records import PageRequest

_DEFINITION = "strawberry-definition"


class Unplannable(Exception):
    """Something in the document the planner does not answer exactly."""


def named_type(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


class Reader:
    """Reads one operation into row plans and the source of the function that shapes
    their results (see :class:`ShapeSource`)."""

    def __init__(self, schema: Any, ec: Any) -> None:
        self.schema = schema
        self.gql = schema._schema
        self.ec = ec
        self.source = ShapeSource()
        self.offsets: list[int] = []

    def sub(self, type_: GraphQLObjectType, details: FieldDetailsList) -> dict[str, Any]:
        collected = collect_subfields(
            self.gql, self.ec.fragments, self.ec.variable_values, self.ec.operation,
            type_, details,
        )  # fmt: skip
        if collected.new_defer_usages:
            raise Unplannable("@defer")
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
            raise Unplannable(str(error)) from None

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
                raise Unplannable(f"{label}.{name}")
            definition: StrawberryField = field.extensions[_DEFINITION]
            at = len(columns)
            rel = relationship_of(definition)
            if rel is not None:
                target = named_type(field.type)
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
                raise Unplannable(f"{label}.{name} has a resolver")
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

        def part(value: Row | EdgeColumn) -> str:
            """Where an item's value of this part is: a marker, replaced below once the
            parts are known (the item itself when it is the only part)."""
            parts.append(value)
            return f"@{len(parts) - 1}@"

        for key, field_details in self.sub(type_, details).items():
            name = field_details[0].node.name.value
            field_type: Any = named_type(type_.fields[name].type) if name in type_.fields else None
            if name == "__typename":
                entries.append(f"{key!r}: {type_.name!r}")
            elif name == "totalCount":
                counted = True
                entries.append(f"{key!r}: total")
            elif name == "nodes":
                row, expr = self.node(field_type, field_details)
                fn = self.source.function(expr)
                entries.append(f"{key!r}: [{fn}({part(row)}, O) for i in items]")
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
                        node_type = named_type(field_type.fields["node"].type)
                        row, expr = self.node(node_type, d)
                        fn = self.source.function(expr)
                        edge.append(f"{k!r}: {fn}({part(row)}, O)")
                    elif edge_name in ("since", "until"):
                        edge.append(f"{k!r}: {part(EdgeColumn(edge_name))}")
                    else:
                        raise Unplannable(f"{field_type.name}.{edge_name}")
                entries.append(f"{key!r}: [{{{', '.join(edge)}}} for q, i in enumerate(items)]")
            else:
                raise Unplannable(f"{type_.name}.{name}")
        body = "{" + ", ".join(entries) + "}"
        kept = tuple(parts)
        for at in range(len(kept)):  # markers never clash: keys are GraphQL names
            body = body.replace(f"@{at}@", "i" if single(kept) else f"i[{at}]")
        function = self.source.connection(body, slot, counted)
        return Page(rel, request, kept, counted), function


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
    named = named_type(type_)
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
    raise Unplannable(f"{definition.python_name}: a {named} field")
