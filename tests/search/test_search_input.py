"""Bad input: every case gives a sensible result or a SearchInputError, never a crash."""

from __future__ import annotations

import pytest

from kb.search import SearchFilters, SearchInputError, SearchService


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        'bid "protest',
        "(bid protest",
        "bid protest)",
        "((()))",
        "AND",
        "OR OR",
        "NOT",
        "protest AND",
        "- + ! && ||",
        "state:",
        "title:",
        "nosuchfield:value",
        ":::",
        "cloud\x00\x07\x1b[31m",
        "\u200b\u202e protest",
        "🙂🚒",
        "入札 抗議",
        "протест закупки",
        "احتجاج",
        "p*",
        "pro*",
        "a" * 400,
        "the of and",
    ],
)
def test_odd_queries_give_a_result(search: SearchService, query: str) -> None:
    result = search.search(query, first=5)
    assert result.total >= 0
    assert len(result.hits) <= 5


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


def test_other_scripts_are_searched_as_words(search: SearchService) -> None:
    assert search.search("入札").total == 0


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
