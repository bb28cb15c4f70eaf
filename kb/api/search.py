# strawberry.field(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""``search(query:, where:, first:, after:)``: full-text search with facets."""

from __future__ import annotations

from typing import Any

import strawberry

from kb.api.errors import BadInputError
from kb.api.nodes import Node, to_node
from kb.api.pagination import PageInfo
from kb.api.related import LABELS, runtime
from kb.api.relationship_fields import Info
from kb.search import FacetCount, Hit, SearchFilters, SearchInputError
from kb.search.results import encode_cursor


@strawberry.input(description="Restrict hits: any value within a list, all lists at once.")
class SearchWhere:
    kinds: list[str] | None = strawberry.field(
        default=None, description="practice, lesson, contract"
    )
    states: list[str] | None = strawberry.field(default=None, description="USPS codes, e.g. UT")
    alliances: list[str] | None = strawberry.field(default=None, description="Alliance slugs")
    categories: list[str] | None = strawberry.field(default=None, description="Category codes")
    years: list[str] | None = strawberry.field(default=None, description="Years, e.g. 2023")

    def to_filters(self) -> SearchFilters:
        return SearchFilters(
            kinds=tuple(self.kinds or ()),
            states=tuple(self.states or ()),
            alliances=tuple(self.alliances or ()),
            categories=tuple(self.categories or ()),
            years=tuple(self.years or ()),
        )


@strawberry.type(description="Matching words of one field, each wrapped in <mark>; HTML-escaped.")
class SearchHighlight:
    field: str
    fragments: list[str]


@strawberry.type(description="One ranked result.")
class SearchHit:
    kind: str
    key: str = strawberry.field(description="Slug of a practice or contract, id of a lesson.")
    title: str
    score: float
    date: str | None
    highlights: list[SearchHighlight]
    cursor: str

    @strawberry.field(description="The practice, lesson or contract itself.")
    async def node(self, info: Info) -> Node | None:
        record = await info.context.loaders.node(LABELS[self.kind]).load(self.key)
        return to_node(record) if record is not None else None


@strawberry.type(description="How many of all matches (not just this page) have a value.")
class FacetValue:
    value: str
    count: int


@strawberry.type(description="Facet counts per dimension.")
class SearchFacets:
    kind: list[FacetValue]
    state: list[FacetValue]
    alliance: list[FacetValue]
    category: list[FacetValue]
    year: list[FacetValue]


@strawberry.type(description="A page of search results.")
class SearchResults:
    query: str
    total_count: int
    hits: list[SearchHit]
    facets: SearchFacets
    suggestion: str | None = strawberry.field(description="The query with typos corrected.")
    page_info: PageInfo


def page_cursor(page: int, size: int) -> str | None:
    """The ``after`` argument of ``search`` that starts results page ``page`` (1-based)
    of ``size`` hits: the cursor of the last hit of the page before, as ``pageInfo``
    and each hit's ``cursor`` give it; None for the first page.

    Pages that number their results (``?page=3``) turn the number into a cursor here,
    so the cursor format stays the search layer's to change.

    Raises:
        ValueError: ``page`` is below 1 or ``size`` below 1.
    """
    if page < 1 or size < 1:
        raise ValueError(f"page {page} of size {size}: both must be 1 or more")
    return encode_cursor((page - 1) * size - 1) if page > 1 else None


def _hit(hit: Hit) -> SearchHit:
    highlights = [
        SearchHighlight(field=h.field, fragments=list(h.fragments)) for h in hit.highlights
    ]
    return SearchHit(
        kind=hit.kind,
        key=hit.id,
        title=hit.title,
        score=hit.score,
        date=hit.date,
        highlights=highlights,
        cursor=hit.cursor,
    )


def _values(counts: tuple[FacetCount, ...]) -> list[FacetValue]:
    return [FacetValue(value=c.value, count=c.count) for c in counts]


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Full-text search over practices, lessons and contracts: ranked hits "
        "with highlights, facet counts over all matches, a spelling suggestion. Accepts "
        'plain questions, "phrases", field:value (state:UT), +required and -excluded words.'
    )
    async def search(
        self,
        info: Info,
        query: str = "",
        where: SearchWhere | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> SearchResults:
        info.context.require_read()
        filters = where.to_filters() if where else None
        service = runtime(info).service
        try:
            result = await info.context.run_expensive(service.search, query, filters, first, after)
        except SearchInputError as error:
            raise BadInputError(str(error), "query") from error
        facets: dict[str, Any] = {
            name: _values(result.facets.get(name, ()))
            for name in ("kind", "state", "alliance", "category", "year")
        }
        return SearchResults(
            query=result.query,
            total_count=result.total,
            hits=[_hit(h) for h in result.hits],
            facets=SearchFacets(**facets),
            suggestion=result.suggestion,
            page_info=PageInfo(
                has_next_page=result.has_next_page,
                has_previous_page=bool(after),
                start_cursor=result.hits[0].cursor if result.hits else None,
                end_cursor=result.end_cursor,
            ),
        )
