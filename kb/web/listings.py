"""Listing pages that filter, sort and page, every state of them a shareable URL.

A :class:`Listing` names its URL parameters: one per facet (``?state=UT``), ``sort``
and ``page``. They become the ``where``, ``orderBy``, ``first`` and ``after`` of one
GraphQL document run in-process (as every page does); the same document brings the
options each facet offers, so that a value outside them is a 400 page naming what is
accepted, and a page past the last one is a 404.

Example:
    >>> routes = [Route("/lessons", listing_page(schema, LESSONS))]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from kb.api.pagination import encode_cursor
from kb.api.schema import Schema
from kb.web import queries
from kb.web.pages import Handler, PageError, error_page, render, run_query

#: The most pages a listing offers (a bound on the number a URL may ask for).
MAX_PAGE = 10_000

Options = Callable[[dict[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True)
class Facet:
    """A filter: the URL parameter, its label, the ``where`` field it sets, and the
    values it accepts (value, label), read from the page's own query result."""

    param: str
    label: str
    where: str
    options: Options
    many: bool = False  # the where field takes a list (statuses)


@dataclass(frozen=True)
class Listing:
    """What one listing page shows and how it can be narrowed, sorted and paged."""

    title: str
    template: str
    document: str
    options: str  # the document that brings the facets' options
    field: str
    facets: tuple[Facet, ...]
    sorts: tuple[tuple[str, str, str], ...]  # URL value, label, GraphQL order
    page_size: int = 25


def _nodes(field: str, key: str, label: Callable[[dict[str, Any]], str]) -> Options:
    def options(data: dict[str, Any]) -> list[tuple[str, str]]:
        return [(str(node[key]), label(node)) for node in data[field]["nodes"]]

    return options


def _distinct(field: str, key: str) -> Options:
    """The distinct non-empty values of ``key`` over a field's nodes, sorted."""

    def options(data: dict[str, Any]) -> list[tuple[str, str]]:
        found = {str(n[key]) for n in data[field]["nodes"] if n.get(key)}
        return [(value, value) for value in sorted(found)]

    return options


def _fixed(*values: str) -> Options:
    return lambda data: [(value, value.replace("_", " ").capitalize()) for value in values]


