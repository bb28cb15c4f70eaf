"""Reading a query without Neo4j: typo edits, the speller on a small real index, named
things and intent, noise words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from kb.graph.search_entities import NamedEntity
from kb.search.inflections import (
    SPELLINGS,
    WORD_FORMS,
    build_spellings,
    build_word_forms,
    inflected_stems,
    spelled_stems,
)
from kb.search.intent import Lexicon, read_intent
from kb.search.querying import DOUBTFUL_CERTAINTY, NOISE_WORDS, parse_query
from kb.search.schema import build_schema
from kb.search.spelling import Speller, single_edits
from kb.search.synonyms import Thesaurus

WORDS = "protest protests procurement addendum cooperative contract vehicles debarment"


def test_single_edits_hold_every_kind_of_edit() -> None:
    edits = single_edits("bond")
    assert {"bnd", "bod", "obnd", "bodn", "bomd", "bonds", "abond"} <= edits
    assert "bond" not in edits
    # deletions 4 + swaps 3 + replacements 4*35 + insertions 5*36, minus duplicates
    assert 300 < len(edits) <= 4 + 3 + 4 * 35 + 5 * 36


@pytest.fixture
def speller(tmp_path: Path) -> Iterator[Speller]:
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = ix.writer()
    writer.add_document(uid="lesson:L-1", id="L-1", kind="lesson", words=WORDS)
    writer.add_document(uid="lesson:L-2", id="L-2", kind="lesson", words="protest contracts")
    writer.commit()
    with ix.searcher() as searcher:
        yield Speller.of(searcher)


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("protst", "protest"),  # deletion
        ("proteest", "protest"),  # insertion
        ("prodest", "protest"),  # replacement
        ("portest", "protest"),  # transposition near the start
        ("rotest", "protest"),  # first letter gone: Whoosh's prefix=1 corrector misses it
        ("procurment", "procurement"),
        ("addednum", "addendum"),
    ],
)
def test_speller_corrects_each_single_edit(speller: Speller, typo: str, word: str) -> None:
    assert speller.correct(typo) == word


def test_speller_prefers_the_commoner_of_two_equally_close_words(speller: Speller) -> None:
    # "contracs" is one edit from "contract" (1 document) and "contracts" (1 document);
    # "protes" is one edit from "protest" (2 documents) and "protests" (1).
    assert speller.correct("protes") == "protest"
    assert speller.correct("contracs") in {"contract", "contracts"}


def test_speller_leaves_words_nothing_is_close_to(speller: Speller) -> None:
    assert speller.correct("zzzz") is None


def test_a_query_is_corrected_whole_and_the_suggestion_says_so(speller: Speller) -> None:
    thesaurus = Thesaurus.from_groups([])
    parsed = parse_query("procurment protst", thesaurus, speller.knows, speller.correct)
    assert parsed.corrected == "procurement protest"


def test_a_correction_of_an_english_word_counts_less_and_its_meaning_stays() -> None:
    # "hacked" is English but not in the index: it is corrected to the nearest indexed
    # word (the suggestion), searched with a quarter of the weight, and the query's
    # meaning reads it as typed. A non-word ("protst") is corrected with full weight.
    thesaurus = Thesaurus.from_groups([])
    known = {"vendor", "lacked", "protest"}.__contains__
    fixes = {"hacked": "lacked", "protst": "protest"}
    english = {"hacked", "lacked", "vendor", "protest"}.__contains__
    parsed = parse_query("vendor hacked protst", thesaurus, known, fixes.get, english=english)
    assert parsed.corrections == {"hacked": "lacked", "protst": "protest"}
    assert parsed.corrected == "vendor lacked protest"
    assert parsed.meant == "vendor hacked protest"
    certainty = {c.typed: c.certainty for c in parsed.should}
    assert certainty == {("vendor",): 1.0, ("lack",): DOUBTFUL_CERTAINTY, ("protest",): 1.0}
    # Without a dictionary every correction is certain.
    plain = parse_query("vendor hacked", thesaurus, known, fixes.get)
    assert [c.certainty for c in plain.should] == [1.0, 1.0]
    assert plain.meant == "vendor lacked"


def test_two_words_the_records_write_as_one_are_one_concept() -> None:
    # "mail room" where a record says "mailroom": one concept with both spellings. Only
    # with the index's vocabulary (``indexed``); a pair it does not hold stays two words.
    thesaurus = Thesaurus.from_groups([])
    indexed = {"mailroom", "mail", "room", "bid", "stuck"}.__contains__
    parsed = parse_query("bids stuck in the mail room", thesaurus, indexed, _none, indexed)
    alternatives = [c.alternatives for c in parsed.should]
    assert alternatives[-1] == (("mail", "room"), ("mailroom",))
    apart = parse_query("stuck bids", thesaurus, indexed, _none, indexed)
    assert [c.typed for c in apart.should] == [("stuck",), ("bid",)]


def test_a_typed_compound_the_records_write_apart_is_also_searched_apart() -> None:
    thesaurus = Thesaurus.from_groups([])
    indexed = {"mail", "room", "snowfal", "snow"}.__contains__
    known = {"mail", "room", "snowfall", "snow"}.__contains__
    parsed = parse_query("mailroom", thesaurus, known, _none, indexed)
    assert parsed.should[0].alternatives == (("mailroom",), ("mail", "room"))
    # A typo that also splits ("snowall": snow + all) is still corrected, and "all" is a
    # stop word, so there is no split to add.
    typo = parse_query("snowall", thesaurus, known, {"snowall": "snowfall"}.get, indexed)
    assert typo.corrections == {"snowall": "snowfall"}
    assert typo.should[0].alternatives[0] == ("snowfal",)


def _none(word: str) -> str | None:
    return None


def test_a_negative_contraction_is_read_as_its_words() -> None:
    # "couldn't" is "could not", not the word "couldn" to correct (the suggestion was
    # "could't"), and "won't" is not the word "won" (of an award).
    thesaurus = Thesaurus.from_groups([])
    fixes = {"couldn": "could", "didn": "did"}.get
    parsed = parse_query(
        "the printer couldn't keep up and won\u2019t answer", thesaurus, _known, fixes
    )
    assert parsed.corrections == {}
    assert parsed.corrected is None
    assert [c.typed for c in parsed.should] == [("printer",), ("keep",), ("answer",)]


def _known(word: str) -> bool:
    return word not in {"couldn", "didn", "won"}


def test_noise_words_are_not_concepts() -> None:
    thesaurus = Thesaurus.from_groups([])
    parsed = parse_query(
        "can I use another state's contract?", thesaurus, lambda w: True, lambda w: None
    )
    assert [c.alternatives for c in parsed.should] == [(("state",),), (("contract",),)]
    assert {"use", "another", "way"} <= NOISE_WORDS


def test_the_particle_of_a_phrasal_verb_is_not_a_concept() -> None:
    # "backed out", "show up": the particle says nothing about the topic, and as a rare
    # word in the records' register it would weigh more than the verb.
    thesaurus = Thesaurus.from_groups([["evergreen contract", "roll over"]])
    parsed = parse_query(
        "the vendor backed out and nobody showed up", thesaurus, lambda w: True, lambda w: None
    )
    typed = [c.typed for c in parsed.should]
    assert ("out",) not in typed and ("up",) not in typed
    assert ("back",) in typed and ("show",) in typed
    # Inside a phrase of the thesaurus the particle still counts.
    rolled = parse_query("a contract rolling over", thesaurus, lambda w: True, lambda w: None)
    assert ("roll", "over") in [c.typed for c in rolled.should]


def test_a_noise_word_inside_a_thesaurus_phrase_still_counts() -> None:
    thesaurus = Thesaurus.from_groups([["piggyback", "use another state's contract"]])
    parsed = parse_query("use another state's contract", thesaurus, lambda w: True, lambda w: None)
    assert len(parsed.should) == 1
    assert ("piggyback",) in parsed.should[0].alternatives


LEXICON = Lexicon.build(
    [
        NamedEntity("State", "UT", "Utah"),
        NamedEntity("State", "NM", "New Mexico"),
        NamedEntity("State", "MX", "Mexico"),
        NamedEntity("Category", "775", "Salt"),
        NamedEntity("Alliance", "tips", "TIPS"),
        NamedEntity("Alliance", "sourcewell", "Sourcewell"),
        NamedEntity("Alliance", "mmcap", "MMCAP"),
        NamedEntity("Contract", "nvp-cloud-solutions", "Cloud Solutions (SaaS, PaaS, IaaS)"),
    ],
    {"tips", "salt", "cloud", "solutions"}.__contains__,  # the English words among them
)


def test_questions_about_contracts_a_state_can_join_are_read_as_such() -> None:
    intent = read_intent("which contracts can Utah join?", LEXICON)
    assert intent.states == ("UT",) and intent.wants_eligible_contracts
    assert not read_intent("Utah road salt contracts", LEXICON).wants_eligible_contracts
    assert not read_intent("how do I join a cooperative contract?", LEXICON).states


def test_how_questions_ask_for_practices_but_how_long_does_not() -> None:
    assert read_intent("how do I write a statement of work?", LEXICON).wants_practices
    assert read_intent("How to run a reverse auction", LEXICON).wants_practices
    assert not read_intent("how long can emergency purchasing last?", LEXICON).wants_practices
    assert not read_intent("what is a participating addendum?", LEXICON).wants_practices


def test_named_things_longest_first_acronyms_only_in_capitals() -> None:
    assert read_intent("road salt New Mexico", LEXICON).states == ("NM",)
    assert read_intent("road salt New Mexico", LEXICON).categories == ("775",)
    assert read_intent("TIPS job order", LEXICON).alliances == ("tips",)
    assert read_intent("tips for writing an RFP", LEXICON).alliances == ()
    # A name that is no English word names its alliance however it is typed.
    assert read_intent("sourcewell snowplows", LEXICON).alliances == ("sourcewell",)
    assert read_intent("mmcap pharmacy", LEXICON).alliances == ("mmcap",)
    assert read_intent("cloud solutions terms", LEXICON).contracts == ("nvp-cloud-solutions",)


def test_which_contract_questions_and_named_alliances_ask_for_contracts() -> None:
    def wants(text: str) -> bool:
        return read_intent(text, LEXICON).wants_contracts

    assert wants("is there a contract for copiers")
    assert wants("which cooperative contract covers cloud services")
    assert wants("mmcap pharmacy") and wants("Sourcewell snowplows")
    assert wants("cloud solutions contract")  # names a contract and says "contract"
    # A title's first words alone are a topic; how and why ask for practices and lessons;
    # a question about joining asks for the state's eligible contracts instead.
    assert not wants("cloud solutions terms")
    assert not wants("how do I order from Sourcewell") and not wants("contract extension audit")
    assert not wants("which contracts can Utah join?")


def _typed(text: str, thesaurus: Thesaurus | None = None) -> list[tuple[str, ...] | None]:
    parsed = parse_query(
        text, thesaurus or Thesaurus.from_groups([]), lambda w: True, lambda w: None
    )
    return [c.typed for c in parsed.should]


def test_question_framing_words_are_not_concepts() -> None:
    assert _typed("what do we need to award a fleet contract") == [
        ("award",),
        ("fleet",),
        ("contract",),
    ]
    assert _typed("is a sole source allowed for software renewals") == [
        ("sole",),
        ("sourc",),
        ("softwar",),
        ("renew",),
    ]
    assert _typed("what went wrong with the salt contract") == [("salt",), ("contract",)]
    assert _typed("how long does a bid protest take") == [("bid",), ("protest",), ("take",)]
    assert _typed("which cooperative contract covers cloud services") == [("cloud",), ("servic",)]
    assert _typed("is there a contract for copiers") == [("copier",)]
    # Beside other words they are the topic: "long" of a long-term lease, "wrong" bids.
    assert _typed("long term vehicle lease") == [("long",), ("term",), ("vehicl",), ("leas",)]
    assert _typed("wrong delivery address") == [("wrong",), ("deliveri",), ("address",)]


def test_a_glossary_phrase_with_a_framing_word_is_kept_whole() -> None:
    thesaurus = Thesaurus.from_groups([["needs assessment", "requirements definition"]])
    assert _typed("do we need a needs assessment", thesaurus) == [("need", "assess")]


def test_what_happened_questions_ask_for_lessons() -> None:
    for text in (
        "why did the bid protest get upheld",
        "Why was the low bid rejected?",
        "what went wrong with the salt contract",
        "what happened when cities used the addendum",
        "what did other states learn from the cloud contract",
    ):
        assert read_intent(text, LEXICON).wants_lessons, text
    for text in (
        "Why should evaluators score independently?",
        "how do I join a cooperative contract?",
        "bid protest lessons",
    ):
        assert not read_intent(text, LEXICON).wants_lessons, text


def test_a_word_brings_its_other_forms_credited_as_itself() -> None:
    parsed = parse_query(
        "breaking smaller", Thesaurus.from_groups([]), lambda w: True, lambda w: None
    )
    breaking, smaller = parsed.should
    assert breaking.typed == ("break",) and ("broken",) in breaking.forms
    assert smaller.typed == ("smaller",) and ("small",) in smaller.forms
    assert set(breaking.forms) <= set(breaking.alternatives)
    # A phrase in quotes is searched as written; a word the dictionary lacks has no forms.
    quoted = parse_query(
        '"breaking news" zzyzx', Thesaurus.from_groups([]), lambda w: True, lambda w: None
    )
    assert quoted.should and all(c.forms == () for c in quoted.should)


def test_the_word_forms_file_is_the_dictionarys_groups() -> None:
    """kb/search/word_forms.txt is what scripts/word_forms.py builds from LemmInflect."""
    assert WORD_FORMS.read_text(encoding="utf-8") == build_word_forms()
    assert inflected_stems("broken") == ("break", "broke", "broken")
    assert inflected_stems("purchasing") == ()  # its forms all stem alike


def test_the_spellings_file_is_breames_table() -> None:
    """kb/search/spellings.txt is what scripts/word_forms.py builds from Breame."""
    assert SPELLINGS.read_text(encoding="utf-8") == build_spellings()
    assert spelled_stems("labor") == ("labour",) and spelled_stems("labour") == ("labor",)
    assert spelled_stems("procurement") == ()
    assert spelled_stems("canceled") == ()  # "cancelled" stems alike: nothing to add


def test_an_american_spelling_finds_the_british_one_and_is_not_a_typo() -> None:
    # The seed writes "labour"; a buyer types "labor", an English word the index lacks.
    # Read as a typo, it would be corrected with a quarter of its weight (or to some
    # other word); it is the same word, so it keeps its weight and brings "labour".
    thesaurus = Thesaurus.from_groups([])
    known = {"labour", "tyre", "warranty"}.__contains__
    indexed = {"labour", "tyre", "warranti"}.__contains__
    fixes = {"labor": "labour", "tire": "tyre"}
    english = {"labor", "labour", "tire", "tyre", "warranty"}.__contains__
    parsed = parse_query("labor tire warranty", thesaurus, known, fixes.get, indexed, english)
    assert parsed.corrections == {}
    labor, tire, _ = parsed.should
    assert labor.typed == ("labor",) and ("labour",) in labor.forms and labor.certainty == 1.0
    assert tire.typed == ("tire",) and ("tyre",) in tire.forms
    # A British spelling typed against American records works the same way.
    known_us = {"labor"}.__contains__
    us = parse_query("labour", thesaurus, known_us, fixes.get, {"labor"}.__contains__, english)
    assert us.corrections == {} and ("labor",) in us.should[0].forms
