"""Acronyms a record defines ("a master price agreement (MPA)") are searched as the
phrase they stand for, in every record, although the glossary does not know them."""

from __future__ import annotations

import pytest
from search_support import write_lesson

from kb.graph.db import Graph
from kb.search import Indexer, IndexStore, SearchService
from kb.search.synonyms import default_thesaurus, defined_long_forms, key_tokens, long_form


@pytest.mark.parametrize(
    ("short", "before", "expected"),
    [
        ("MWBE", "a goal for minority- and women-owned business enterprise",
         "minority- and women-owned business enterprise"),
        ("FSMC", "The district hired a food service management company",
         "food service management company"),
        ("RFQ", "purchasing issued an emergency request for quotes", "request for quotes"),
        ("SAT", "above the simplified acquisition threshold", "simplified acquisition threshold"),
    ],
)  # fmt: skip
def test_long_form_is_the_words_the_letters_start(short: str, before: str, expected: str) -> None:
    assert long_form(short, before) == expected


@pytest.mark.parametrize(
    ("short", "before"),
    [
        ("MWBE", "a goal for small local firms"),  # the letters are not there
        ("ESG", "the vendor said no"),
        ("AB", "x"),  # nothing to abbreviate
    ],
)
def test_long_form_is_none_where_the_words_do_not_spell_it(short: str, before: str) -> None:
    assert long_form(short, before) is None


def test_defined_long_forms_reads_only_the_sentence_before_the_parenthesis() -> None:
    texts = [
        "Bids were late. The guaranteed maximum price (GMP) was set in May.",
        "A GMP (see above) was exceeded.",  # a parenthesis that defines nothing
        "Set a guaranteed maximum price (gmp) early.",  # the same form, written lower case
    ]
    assert defined_long_forms("GMP", texts) == ("guaranteed maximum price",)


def test_a_record_defined_acronym_finds_records_that_only_spell_it_out(
    seeded_graph: Graph, store: IndexStore
) -> None:
    # "ZQPA" is in no glossary; one record defines it, another only spells it out.
    assert key_tokens("ZQPA") not in default_thesaurus().keys
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    write_lesson(
        seeded_graph, "L-9901", "Cities joined through the zonal quarterly price agreement",
        "Cities ordered under the zonal quarterly price agreement (ZQPA) without a new bid.",
    )  # fmt: skip
    write_lesson(
        seeded_graph, "L-9902", "A zonal quarterly price agreement needed a renewal calendar",
        "Renewals of the zonal quarterly price agreement were missed twice.",
    )  # fmt: skip
    indexer.catch_up()
    service = SearchService(store)
    hits = [h.id for h in service.search("ZQPA", first=10).hits]
    # The defining record first (it has the acronym itself), then the one that only
    # spells the phrase out; no other record of the seed shares the phrase.
    assert hits == ["L-9901", "L-9902"]
    # Without a defining record the acronym only matches itself.
    assert [h.id for h in service.search("ZQPB", first=10).hits] == []