def _one(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    if len(value) > 100:
        raise PageError(400, "That filter is too long", f"{name}: at most 100 characters.")
    return value or None


def _page_number(raw: str | None) -> int:
    if raw is None:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise PageError(
            400, "No such page", f"page: {raw!r} is not a page number; expected 1 to {MAX_PAGE}."
        )
    return int(raw)


def _chosen(listing: Listing, request: Request) -> tuple[dict[str, str], str, int]:
    """The facet values, the sort and the page the URL asks for (checked for form only)."""
    values = {f.param: v for f in listing.facets if (v := _one(request, f.param)) is not None}
    sort = _one(request, "sort") or listing.sorts[0][0]
    accepted = [value for value, _, _ in listing.sorts]
    if sort not in accepted:
        raise PageError(
            400, "No such order", f"sort: {sort!r} is not accepted; expected one of {accepted}."
        )
    return values, sort, _page_number(_one(request, "page"))


def _check_options(listing: Listing, data: dict[str, Any], values: dict[str, str]) -> None:
    for facet in listing.facets:
        value = values.get(facet.param)
        accepted = [option for option, _ in facet.options(data)]
        if value is not None and value not in accepted:
            shown = ", ".join(accepted[:12]) + (", ..." if len(accepted) > 12 else "")
            raise PageError(
                400,
                f"No such {facet.label.lower()}",
                f"{facet.param}: {value!r} is not accepted; expected one of {shown}.",
            )


def listing_page(schema: Schema, listing: Listing) -> Handler:
    """The handler of a listing page (see the module docstring)."""

    async def page(request: Request) -> Response:
        try:
            values, sort, number = _chosen(listing, request)
            where: dict[str, Any] = {
                f.where: [values[f.param]] if f.many else values[f.param]
                for f in listing.facets
                if f.param in values
            }
            order = next(graphql for value, _, graphql in listing.sorts if value == sort)
            offset = (number - 1) * listing.page_size
            variables = {
                "where": where,
                "orderBy": order,
                "first": listing.page_size,
                "after": encode_cursor(offset - 1) if offset else None,
            }
            # The options first: a value outside them reads better than the API's error.
            options = await run_query(request, schema, listing.options)
            _check_options(listing, options, values)
            data = await run_query(request, schema, listing.document, variables)
            items = data[listing.field]
            pages = max(1, -(-items["totalCount"] // listing.page_size))
            if number > pages:
                raise PageError(
                    404, "No such page", f"page {number} is past the last page ({pages})."
                )
        except PageError as error:
            return error_page(request, error)

        def address(**changes: Any) -> str:
            state: dict[str, Any] = {**values, "sort": sort, "page": number, **changes}
            if state["sort"] == listing.sorts[0][0]:
                state.pop("sort")
            if state.get("page") == 1:
                state.pop("page")
            query = urlencode({k: v for k, v in state.items() if v is not None})
            return request.url.path + (f"?{query}" if query else "")

        facets = [
            {"facet": f, "options": f.options(options), "value": values.get(f.param)}
            for f in listing.facets
        ]
        return render(
            request,
            listing.template,
            title=listing.title,
            items=items,
            facets=facets,
            sorts=listing.sorts,
            sort=sort,
            page=number,
            pages=pages,
            first_shown=offset + 1 if items["nodes"] else 0,
            last_shown=offset + len(items["nodes"]),
            filtered=bool(values),
            address=address,
        )

    return page


_state_names = _nodes("states", "code", lambda n: n["name"])
_category_names = _nodes("categories", "code", lambda n: f"{n['code']} {n['name']}")
_alliance_names = _nodes("alliances", "slug", lambda n: n["name"])
_lesson_statuses = _fixed("OBSERVATION", "LESSON_IDENTIFIED", "LESSON_LEARNED")

LESSONS = Listing(
    title="Lessons learned",
    template="lessons.html",
    document=queries.LESSONS,
    options=queries.LESSON_OPTIONS,
    field="lessons",
    facets=(
        Facet("state", "State", "state", _state_names),
        Facet("category", "Category", "category", _category_names),
        Facet("status", "Status", "status", _lesson_statuses, many=True),
    ),
    sorts=(
        ("newest", "Newest first", "RECORDED_ON_DESC"),
        ("oldest", "Oldest first", "RECORDED_ON_ASC"),
        ("title", "Title (A to Z)", "TITLE_ASC"),
        ("id", "Id", "ID_ASC"),
    ),
)

CONTRACTS = Listing(
    title="Cooperative contracts",
    template="contracts.html",
    document=queries.CONTRACTS,
    options=queries.CONTRACT_OPTIONS,
    field="contracts",
    facets=(
        Facet("alliance", "Alliance", "alliance", _alliance_names),
        Facet("status", "Status", "status", _fixed("ACTIVE", "SOLICITING", "EXPIRED"), many=True),
        Facet("state", "Participating state", "participatingState", _state_names),
    ),
    sorts=(
        ("title", "Title (A to Z)", "TITLE_ASC"),
        ("ends", "Ending soonest", "ENDS_ON_ASC"),
        ("starts", "Newest award", "STARTS_ON_DESC"),
    ),
    page_size=50,
)

STATES = Listing(
    title="States, districts and territories",
    template="states.html",
    document=queries.STATES,
    options=queries.STATE_OPTIONS,
    field="states",
    facets=(
        Facet("kind", "Kind", "kind", _fixed("STATE", "DISTRICT", "TERRITORY"), many=True),
        Facet("region", "Census region", "region", _distinct("states", "region"), many=True),
        Facet("naspo", "NASPO council", "naspoRegion", _distinct("states", "naspoRegion"), True),
        Facet("alliance", "Member of", "memberOf", _alliance_names),
    ),
    sorts=(
        ("name", "Name (A to Z)", "NAME_ASC"),
        ("code", "Code", "CODE_ASC"),
        ("fips", "FIPS code", "FIPS_ASC"),
        ("region", "Census region", "REGION_ASC"),
    ),
    page_size=60,
)

ALLIANCES = Listing(
    title="Purchasing alliances",
    template="alliances.html",
    document=queries.ALLIANCES,
    options=queries.ALLIANCE_OPTIONS,
    field="alliances",
    facets=(
        Facet("scope", "Scope", "scope", _fixed("NATIONAL", "REGIONAL", "MULTI_STATE"), True),
        Facet("member", "Has member", "hasMember", _state_names),
    ),
    sorts=(
        ("name", "Name (A to Z)", "NAME_ASC"),
        ("founded", "Oldest first", "FOUNDED_ASC"),
        ("newest", "Newest first", "FOUNDED_DESC"),
    ),
)

CATEGORIES = Listing(
    title="Procurement categories",
    template="categories.html",
    document=queries.CATEGORIES,
    options=queries.CATEGORY_OPTIONS,
    field="categories",
    facets=(
        Facet("kind", "Kind", "kind", _fixed("GROUP", "CLASS"), many=True),
        Facet("group", "Group", "parent", _nodes("groups", "code", lambda n: n["name"])),
    ),
    sorts=(
        ("code", "Code", "CODE_ASC"),
        ("name", "Name (A to Z)", "NAME_ASC"),
    ),
    page_size=100,
)

_FOCUS_AREAS = (
    "STRATEGY",
    "POLICY_AND_LEGISLATION",
    "PLANNING_AND_ANALYSIS",
    "SOURCING_AND_SOLICITATION",
    "CONTRACT_ADMINISTRATION",
    "LEADERSHIP",
    "BUSINESS_PRINCIPLES",
)

PRACTICES = Listing(
    title="Practices",
    template="practices.html",
    document=queries.PRACTICES,
    options=queries.PRACTICE_OPTIONS,
    field="practices",
    facets=(
        Facet("focus", "Focus area", "focusArea", _fixed(*_FOCUS_AREAS), many=True),
        Facet("state", "Shared by state", "state", _state_names),
        Facet("alliance", "Shared by alliance", "alliance", _alliance_names),
        Facet("category", "Category", "category", _category_names),
    ),
    sorts=(
        ("title", "Title (A to Z)", "TITLE_ASC"),
        ("newest", "Newest first", "PUBLISHED_ON_DESC"),
        ("oldest", "Oldest first", "PUBLISHED_ON_ASC"),
    ),
)

#: Every listing page, by path.
LISTINGS = {
    "/states": STATES,
    "/alliances": ALLIANCES,
    "/contracts": CONTRACTS,
    "/categories": CATEGORIES,
    "/practices": PRACTICES,
    "/lessons": LESSONS,
}
