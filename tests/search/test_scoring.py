"""Scores, phrase sets, proximity and lengths from arrays (kb/search/scoring.py) against
Whoosh's own matchers and collector on the seed index: a differential test, query by
query, down to every hit's score, highlight and facet count."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from test_matchsets import FILTERS, _queries
from whoosh import query as wq

from kb.search import IndexStore, SearchFilters, SearchService
from kb.search.matchsets import MatchSets
from kb.search.schema import META_KIND, TEXT_FIELDS
from kb.search.scoring import ScoreVectors, UnsupportedQueryError, mask_of, top_documents

PHRASES = [
    ("body", ["participating", "addendum"], 1),
    ("summary", ["master", "agreement"], 1),
    ("body", ["state", "contract"], 3),
    ("title", ["bid", "protest"], 1),
    ("body", ["bid", "bid"], 2),
    ("tags", ["p", "card"], 1),
    ("body", ["cooperative", "purchas", "contract"], 3),
    ("body", ["zzzunknown", "contract"], 1),
]


@pytest.fixture(scope="module")
def whoosh_only(seed_index: IndexStore) -> Iterator[SearchService]:
    """The same service scoring with Whoosh's matchers and collector only."""
    service = SearchService(seed_index)
    service.vectors = False
    yield service
    service.close()


def _rounded(result: Any) -> Any:
    hits = [(h.kind, h.id, round(h.score, 9), h.highlights, h.cursor) for h in result.hits]
    return hits, result.total, result.facets, result.suggestion, result.has_next_page


@pytest.mark.parametrize("filters", FILTERS, ids=["none", "lessons", "states+years"])
def test_search_answers_equal_with_whoosh_scoring(
    search: SearchService, whoosh_only: SearchService, filters: SearchFilters
) -> None:
    differing = [
        text
        for text in _queries()
        for first, after in ((10, None), (5, search.search(text, filters, first=3).end_cursor))
        if _rounded(search.search(text, filters, first=first, after=after))
        != _rounded(whoosh_only.search(text, filters, first=first, after=after))
    ]
    assert differing == []


def test_every_score_equals_whoosh_score(search: SearchService) -> None:
    scored = 0
    with search.searchers.searcher() as searcher:
        caches = search.searchers.caches(searcher)
        for text in _queries():
            _, plan = search.plan(searcher, text)
            if plan is None:
                continue
            try:
                scores = caches.vectors.scores(searcher, plan.query, caches.sets)
            except UnsupportedQueryError:
                continue  # prefixes, "*": the service asks Whoosh for these
            hits = searcher.search(plan.query, limit=None, mask=wq.Term("kind", META_KIND))
            whoosh = {h.docnum: float(h.score) for h in hits}
            matches = caches.sets.docs(searcher, plan.query) & caches.sets.everything()
            allowed = mask_of(matches & ~caches.sets.term(searcher, "kind", META_KIND), len(scores))
            assert set(np.flatnonzero(allowed).tolist()) == set(whoosh), text
            for docnum, score in whoosh.items():
                assert scores[docnum] == pytest.approx(score, rel=1e-12), (text, docnum)
            scored += 1
    assert scored >= 40


def test_phrase_sets_equal_whoosh_phrase_matcher(search: SearchService) -> None:
    with search.searchers.searcher() as searcher:
        vectors = ScoreVectors(searcher)
        plain = MatchSets(searcher)
        sizes = []
        for fieldname, words, slop in PHRASES:
            phrase = wq.Phrase(fieldname, words, slop=slop)
            found = vectors.phrase_docs(searcher, phrase)
            assert found is not None
            live = plain.everything()
            ours = set(np.flatnonzero(mask_of(plain.docs(searcher, phrase), vectors.size)))
            assert {int(n) for n in found} & set(np.flatnonzero(mask_of(live, vectors.size))) == (
                ours
            ), phrase
            sizes.append(len(ours))
        assert sum(1 for size in sizes if size) >= 5  # the phrases are not all empty


def test_field_lengths_equal_stored_lengths(search: SearchService) -> None:
    with search.searchers.searcher() as searcher:
        vectors = ScoreVectors(searcher)
        reader = searcher.reader()
        for name in TEXT_FIELDS:
            expected = [reader.doc_field_length(n, name, -1) or 0 for n in range(vectors.size)]
            assert vectors.lengths(searcher, name).tolist() == expected, name
            assert max(expected) > 0, name


def test_top_documents_break_ties_by_document_number() -> None:
    scores = np.array([1.0, 3.0, 2.0, 3.0, 0.5, 2.0, 3.0])
    allowed = np.array([True, True, True, False, True, True, True])
    assert top_documents(scores, allowed, 3) == [(1, 3.0), (6, 3.0), (2, 2.0)]
    assert top_documents(scores, allowed, 4) == [(1, 3.0), (6, 3.0), (2, 2.0), (5, 2.0)]
    assert top_documents(scores, allowed, 10)[-1] == (4, 0.5)
    assert top_documents(scores, np.zeros(7, dtype=bool), 3) == []


def test_unsupported_query_types_are_named(search: SearchService) -> None:
    with search.searchers.searcher() as searcher:
        caches = search.searchers.caches(searcher)
        with pytest.raises(UnsupportedQueryError, match="Prefix"):
            caches.vectors.scores(searcher, wq.Prefix("body", "protes"), caches.sets)
