"""Scores, phrase sets, proximity and lengths from arrays (kb/search/scoring.py) against
Whoosh's own matchers and collector on the seed index: a differential test, query by
query, down to every hit's score, highlight and facet count."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from search_support import (
    FILTER_SETS,
    delete_lesson,
    judged_and_operator_queries,
    write_lesson,
)
from whoosh import highlight
from whoosh import query as wq

from kb.graph.db import Graph
from kb.search import Indexer, IndexStore, SearchFilters, SearchService, scoring, segments
from kb.search.hits import (
    _PINPOINT,
    _WHOLE,
    FRAGMENTS_PER_FIELD,
    WHOLE_FIELDS,
    Marker,
    _chain,
    _matched_tokens,
)
from kb.search.matchsets import MatchSets
from kb.search.schema import META_KIND, TEXT_ANALYZER, TEXT_FIELDS
from kb.search.scoring import ScoreVectors, UnsupportedQueryError, mask_of, top_documents
from kb.search.segments import SegmentArrays, within, within_spans

#: (field, text analysed into the phrase's words, slop).
PHRASES = [
    ("body", "participating addendum", 1),
    ("summary", "master agreement", 1),
    ("body", "state contract", 3),
    ("title", "bid protests", 1),
    ("body", "bid bid", 2),
    ("tags", "P-card", 1),
    ("body", "cooperative purchasing contract", 3),
    ("body", "zzzunknown contract", 1),
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


@pytest.mark.parametrize("filters", FILTER_SETS, ids=["none", "lessons", "states+years"])
def test_search_answers_equal_with_whoosh_scoring(
    search: SearchService, whoosh_only: SearchService, filters: SearchFilters
) -> None:
    differing = [
        text
        for text in judged_and_operator_queries()
        for first, after in ((10, None), (5, search.search(text, filters, first=3).end_cursor))
        if _rounded(search.search(text, filters, first=first, after=after))
        != _rounded(whoosh_only.search(text, filters, first=first, after=after))
    ]
    assert differing == []


def test_answers_from_kept_scores_equal_first_answers(seed_index: IndexStore) -> None:
    """Term and phrase scores, closeness of neighbouring words and formatted fragments
    are kept per snapshot (or process): a repeat gives exactly the first answer, and
    neither depends on what other queries ran before."""

    def exact(result: Any) -> Any:
        return [(h.kind, h.id, h.score, h.highlights) for h in result.hits], result.facets

    texts = judged_and_operator_queries()
    first = SearchService(seed_index)
    answers = {text: exact(first.search(text, first=10)) for text in texts}
    assert {text: exact(first.search(text, first=10)) for text in texts} == answers
    backwards = SearchService(seed_index)
    assert {text: exact(backwards.search(text, first=10)) for text in reversed(texts)} == answers
    first.close()
    backwards.close()


def test_every_score_equals_whoosh_score(search: SearchService) -> None:
    scored = 0
    with search.searchers.searcher() as searcher:
        caches = search.searchers.caches(searcher)
        for text in judged_and_operator_queries():
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
        for fieldname, text, slop in PHRASES:
            words = [t.text for t in TEXT_ANALYZER(text)]
            phrase = wq.Phrase(fieldname, words, slop=slop)
            found = vectors.phrase_docs(searcher, phrase)
            assert found is not None
            live = plain.everything()
            ours = set(np.flatnonzero(mask_of(plain.docs(searcher, phrase), vectors.size)))
            assert {int(n) for n in found} & set(np.flatnonzero(mask_of(live, vectors.size))) == (
                ours
            ), phrase
            sizes.append(len(ours))
        assert sum(1 for size in sizes if size) >= 5, sizes  # the phrases are not all empty


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


def _whoosh_fragment(searcher: Any, fieldname: str, text: str, words: frozenset[str]) -> str:
    highlighter = _WHOLE if fieldname in WHOLE_FIELDS else _PINPOINT
    analyzer = searcher.schema[fieldname].analyzer
    tokens = analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = highlight.set_matched_filter(tokens, words)
    tokens = highlighter._merge_matched_tokens(tokens)
    fragments = highlighter.fragmenter.fragment_tokens(text, tokens)
    fragments = highlight.top_fragments(
        fragments, FRAGMENTS_PER_FIELD, highlighter.scorer, highlighter.order, minscore=1
    )
    return str(highlighter.formatter.format(fragments))


def test_highlight_tokens_equal_whoosh_analysis(search: SearchService) -> None:
    # The one-pass tokens (kb.search.hits._matched_tokens) against Whoosh's analyzer
    # chain: every attribute the highlighter reads, token by token, and the fragments.
    fields = ("title", "summary", "body", "tags")
    compared = 0
    with search.searchers.searcher() as searcher:
        for docnum in range(0, searcher.doc_count_all(), 3):
            stored = searcher.stored_fields(docnum)
            title = stored.get("title", "")
            words = frozenset(
                [t.text for t in searcher.schema["title"].analyzer(title)] + ["a", "the", "of"]
            )
            for name in fields:
                text = stored.get(name) or ""
                chain = _chain(searcher.schema[name].analyzer)
                assert chain is not None
                attrs = ("text", "pos", "startchar", "endchar", "stopped", "matched", "boost")
                ours = [
                    tuple(getattr(t, a) for a in attrs) for t in _matched_tokens(chain, text, words)
                ]
                analyzer = searcher.schema[name].analyzer
                theirs = [
                    tuple(getattr(t, a) for a in attrs)
                    for t in highlight.set_matched_filter(
                        analyzer(text, positions=True, chars=True, mode="index", removestops=False),
                        words,
                    )
                ]
                assert ours == theirs, (docnum, name)
                marker = Marker(searcher, wq.NullQuery)
                marker._words[name] = words
                highlighter = _WHOLE if name in WHOLE_FIELDS else _PINPOINT
                if text:
                    assert marker._fragment(highlighter, name, text) == _whoosh_fragment(
                        searcher, name, text, words
                    ), (docnum, name)
                compared += bool(text)
    assert compared > 100


def test_arrays_kept_per_segment_stay_right_after_commits(
    seeded_graph: Graph, store: IndexStore
) -> None:
    # Arrays read from a segment are reused by later snapshots (kb/search/segments.py);
    # after writes (a new segment, a deletion in an old one) answers must still be
    # Whoosh's own, with the new documents found at their new numbers.
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    fast = SearchService(store)
    slow = SearchService(store)
    slow.vectors = False
    queries = ["bid protest", "cooperative contract", "zeppelin airship charter", "snow plow"]
    try:
        before = [fast.search(q, first=10) for q in queries]
        assert [_rounded(r) for r in before] == [
            _rounded(slow.search(q, first=10)) for q in queries
        ]
        write_lesson(
            seeded_graph, "L-9301", "Zeppelin airship charter", "A bid protest on airships."
        )
        delete_lesson(seeded_graph, "L-0001")
        assert indexer.catch_up() == 2
        after = [fast.search(q, first=10) for q in queries]
        assert [_rounded(r) for r in after] == [_rounded(slow.search(q, first=10)) for q in queries]
        assert after[2].hits and after[2].hits[0].id == "L-9301"
        assert "L-0001" not in {h.id for r in after for h in r.hits}
        assert fast.searchers.segments._caches["postings"][1]  # arrays were kept
    finally:
        fast.close()
        slow.close()


def test_segment_arrays_stay_within_their_byte_budget(
    search: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments, "MAX_BYTES", 4096)
    arrays = SegmentArrays()
    with search.searchers.searcher() as searcher:
        subs = [searcher] if searcher.is_atomic() else [s for s, _ in searcher.subsearchers]
        sub = max(subs, key=lambda s: s.doc_count_all())
        for word in ("contract", "state", "bid", "protest", "cooperative", "purchas"):
            arrays.postings(sub.reader(), "body", word)
            assert arrays._bytes["postings"] <= 4096
    assert len(arrays._caches["postings"][1]) < 6


def test_kept_scores_stay_within_their_budgets(
    search: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scoring, "MAX_SCORE_BYTES", 4096)
    monkeypatch.setattr(scoring, "MAX_CLOSENESS", 50)
    with search.searchers.searcher() as searcher:
        vectors = ScoreVectors(searcher)
        sets = MatchSets(searcher, vectors=vectors)
        for word in ("contract", "state", "bid", "protest", "cooperative", "purchas"):
            vectors.scores(searcher, wq.Term("body", word), sets)
            assert vectors._score_bytes <= 4096
            assert sum(v.nbytes for _, v in vectors._scores.values()) == vectors._score_bytes
        for field, text, slop in PHRASES:
            words = [t.text for t in TEXT_ANALYZER(text)]
            vectors.scores(searcher, wq.Phrase(field, words, slop=slop), sets)
            assert vectors._phrase_bytes <= 4096 or len(vectors._phrase_scores) == 1
        numbers = list(range(min(vectors.size, 120)))
        for pair in (("bid", "protest"), ("state", "contract"), ("cooper", "contract")):
            holding = [
                n
                for n in numbers
                if all(n in set(vectors.postings(searcher, "body", w)[0].tolist()) for w in pair)
            ]
            near = vectors.closeness(searcher, "body", pair, holding, 3)
            assert set(near) == set(holding)
            assert vectors._near_count <= 50 or len(vectors._near) == 1


def test_phrase_rule_on_span_ends_equals_whoosh_span_loop() -> None:
    generator = random.Random(12)
    checked = matched = 0
    for _ in range(4000):
        words = generator.randint(1, 4)
        lists = [sorted(generator.sample(range(40), generator.randint(1, 6))) for _ in range(words)]
        slop = generator.choice([1, 1, 2, 3])
        expected = within_spans(lists, slop)
        assert within(lists, slop) == expected, (lists, slop)
        checked += 1
        matched += expected
    assert 200 < matched < checked - 200  # both answers are well represented
