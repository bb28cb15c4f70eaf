"""Searching the seed index: ranking, highlights, facets, filters, pages, suggestions."""

from __future__ import annotations

from search_support import write_lesson

from kb.graph.db import Graph
from kb.search import Indexer, IndexStore, SearchFilters, SearchService
from kb.seed import SeedData


def ids(result: object) -> list[str]:
    return [hit.id for hit in result.hits]  # type: ignore[attr-defined]


def test_index_holds_every_practice_lesson_and_contract(
    seed_index: IndexStore, search: SearchService, seed_data: SeedData
) -> None:
    result = search.search("", first=1)
    counts = {f.value: f.count for f in result.facets["kind"]}
    assert counts == {
        "practice": len(seed_data.practices),
        "lesson": len(seed_data.lessons),
        "contract": len(seed_data.contracts),
    }
    assert result.total == sum(counts.values())


def test_search_highlights_matching_words(search: SearchService) -> None:
    hit = search.search("bid protest", first=3).hits[0]
    fragments = [f for h in hit.highlights for f in h.fragments]
    assert any("<mark>protest</mark>" in f.lower() for f in fragments), fragments
    title = next(h for h in hit.highlights if h.field == "title")
    assert "<mark>" in title.fragments[0]


def test_highlights_escape_html(seeded_graph: Graph, store: IndexStore) -> None:
    # No seed record holds markup, so a lesson with a <script> tag and an ampersand is
    # written (with its change entry) and indexed as any write would be.
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    write_lesson(
        seeded_graph, "L-9201", "Vendor portal <script>alert(1)</script> & upload form",
        "The portal echoed <script> tags & stray quotes back into the vendor page.",
    )  # fmt: skip
    indexer.catch_up()
    hit = SearchService(store).search("script", first=3).hits[0]
    assert hit.id == "L-9201"
    title = next(h for h in hit.highlights if h.field == "title")
    assert title.fragments == (
        "Vendor portal &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
        " &amp; upload form",
    )
    body = " ".join(f for h in hit.highlights if h.field == "body" for f in h.fragments)
    assert "&lt;<mark>script</mark>&gt; tags &amp; stray" in body, hit.highlights
    for highlight in hit.highlights:
        for fragment in highlight.fragments:
            assert "<script" not in fragment and " & " not in fragment, fragment


def test_acronym_finds_the_spelled_out_form(search: SearchService) -> None:
    # The practice says "best and final offers"; the lessons use both.
    assert ids(search.search("BAFO", first=3))[0] == "negotiating-after-best-and-final-offers"


def test_synonym_absent_from_text_still_matches(search: SearchService) -> None:
    # No record says "defibrillator": the seed writes AED.
    assert "L-0038" in ids(search.search("defibrillators for schools", first=5))


def test_question_words_do_not_block_matches(search: SearchService) -> None:
    result = search.search("How should we handle a bid protest?", first=5)
    assert ids(result)[0] == "handling-bid-protests"


def test_typo_is_corrected_and_suggested(search: SearchService) -> None:
    result = search.search("purchasng card", first=5)
    assert result.suggestion == "purchasing card"
    assert "purchasing-card-programs" in ids(result)


def test_an_american_spelling_finds_the_british_records(search: SearchService) -> None:
    # The seed writes "labour hours"; "labor" is the same word, not a typo to suggest
    # away, and "labour" is highlighted.
    result = search.search("labor hours", first=3)
    assert result.suggestion is None
    assert ids(result)[0] == "L-0049", ids(result)
    marked = " ".join(f for h in result.hits[0].highlights for f in h.fragments)
    assert "<mark>labour</mark>" in marked.lower(), marked


def test_a_question_for_a_contract_answers_with_contracts(search: SearchService) -> None:
    # The practice on aggregating copiers and the copier lessons share the words; the
    # question asks for the contract itself.
    assert ids(search.search("is there a contract for copiers", first=3))[0] == "nvp-copiers"


