"""Reads of vendors (suppliers): a filtered page of them, and the awards of one.

Each vendor node holds ``id`` (= ``slug``), ``name``, ``website``, ``source`` and
``illustrative``; an award is ``(Vendor)-[:AWARDED_UNDER {number, startsOn, endsOn,
source}]->(Contract)``. Both reads use the unique ``Vendor.id`` index, and the filters by
contract, alliance and category start from the keyed node.

Example:
    >>> page = vendor_page(graph, VendorFilter(alliance="naspo-valuepoint"), 20, 0)
    >>> page.total >= len(page.items)
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from kb.graph.db import Graph
from kb.graph.records import Item, NodeRecord, Page


@dataclass(frozen=True)
class VendorFilter:
    """Which vendors to list: name contains (case-insensitive), awarded under a contract,
    under any contract of an alliance, or under a contract covering a category."""

    name: str | None = None
    contract: str | None = None
    alliance: str | None = None
    category: str | None = None

    def params(self) -> dict[str, Any]:
        return {
            "name": self.name.lower() if self.name else None,
            "contract": self.contract,
            "alliance": self.alliance,
            "category": self.category,
        }


_PAGE: LiteralString = (
    "MATCH (v:Vendor)"
    " WHERE ($w.name IS NULL OR toLower(v.name) CONTAINS $w.name)"
    " AND ($w.contract IS NULL OR EXISTS { (v)-[:AWARDED_UNDER]->(:Contract {id: $w.contract}) })"
    " AND ($w.alliance IS NULL OR EXISTS {"
    " (v)-[:AWARDED_UNDER]->(:Contract)<-[:AWARDED]-(:Alliance {id: $w.alliance}) })"
    " AND ($w.category IS NULL OR EXISTS {"
    " (v)-[:AWARDED_UNDER]->(:Contract)-[:COVERS]->(:Category {id: $w.category}) })"
    " WITH v ORDER BY toLower(v.name), v.id"
    " WITH collect(v) AS vs"
    " RETURN size(vs) AS total, [v IN vs[$skip..$skip + $first] | v {.*,"
    " awards: COUNT { (v)-[:AWARDED_UNDER]->() }}] AS page"
)

_VENDOR: LiteralString = "MATCH (v:Vendor {id: $slug}) RETURN v {.*} AS v"

_AWARDS: LiteralString = (
    "UNWIND $slugs AS s MATCH (:Vendor {id: s})-[x:AWARDED_UNDER]->(c:Contract)"
    " WITH s, x, c ORDER BY c.title, c.id"
    " RETURN s, collect({award: x {.*}, contract: c {.*}}) AS awards"
)


def vendor_page(graph: Graph, where: VendorFilter, first: int, offset: int) -> Page:
    """The vendors ``where`` selects, by name, ``first`` of them from ``offset`` on; each
    item's edge holds ``awards``: how many master agreements the vendor has."""
    row = graph.read(_PAGE, w=where.params(), skip=offset, first=first)[0]
    items = []
    for props in row["page"]:
        awards = props.pop("awards")
        items.append(Item(NodeRecord.of("Vendor", props), {"awards": awards}))
    return Page(total=row["total"], offset=offset, items=items)


def vendor(graph: Graph, slug: str) -> NodeRecord | None:
    """The vendor ``slug``, or None."""
    rows = graph.read(_VENDOR, slug=slug)
    return NodeRecord.of("Vendor", rows[0]["v"]) if rows else None


def vendor_awards(graph: Graph, slugs: list[str]) -> dict[str, list[dict[str, Any]]]:
    """For each vendor slug, its awards (``award``: the edge's properties, ``contract``:
    the contract's record), by contract title; one statement for all of them."""
    rows = graph.read(_AWARDS, slugs=slugs)
    return {
        row["s"]: [
            {"award": a["award"], "contract": NodeRecord.of("Contract", a["contract"])}
            for a in row["awards"]
        ]
        for row in rows
    }
