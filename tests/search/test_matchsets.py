"""Totals and facet counts from bitmaps (kb/search/matchsets.py) are exactly what
Whoosh's own collector counts over every match: a differential test over the judged
queries and some operator queries, with and without filters."""

from __future__ import annotations

from typing import Any

import pytest
from search_support import FILTER_SETS, judged_and_operator_queries
from whoosh import query as wq
from whoosh import sorting

from kb.search import IndexStore, SearchFilters, SearchService, ranking
from kb.search.matchsets import bitmap, docnums
from kb.search.schema import FACETS, META_KIND, NO_VALUE


def _whoosh_counts(
    searcher: Any, query: wq.Query, filters: SearchFilters
) -> tuple[int, dict[str, dict[str, int]]]:
    """Total and facets as Whoosh counts them: ``groupedby`` over every match."""
    facets = sorting.Facets()
    for name in FACETS:
        facets.add_field(name, allow_overlap=name not in ("kind", "year"), maptype=sorting.Count)
    options: dict[str, Any] = {"limit": None, "mask": wq.Term("kind", META_KIND)}
    dimensions = filters.dimensions()
    if dimensions:
        options["filter"] = wq.And(
            [wq.Or([wq.Term(n, v) for v in values]) for n, values in dimensions.items()]
        )
    results = searcher.search(query, groupedby=facets, **options)
    counts = {
        name: {
            str(k): int(v)
            for k, v in results.groups(name).items()
            if k not in (None, "", NO_VALUE) and v
        }
        for name in FACETS
    }
    return len(results), counts


@pytest.mark.parametrize("filters", FILTER_SETS, ids=["none", "lessons", "states+years"])
def test_totals_and_facets_equal_whoosh_counting_every_match(
    search: SearchService, seed_index: IndexStore, filters: SearchFilters
) -> None:
    checked = 0
    for text in judged_and_operator_queries():
        result = search.search(text, filters, first=5)
        with search.searchers.searcher() as searcher:
            _, plan = search.plan(searcher, text)
            if plan is None:
                assert result.total == 0
                continue
            total, counts = _whoosh_counts(searcher, plan.query, filters.normalised())
        assert result.total == total, text
        mine = {name: {c.value: c.count for c in result.facets[name]} for name in FACETS}
        assert mine == counts, text
        checked += total > 0
    assert checked >= len(judged_and_operator_queries()) // 2  # most queries match something


def test_bitmaps_round_trip_document_numbers() -> None:
    numbers = [0, 1, 7, 8, 9, 255, 256, 1023, 16075]
    assert docnums(bitmap(numbers)) == numbers
    assert docnums(bitmap(numbers, size=20_000)) == numbers
    assert docnums(0) == [] and bitmap([]) == 0


@pytest.mark.parametrize("filters", FILTER_SETS, ids=["none", "lessons", "states+years"])
def test_top_hits_equal_whoosh_scoring_every_match(
    search: SearchService, filters: SearchFilters
) -> None:
    # Whoosh's top-N collector with matcher replacement loses hits (kb/search/service.py,
    # _top); the service's hits must be those of a collector that scores every match,
    # re-ranked (kb.search.ranking) as the service re-ranks its candidates.
    for text in judged_and_operator_queries():
        hits = [h.id for h in search.search(text, filters, first=10).hits]
        with search.searchers.searcher() as searcher:
            parsed, plan = search.plan(searcher, text)
            if plan is None or not parsed.ranked:
                continue
            options: dict[str, Any] = {"limit": None, "mask": wq.Term("kind", META_KIND)}
            dimensions = filters.normalised().dimensions()
            if dimensions:
                options["filter"] = wq.And(
                    [wq.Or([wq.Term(n, v) for v in values]) for n, values in dimensions.items()]
                )
            every = list(searcher.search(plan.query, **options))
            best = [h["id"] for h, _ in ranking.rerank(searcher, every, plan)[:10]]
        assert hits == best, text
