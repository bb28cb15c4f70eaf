# strawberry.field(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""Vendors at the root of the API: ``vendor(slug:)``, ``vendors(first:, after:, where:)``
and each vendor's master agreements (``Vendor.contracts``), loaded for all the vendors of
a request in one statement (a DataLoader beside the request's loaders).

Example:
    >>> # { vendors(where: {alliance: "naspo-valuepoint"}) { totalCount nodes { name
    >>> #     contracts { number contract { slug title } } } } }
"""

from __future__ import annotations

from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

import strawberry
from strawberry.dataloader import DataLoader

from kb.api.awards import Vendor, vendor_from
from kb.api.context import Context
from kb.api.errors import BadInputError
from kb.api.loaders import Loaders
from kb.api.nodes import node_as
from kb.api.pagination import DEFAULT_PAGE, MAX_PAGE, Connection, connection, decode_cursor
from kb.api.types import Contract
from kb.graph.export import day_of
from kb.graph.records import Item
from kb.graph.vendors import VendorFilter, vendor, vendor_awards, vendor_page

Info = strawberry.Info[Context, None]

#: The longest name filter accepted (a vendor name, not a document).
MAX_NAME = 200


@strawberry.type(description="A master agreement of a vendor: the contract, number and term.")
class VendorAward:
    contract: Contract
    number: str | None
    starts_on: date | None
    ends_on: date | None
    source: str | None = strawberry.field(description="The award's source, if it has its own.")


@strawberry.input(description="Which vendors to list; the filters combine with AND.")
class VendorWhere:
    name: str | None = strawberry.field(default=None, description="Name contains (any case).")
    contract: str | None = strawberry.field(default=None, description="Awarded under (slug).")
    alliance: str | None = strawberry.field(
        default=None, description="Awarded under a contract of this alliance (slug)."
    )
    category: str | None = strawberry.field(
        default=None, description="Awarded under a contract covering this category (code)."
    )

    def to_filter(self) -> VendorFilter:
        values = {}
        for name in ("name", "contract", "alliance", "category"):
            value = getattr(self, name)
            if value is not None and (not value.strip() or len(value) > MAX_NAME):
                raise BadInputError(
                    f"where.{name}: expected a non-empty text of at most {MAX_NAME} "
                    f"characters, got {value[:40]!r}",
                    f"where.{name}",
                )
            values[name] = value.strip() if value is not None else None
        return VendorFilter(**values)


_LOADERS: WeakKeyDictionary[Loaders, DataLoader[str, list[dict[str, Any]]]] = WeakKeyDictionary()


async def awards_of(info: Info, slug: str) -> list[VendorAward]:
    """The master agreements of vendor ``slug`` (batched over the request)."""
    context = info.context
    if context.loaders not in _LOADERS:
        graph = context.graph

        async def load(slugs: list[str]) -> list[list[dict[str, Any]]]:
            found = await context.run(vendor_awards, graph, slugs)
            return [found.get(s, []) for s in slugs]

        _LOADERS[context.loaders] = DataLoader(load_fn=load)
    rows = await _LOADERS[context.loaders].load(slug)
    return [
        VendorAward(
            contract=node_as(Contract, row["contract"]),
            number=row["award"].get("number"),
            starts_on=day_of(row["award"].get("startsOn")),
            ends_on=day_of(row["award"].get("endsOn")),
            source=row["award"].get("source"),
        )
        for row in rows
    ]


def _vendor_item(item: Item) -> Vendor:
    return vendor_from(item.node.props)


@strawberry.type
class VendorQuery:
    @strawberry.field(description="A vendor by slug (null when there is none).")
    async def vendor(self, info: Info, slug: str) -> Vendor | None:
        info.context.require_read()
        record = await info.context.run(vendor, info.context.graph, slug)
        return vendor_from(record.props) if record is not None else None

    @strawberry.field(description="Vendors by name, filtered by name, contract, alliance or "
                      "category; a connection like the other root lists.")  # fmt: skip
    async def vendors(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        where: VendorWhere | None = None,
    ) -> Connection[Vendor]:
        info.context.require_read()
        size = DEFAULT_PAGE if first is None else first
        if not 1 <= size <= MAX_PAGE:
            raise BadInputError(f"first: expected 1 to {MAX_PAGE}, got {first}", "first")
        offset = decode_cursor(after) + 1 if after is not None else 0
        chosen = where.to_filter() if where is not None else VendorFilter()
        page = await info.context.run(vendor_page, info.context.graph, chosen, size, offset)
        return connection(page, _vendor_item)
