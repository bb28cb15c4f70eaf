"""The search page at ``/``: query, facets as toggle links, filters, pagination; with
no query and no filter, ``/`` is the home page (search box, what is new, ways to browse).

Every state of the page is in its URL (``?q=...&kind=lesson&state=UT&page=2``), so a
result page can be bookmarked and shared. Data comes from the GraphQL ``search`` field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from kb.api.schema import Schema
from kb.api.search import page_cursor
from kb.web import queries
from kb.web.pages import Handler, PageError, error_page, render, run_query

PAGE_SIZE = 10
MAX_PAGE = 500
MAX_QUERY = 500
DIMENSIONS = ("kind", "state", "alliance", "category", "year")
WHERE_FIELDS = {
    "kind": "kinds",
    "state": "states",
    "alliance": "alliances",
    "category": "categories",
    "year": "years",
}

SEARCH = """
query SearchPage($q: String!, $where: SearchWhere, $after: String, $first: Int!) {
  search(query: $q, where: $where, first: $first, after: $after) {
    totalCount suggestion
    hits { kind key title date score highlights { field fragments }
           node { source illustrative } }
    facets { kind { value count } state { value count } alliance { value count }
             category { value count } year { value count } }
    pageInfo { hasNextPage }
  }
  states(first: 100) { nodes { code name } }
  alliances(first: 50) { nodes { slug name } }
  categories(first: 100) { nodes { code name } }
}
"""

KIND_PATHS = {"practice": "/practices/", "lesson": "/lessons/", "contract": "/contracts/"}


class SearchState:
    """The page's state as read from the URL, and URLs for its neighbours."""

    def __init__(self, q: str, filters: dict[str, list[str]], page: int) -> None:
        self.q = q
        self.filters = filters
        self.page = page

    @classmethod
    def from_request(cls, request: Request) -> SearchState:
        params = request.query_params
        q = params.get("q", "").strip()
        if len(q) > MAX_QUERY:
            raise PageError(
                400,
                "That search is too long",
                f"Searches are at most {MAX_QUERY} characters; yours has {len(q)}.",
            )
        raw_page = params.get("page", "1")
        # ASCII digits only: isdigit() also holds for '²', which int() refuses.
        valid = raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= 6
        if not valid or not 1 <= int(raw_page) <= MAX_PAGE:
            raise PageError(
                400,
                "No such results page",
                f"page={raw_page!r} is not a page number; expected 1 to {MAX_PAGE}.",
            )
        filters = {d: sorted(set(params.getlist(d))) for d in DIMENSIONS if params.getlist(d)}
        for values in filters.values():
            if any(len(v) > 100 for v in values):
                raise PageError(400, "That filter is too long", "Filter values are short codes.")
        return cls(q, filters, int(raw_page))

    def url(self, **changes: Any) -> str:
        q = changes.get("q", self.q)
        filters = changes.get("filters", self.filters)
        page = changes.get("page", 1)
        pairs: list[tuple[str, str]] = [("q", q)] if q else []
        for dimension in DIMENSIONS:
            pairs.extend((dimension, v) for v in filters.get(dimension, []))
        if page > 1:
            pairs.append(("page", str(page)))
        return "/?" + urlencode(pairs) if pairs else "/"

    def toggle(self, dimension: str, value: str) -> str:
        """The URL with ``value`` added to (or removed from) the filter, back on page 1."""
        current = set(self.filters.get(dimension, []))
        current ^= {value}
        filters = {**self.filters, dimension: sorted(current)}
        return self.url(filters={k: v for k, v in filters.items() if v})

    def active(self, dimension: str, value: str) -> bool:
        return value in self.filters.get(dimension, [])

    def where(self) -> dict[str, list[str]] | None:
        where = {WHERE_FIELDS[d]: v for d, v in self.filters.items()}
        return where or None


def check_filters(state: SearchState, data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The display names of the filter values from a :data:`SEARCH` result; a filter
    value nobody could have clicked (``state=ZZ``) is a 400, not 0 results."""
    names = {
        "state": {s["code"]: s["name"] for s in data["states"]["nodes"]},
        "alliance": {a["slug"]: a["name"] for a in data["alliances"]["nodes"]},
        "category": {c["code"]: f"{c['code']} {c['name']}" for c in data["categories"]["nodes"]},
        "kind": {"practice": "Practices", "lesson": "Lessons", "contract": "Contracts"},
    }
    for dimension, values in state.filters.items():
        for value in values:
            known = names.get(dimension)
            if dimension == "year":
                ok = value.isascii() and value.isdigit() and len(value) == 4
            else:
                ok = known is not None and value in known
            if not ok:
                raise PageError(
                    400, "Unknown filter", f"{dimension}={value!r} is not a known {dimension}."
                )
    return names


async def home_page(request: Request, schema: Schema) -> Response:
    """``/`` with nothing asked: a search box, what is new, and the ways to browse."""
    from kb.web.saved_searches import home_extras  # it builds on this module

    try:
        data = await run_query(request, schema, queries.HOME)
        extras = await home_extras(request)
    except PageError as error:
        return error_page(request, error)
    return render(request, "home.html", title="Home", **data, **extras)


def search_page(schema: Schema) -> Handler:
    """The handler of ``/``."""

    async def page(request: Request) -> Response:
        params = request.query_params
        asked = params.get("q", "").strip() or "page" in params
        if not asked and not any(params.getlist(d) for d in DIMENSIONS):
            return await home_page(request, schema)
        try:
            state = SearchState.from_request(request)
            after = page_cursor(state.page, PAGE_SIZE)
            variables = {"q": state.q, "where": state.where(), "after": after, "first": PAGE_SIZE}
            data = await run_query(request, schema, SEARCH, variables)
            result = data["search"]
            if state.page > 1 and not result["hits"]:
                raise PageError(
                    404,
                    "No such results page",
                    f"This search has {result['totalCount']} results; page "
                    f"{state.page} is past the last one.",
                )
            names = check_filters(state, data)
        except PageError as error:
            return error_page(request, error)
        pages = max(1, -(-result["totalCount"] // PAGE_SIZE))
        return render(
            request,
            "search.html",
            title=f"Search: {state.q}" if state.q else "Search",
            state=state,
            result=result,
            names=names,
            pages=pages,
            kind_paths=KIND_PATHS,
            dimensions=DIMENSIONS,
        )

    return page
