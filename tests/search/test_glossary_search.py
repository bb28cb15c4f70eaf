"""Search uses the glossary: acronyms that found nothing before find their records.

On the seed, before the glossary, "MPA", "MA", "IDIQ" and "GPO" returned 0 results: no
record spells them out. Each now finds the records about what it stands for.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kb.search import SearchFilters, SearchService
from kb.search.synonyms import index_tokens
from kb.seed import SeedData


@pytest.fixture(scope="module")
def texts(seed_data: SeedData) -> dict[str, tuple[str, ...]]:
    """Each practice's and lesson's own text, as index tokens, by id."""
    found = {p.slug: index_tokens(" ".join((p.title, p.summary, p.body, *p.tags)))
             for p in seed_data.practices}  # fmt: skip
    for lesson in seed_data.lessons:
        parts = (lesson.title, lesson.context, lesson.lesson, lesson.recommendation, *lesson.tags)
        found[lesson.id] = index_tokens(" ".join(parts))
    return found


def _says(tokens: Sequence[str], phrases: Sequence[str]) -> bool:
    for phrase in map(index_tokens, phrases):
        n = len(phrase)
        if any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1)):
            return True
    return False


@pytest.mark.parametrize(
    ("query", "phrases"),
    [
        # A master agreement, by whichever name the record uses.
        ("MPA", ["master agreement", "master contract", "master services agreement", "MSA"]),
        ("IDIQ", ["indefinite delivery", "indefinite quantity"]),
        # MMCAP and the other pools call themselves purchasing cooperatives or alliances.
        ("GPO", ["purchasing cooperative", "purchasing alliance", "group purchasing"]),
    ],
)
def test_acronyms_no_record_spells_out_find_their_records(
    search: SearchService, texts: dict[str, tuple[str, ...]], query: str, phrases: list[str]
) -> None:
    assert not any(_says(tokens, [query]) for tokens in texts.values())  # no record says it
    result = search.search(query, SearchFilters(kinds=("practice", "lesson")), first=10)
    assert result.total > 0
    top = result.hits[:5]
    # Every hit of the first page says what the acronym stands for, in its own text.
    assert all(_says(texts[hit.id], phrases) for hit in top), [h.id for h in top]


def test_mpa_finds_the_master_agreement_practice_first(search: SearchService) -> None:
    result = search.search("MPA", first=5)
    assert "master-agreements-and-order-of-precedence" in [h.id for h in result.hits[:3]]
    assert result.total == search.search("master agreement").total


def test_ma_reads_as_master_agreement_and_as_massachusetts(search: SearchService) -> None:
    """ "MA" is the master agreement group and, one way, Massachusetts' state code: the
    records linked to Massachusetts (whose indexed names include the state's) are found
    too; "master agreement" itself does not widen to Massachusetts."""
    ma = search.search("MA", first=100)
    agreement = search.search("master agreement", first=100)
    massachusetts = search.search("Massachusetts", first=100)
    ma_ids = {h.id for h in ma.hits}
    assert agreement.total > 10 and massachusetts.total > 0
    assert {h.id for h in agreement.hits} <= ma_ids
    assert {h.id for h in massachusetts.hits} <= ma_ids
    assert ma.total == len({h.id for h in agreement.hits} | {h.id for h in massachusetts.hits})
    # Records from Massachusetts that never mention a master agreement are among them.
    from_ma = search.search("MA", SearchFilters(states=("MA",)), first=100)
    assert from_ma.total > 0
    assert {h.id for h in from_ma.hits} - {h.id for h in agreement.hits}
    # ...and the master agreement reading still ranks first.
    assert ma.hits[0].id in {h.id for h in agreement.hits[:5]}
    assert not {h.id for h in agreement.hits} & ({h.id for h in from_ma.hits} - ma_ids)


def test_a_phrase_of_the_group_finds_what_the_acronym_finds(search: SearchService) -> None:
    by_acronym = {h.id for h in search.search("IDIQ", first=50).hits}
    by_phrase = {h.id for h in search.search("indefinite delivery indefinite quantity").hits}
    assert by_acronym and by_phrase <= by_acronym


def test_pa_reads_as_participating_addendum_first_and_as_pennsylvania(
    search: SearchService,
) -> None:
    pa = search.search("PA", first=100)
    addendum = search.search("participating addendum", first=100)
    pennsylvania = search.search("Pennsylvania", first=100)
    assert pennsylvania.total > 0
    assert pa.total == len({h.id for h in addendum.hits} | {h.id for h in pennsylvania.hits})
    # The procurement reading ranks first: the top hits are participating addendum records.
    assert {h.id for h in pa.hits[:5]} <= {h.id for h in addendum.hits}
