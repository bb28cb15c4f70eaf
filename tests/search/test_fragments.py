"""Highlights from texts analysed once (kb/search/fragments.py) against the analysis
of each hit for each search (Whoosh's way; test_scoring.py checks that one against
Whoosh's analyser): the same fragments, character for character, for every judged and
operator query in every document of the seed index."""

from __future__ import annotations

import re
from typing import Any

from search_support import judged_and_operator_queries

from kb.search import SearchService
from kb.search.fragments import AnalysedTexts, analyse, matched_tokens
from kb.search.hits import _PINPOINT, _WHOLE, WHOLE_FIELDS, Marker, _chain
from kb.search.service import HIGHLIGHT_FIELDS


def test_kept_analyses_give_the_same_fragments_for_every_query_and_document(
    search: SearchService,
) -> None:
    texts = AnalysedTexts()
    compared = marked = 0
    with search.searchers.searcher() as searcher:
        documents = [searcher.stored_fields(n) for n in range(searcher.doc_count_all())]
        for text in [*judged_and_operator_queries(), "bid protest protest bid", "the of a"]:
            _, plan = search.plan(searcher, text)
            if plan is None:
                continue
            marker = Marker(searcher, plan.query, texts=texts)
            each_time = Marker(searcher, plan.query, texts=None)
            for stored in documents:
                for name in HIGHLIGHT_FIELDS:
                    words = marker.words(name)
                    value = stored.get(name)
                    if not value or not words:
                        continue
                    highlighter = _WHOLE if name in WHOLE_FIELDS else _PINPOINT
                    ours = marker._fragment(highlighter, name, value)
                    theirs = each_time._fragment(highlighter, name, value)
                    assert ours == theirs, (text, name)
                    compared += 1
                    marked += "<mark>" in ours
    # Each text is analysed once, then served from the kept analyses.
    assert len(texts) <= len(documents) * len(HIGHLIGHT_FIELDS)
    assert compared > 10_000 and marked > 1_000


def test_consecutive_matches_reach_the_pinpoint_fragmenter_as_whoosh_hands_them(
    search: SearchService,
) -> None:
    # Whoosh's merge yields the second of two adjacent matched tokens as the analyser's
    # own token object, which ends as the text's last token: kept as it is.
    chain = _chain(_schema_analyzer(search))
    assert chain is not None
    analysed = analyse(chain, "Bid protests: a bid protest, then the end")
    words = frozenset({"bid", "protest"})
    shared = matched_tokens(analysed, words, shared=True)
    whole = matched_tokens(analysed, words, shared=False)
    assert shared is not None and whole is not None
    assert [(t.startchar, t.text) for t in whole] == [
        (0, "bid"),
        (4, "protest"),
        (16, "bid"),
        (20, "protest"),
    ]
    assert [(t.startchar, t.text, t.matched) for t in shared] == [
        (0, "bid", True),
        (38, "end", False),
        (16, "bid", True),
        (38, "end", False),
    ]
    assert shared[1] is shared[3]


def _schema_analyzer(search: SearchService) -> Any:
    with search.searchers.searcher() as searcher:
        return searcher.schema["body"].analyzer


def test_touching_matches_are_left_to_whoosh() -> None:
    letters: tuple[Any, ...] = (re.compile("[a-z]"), frozenset(), 1, None, True, str, frozenset())
    assert matched_tokens(analyse(letters, "ab c"), frozenset({"a", "b"}), True) is None
    found = matched_tokens(analyse(letters, "ab c"), frozenset({"a", "c"}), True)
    assert found is not None and [t.startchar for t in found] == [0, 3]


def test_kept_analyses_stay_within_their_byte_budget() -> None:
    letters: tuple[Any, ...] = (re.compile("[a-z]+"), frozenset(), 1, None, True, str, frozenset())
    one = analyse(letters, "worda " * 50)
    texts = AnalysedTexts(max_bytes=3 * one.size)
    for letter in "abcdefghij":
        texts.get(letters, f"word{letter} " * 50)
        assert texts.bytes <= texts.max_bytes
    assert len(texts) == 3
    # The least recently used is dropped first.
    texts.get(letters, "wordh " * 50)
    texts.get(letters, "wordk " * 50)
    assert texts.get(letters, "wordh " * 50) is texts.get(letters, "wordh " * 50)
    assert {key[1].split()[0] for key in texts._entries} == {"wordh", "wordj", "wordk"}


def test_kept_term_lookups_give_the_query_terms_the_reader_gives(search: SearchService) -> None:
    with search.searchers.searcher() as searcher:
        for text in [*judged_and_operator_queries(), "zzzunknown protest"]:
            _, plan = search.plan(searcher, text)
            if plan is None:
                continue
            for _ in range(2):  # looked up, then answered from what was kept
                marker = Marker(searcher, plan.query)
                for name in HIGHLIGHT_FIELDS:
                    theirs = plan.query.existing_terms(
                        searcher.reader(), fieldname=name, expand=True
                    )
                    field = searcher.schema[name]
                    assert marker.words(name) == {field.from_bytes(t) for _, t in theirs}, text