def test_correct_spelling_gives_no_suggestion(search: SearchService) -> None:
    assert search.search("purchasing card").suggestion is None


def test_field_query_restricts_to_a_state(search: SearchService) -> None:
    result = search.search("cloud state:UT", first=20)
    assert result.hits and all("UT" in hit.states for hit in result.hits)
    assert {"L-0063", "L-0134"} <= set(ids(result))


def test_quoted_phrase_requires_the_words_together(search: SearchService) -> None:
    result = search.search('"order of precedence"', first=50)
    assert "master-agreements-and-order-of-precedence" in ids(result)
    # Both words are rare enough that either alone makes a hit when not quoted.
    together = search.search('"cold chain"', first=50)
    loose = search.search("cold chain", first=50)
    assert 0 < together.total < loose.total
    assert set(ids(together)) <= set(ids(loose))


def test_excluded_word_removes_hits(search: SearchService) -> None:
    with_salt = set(ids(search.search("winter", first=100)))
    without = set(ids(search.search("winter -salt", first=100)))
    assert "L-0111" in with_salt and "L-0111" not in without
    assert without < with_salt


def test_facets_count_every_match_not_only_the_page(search: SearchService) -> None:
    result = search.search("cooperative", first=2)
    assert len(result.hits) == 2
    assert sum(f.count for f in result.facets["kind"]) == result.total > 2
    assert result.facets["state"] and result.facets["alliance"] and result.facets["year"]


def test_filters_narrow_by_kind_state_and_year(search: SearchService) -> None:
    filters = SearchFilters(kinds=("lesson",), states=("TX",))
    result = search.search("fleet", filters, first=50)
    assert result.hits
    assert all(hit.kind == "lesson" and "TX" in hit.states for hit in result.hits)
    assert {f.value for f in result.facets["kind"]} == {"lesson"}
    years = search.search("", SearchFilters(years=("2023",)), first=100)
    assert years.hits and all((hit.date or "").startswith("2023") for hit in years.hits)


def test_filter_by_alliance_and_category(search: SearchService) -> None:
    result = search.search("", SearchFilters(alliances=("mmcap",), categories=("266",)), first=50)
    assert result.hits
    assert all("mmcap" in h.alliances and "266" in h.categories for h in result.hits)


def test_pages_walk_every_hit_once(search: SearchService) -> None:
    seen: list[str] = []
    after = None
    first_page = search.search("contract", first=7)
    while True:
        page = search.search("contract", first=7, after=after)
        seen.extend(f"{h.kind}:{h.id}" for h in page.hits)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert len(seen) == len(set(seen)) == first_page.total


def test_blank_query_lists_newest_first(search: SearchService) -> None:
    result = search.search("", SearchFilters(kinds=("lesson",)), first=20)
    dates = [hit.date for hit in result.hits]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    assert all(hit.score == 0.0 for hit in result.hits)


def test_related_blends_text_and_graph(seeded_graph: Graph, store: IndexStore) -> None:
    Indexer(seeded_graph, store).start()
    service = SearchService(store, seeded_graph)
    related = service.related("practice", "handling-bid-protests", first=6)
    keys = [(r.kind, r.id) for r in related]
    assert ("practice", "handling-bid-protests") not in keys
    # Linked in the graph (related practice, its lessons) and similar in text.
    assert ("practice", "award-notice-and-debriefings") in keys
    assert ("lesson", "L-0019") in keys
    assert any(r.graph_score > 0 and r.text_score > 0 for r in related)
    scores = [r.score for r in related]
    assert scores == sorted(scores, reverse=True)
    lesson = service.related("lesson", "L-0134", first=5)
    assert (lesson[0].kind, lesson[0].id) == ("practice", "cloud-services-procurement")


def test_related_of_an_unknown_id_is_empty(search: SearchService) -> None:
    assert search.related("lesson", "L-9999") == []
