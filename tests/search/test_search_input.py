"""Bad input: every case gives a sensible result or a SearchInputError, never a crash."""

from __future__ import annotations

import pytest
from search_support import write_lesson

from kb.graph.db import Graph
from kb.search import Indexer, IndexStore, SearchFilters, SearchInputError, SearchService

#: (typed query, the query it means, a seed record it must find or None for no hits).
#: The meaning is what the parser documents: stray syntax and control characters are
#: dropped, an unclosed quote runs to the end, an unknown field is a plain word, a
#: prefix needs two letters, stop words and the seed's absent scripts match nothing.
ODD_QUERIES = [
    ('"unbalanced quote', '"unbalanced quote"', None),
    ('bid "protest', 'bid "protest"', "handling-bid-protests"),
    ("(bid protest", "bid protest", "handling-bid-protests"),
    ("bid protest)", "bid protest", "handling-bid-protests"),
    ("((()))", None, None),
    ("AND", None, None),
    ("OR OR", None, None),
    ("NOT", None, None),
    ("protest AND", "protest", "handling-bid-protests"),
    ("- + ! && ||", None, None),
    ("state:", "state", "lead-state-model"),
    ("title:", "title", None),
    ("nosuchfield:value", "nosuchfield value", None),
    (":::", None, None),
    ("cloud\x00\x07\x1b[31m", "cloud 31m", "cloud-services-procurement"),
    ("\u200b\u202e protest", "protest", "handling-bid-protests"),
    ("🙂🚒", None, None),
    ("入札 抗議", None, None),
    ("протест закупки", None, None),
    ("احتجاج", None, None),
    ("p*", None, None),
    ("a" * 400, None, None),
    ("the of and", None, None),
]


def test_a_prefix_finds_words_that_start_with_it(search: SearchService) -> None:
    result = search.search("pro*", first=5)
    whole = search.search("protest", first=5)
    assert result.total > whole.total > 0
    for hit in result.hits:
        marked = [f for h in hit.highlights for f in h.fragments if "<mark>pro" in f.lower()]
        assert marked, f"{hit.id}: no word starting with 'pro' marked"


@pytest.mark.parametrize(
    ("query", "means", "finds"), ODD_QUERIES, ids=[f"odd-{i}" for i in range(len(ODD_QUERIES))]
)
def test_odd_query_gives_what_it_means(
    search: SearchService, query: str, means: str | None, finds: str | None
) -> None:
    result = search.search(query, first=5)
    found = [h.id for h in result.hits]
    assert result.suggestion is None
    assert len(found) == min(result.total, 5) and result.has_next_page == (result.total > 5)
    if means is None and finds is None:
        assert (result.total, found) == (0, [])
    if means is not None:
        twin = search.search(means, first=5)
        assert (result.total, found) == (twin.total, [h.id for h in twin.hits])
        assert result.total > 0 or means.startswith('"')
    if finds is not None:
        assert finds in found


def test_prefix_matches_more_than_any_one_word(search: SearchService) -> None:
    # "pro*" covers protest, proposal, procurement...: more than "protest" alone.
    assert search.search("pro*").total > search.search("protest").total > 0


def test_stray_syntax_still_finds_the_words(search: SearchService) -> None:
    for query in ['"bid protest', "(bid protest", "bid protest)", "protest AND"]:
        result = search.search(query, first=5)
        assert "handling-bid-protests" in [h.id for h in result.hits], query


def test_control_characters_are_ignored(search: SearchService) -> None:
    clean = search.search("cloud", first=5)
    dirty = search.search("clo\x00ud\x07", first=5)
    # The NUL splits the word; the query still runs and control chars never reach Whoosh.
    assert dirty.query == "clo ud"
    assert [h.id for h in search.search("\x1bcloud\x1b", first=5).hits] == [
        h.id for h in clean.hits
    ]


def test_star_alone_lists_everything(search: SearchService) -> None:
    assert search.search("*").total == search.search("").total > 200


def test_emoji_and_stop_words_match_nothing(search: SearchService) -> None:
    assert search.search("🙂🚒").total == 0
    assert search.search("what is the").total == 0


def test_other_scripts_are_searched_as_words(seeded_graph: Graph, store: IndexStore) -> None:
    # The seed is English only, so a lesson in other scripts is written for this test.
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    text = "入札 抗議 の記録. Протест закупки отклонён. احتجاج المناقصة"
    write_lesson(seeded_graph, "L-9101", "Multilingual protest notes", text)
    indexer.catch_up()
    service = SearchService(store)
    for word in ["入札", "抗議", "протест", "закупки", "احتجاج"]:
        assert [h.id for h in service.search(word, first=5).hits] == ["L-9101"], word
    # A word is matched whole, not by a character it shares with another word.
    assert service.search("入").total == 0


def test_prefix_query(search: SearchService) -> None:
    result = search.search("negotiat*", first=10)
    assert "negotiating-after-best-and-final-offers" in [h.id for h in result.hits]


def test_ten_thousand_characters_are_refused(search: SearchService) -> None:
    with pytest.raises(SearchInputError, match="10000 characters long; at most 500"):
        search.search("x" * 10_000)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"first": 0}, "first=0 is out of range"),
        ({"first": 1000}, "first=1000 is out of range"),
        ({"after": "not-a-cursor"}, "cursor 'not-a-cursor' is not a search cursor"),
        ({"filters": SearchFilters(kinds=("policy",))}, "kind filter 'policy'"),
        ({"filters": SearchFilters(years=("last year",))}, "year filter 'last year'"),
    ],
)
def test_bad_arguments_name_the_value(
    search: SearchService, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(SearchInputError, match=message):
        search.search("cloud", **kwargs)  # type: ignore[arg-type]


def test_non_text_query_is_refused(search: SearchService) -> None:
    with pytest.raises(SearchInputError, match="query must be text"):
        search.search(42)  # type: ignore[arg-type]
