# strawberry.field(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""``Contract.vendors``: the awarded vendors of a contract, each with its master agreement
(number, start and end) on the edge; one Cypher statement for all contracts of a request
(a DataLoader kept beside the request's :class:`~kb.api.loaders.Loaders`).

Example:
    >>> # { contract(slug: "nvp-cloud-solutions") { vendors { number vendor { name } } } }
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any
from weakref import WeakKeyDictionary

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from kb.api.context import Context
from kb.api.loaders import Loaders
from kb.api.nodes import Node
from kb.graph.export import day_of
from kb.graph.reads import contract_awards

if TYPE_CHECKING:
    from kb.api.vendors import VendorAward

Info = strawberry.Info[Context, None]


@strawberry.type(description="A vendor (supplier) awarded under cooperative contracts.")
class Vendor:
    slug: str
    name: str
    website: str | None
    source: str | None
    illustrative: bool

    @strawberry.field(description="Its master agreements, by contract title: the contract, "
                      "the agreement's number and term.")  # fmt: skip
    async def contracts(
        self, info: Info
    ) -> list[Annotated[VendorAward, strawberry.lazy("kb.api.vendors")]]:
        from kb.api.vendors import awards_of  # kb.api.vendors imports Contract, which imports us

        return await awards_of(info, self.slug)


def vendor_from(v: Mapping[str, Any]) -> Vendor:
    """The Vendor of a vendor node's properties."""
    return Vendor(
        slug=v.get("slug") or v["id"],
        name=v.get("name") or v.get("slug") or v["id"],
        website=v.get("website"),
        source=v.get("source"),
        illustrative=bool(v.get("illustrative")),
    )


@strawberry.type(description="A master agreement: the vendor awarded, its number and term.")
class Award:
    vendor: Vendor
    number: str | None
    starts_on: date | None
    ends_on: date | None
    source: str | None = strawberry.field(description="The award's source, else the vendor's.")


_LOADERS: WeakKeyDictionary[Loaders, DataLoader[str, list[dict[str, Any]]]] = WeakKeyDictionary()


def _award(row: dict[str, Any]) -> Award:
    vendor, a = vendor_from(row["vendor"]), row["award"]
    return Award(
        vendor=vendor,
        number=a.get("number"),
        starts_on=day_of(a.get("startsOn")),
        ends_on=day_of(a.get("endsOn")),
        source=a.get("source") or vendor.source,
    )


async def _vendors(root: Node, info: Info) -> list[Award]:
    loaders, graph = info.context.loaders, info.context.graph
    if loaders not in _LOADERS:

        async def load(keys: list[str]) -> list[list[dict[str, Any]]]:
            found = await run_in_threadpool(contract_awards, graph, keys)
            return [found.get(key, []) for key in keys]

        _LOADERS[loaders] = DataLoader(load_fn=load)
    return [_award(row) for row in await _LOADERS[loaders].load(root.key)]


def vendors_field() -> list[Award]:
    """The ``vendors`` field of Contract."""
    return strawberry.field(
        resolver=_vendors,
        description="The awarded vendors, by name, each with its master agreement "
        "(number, start, end).",
    )
