"""The vendor pages: ``/vendors`` (by name, filtered by name, alliance or contract,
paged) and ``/vendors/{slug}`` (the vendor's master agreements: contract, alliance, number,
term and source). Data comes through the GraphQL schema in process, as for every page.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from kb.api.schema import Schema
from kb.web.pages import Handler, PageError, error_page, render, run_query

#: Vendors per page of the listing.
PER_PAGE = 25
#: Longest slug or filter value an address may carry.
MAX_PARAM = 200
#: The filters of the listing, as query-string names -> VendorWhere fields.
FILTERS = {"q": "name", "alliance": "alliance", "contract": "contract"}

VENDORS = """
query VendorsPage($first: Int, $after: String, $where: VendorWhere) {
  vendors(first: $first, after: $after, where: $where) {
    totalCount
    nodes { slug name website illustrative contracts { contract { slug } } }
  }
  alliances(first: 100, orderBy: NAME_ASC) { nodes { slug name } }
}
"""

VENDOR = """
query VendorPage($slug: String!) {
  vendor(slug: $slug) {
    slug name website source illustrative
    contracts {
      number startsOn endsOn source
      contract { slug title status endsOn illustrative alliance { slug name } }
    }
  }
}
"""


def _cursor(offset: int) -> str | None:
    """The API's cursor of the item before ``offset`` (None for the first page)."""
    if offset <= 0:
        return None
    return base64.b64encode(f"offset:{offset - 1}".encode()).decode("ascii")


def _bad(message: str) -> PageError:
    return PageError(400, "That address has a bad parameter", message)


def _listing_args(request: Request) -> tuple[dict[str, str], int]:
    chosen: dict[str, str] = {}
    for param in FILTERS:
        value = request.query_params.get(param, "").strip()
        if len(value) > MAX_PARAM:
            raise _bad(f"'{param}' is at most {MAX_PARAM} characters.")
        if value:
            chosen[param] = value
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise _bad(f"'page' must be a whole number from 1, got {raw[:20]!r}.")
    return chosen, int(raw)


def vendors_list(schema: Schema) -> Handler:
    async def page(request: Request) -> Response:
        try:
            chosen, number = _listing_args(request)
            where = {FILTERS[k]: v for k, v in chosen.items()} or None
            variables: dict[str, Any] = {
                "first": PER_PAGE, "after": _cursor((number - 1) * PER_PAGE), "where": where,
            }  # fmt: skip
            data = await run_query(request, schema, VENDORS, variables)
        except PageError as error:
            return error_page(request, error)
        vendors = data["vendors"]
        total = vendors["totalCount"]
        pages = max(1, -(-total // PER_PAGE))
        if number > pages:
            return error_page(request, _bad(f"'page' {number} is past the last page ({pages})."))
        return render(
            request,
            "vendors.html",
            title="Vendors",
            vendors=vendors["nodes"],
            total=total,
            page=number,
            pages=pages,
            chosen=chosen,
            alliances=data["alliances"]["nodes"],
        )

    return page


def vendor_view(schema: Schema) -> Handler:
    async def page(request: Request) -> Response:
        slug = request.path_params["slug"]
        if len(slug) > MAX_PARAM:
            return error_page(request, _bad(f"Vendor slugs are at most {MAX_PARAM} characters."))
        try:
            data = await run_query(request, schema, VENDOR, {"slug": slug})
        except PageError as error:
            return error_page(request, error)
        vendor = data.get("vendor")
        if vendor is None:
            missing = f"There is no vendor {slug!r}. The vendors page lists them all."
            return error_page(request, PageError(404, "No such vendor", missing))
        return render(request, "vendor.html", title=vendor["name"], vendor=vendor)

    return page


def vendor_routes(schema: Schema) -> list[BaseRoute]:
    """``/vendors`` and ``/vendors/{slug}``."""
    return [
        Route("/vendors", vendors_list(schema)),
        Route("/vendors/{slug}", vendor_view(schema)),
    ]
