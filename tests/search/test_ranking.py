"""Ranking on the real seed index: typos over a generated list, noise words, coverage,
and the graph's part (named things, eligible contracts, how-questions)."""

from __future__ import annotations

import re

from search_support import write_lesson

from kb.graph.db import Graph
from kb.graph.search_entities import eligible_contract_ids
from kb.search import Indexer, IndexStore, SearchService
from kb.search.inflections import spelled_stems
from kb.search.querying import NOISE_WORDS, parse_query
from kb.search.schema import INDEX_STOP_WORDS
from kb.search.spelling import Speller, single_edits
from kb.search.synonyms import key_tokens

#: Every STEP-th word of the index vocabulary is typed wrong in each of four ways.
STEP = 3


def _typos(word: str) -> dict[str, str]:
    """One typo of each kind, at positions that vary with the word."""
    i = len(word) // 2
    return {
        "deletion": word[:i] + word[i + 1 :],
        "insertion": word[:i] + "q" + word[i:],
        "substitution": word[:i] + ("e" if word[i] != "e" else "a") + word[i + 1 :],
        "transposition": word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :],
    }


def test_every_single_edit_typo_of_a_known_word_is_corrected(search: SearchService) -> None:
    """Over a generated list: every third word of four or more letters the index holds,
    typed with a deletion, an insertion, a substitution and a transposition. A typo that
    is itself a known word is not a typo to the index and is skipped. The correction
    must be the word, or another known word as close to the typo and at least as common
    (nothing but the index tells them apart)."""
    with search.searchers.searcher() as searcher:
        speller = Speller.of(searcher)
        words = sorted(w for w in speller.vocabulary if len(w) >= 4 and w.isalpha())[::STEP]
        assert len(words) > 500
        checked = exact = 0
        wrong: list[str] = []
        for word in words:
            for kind, typo in _typos(word).items():
                if typo == word or speller.knows(typo):
                    continue
                if typo in INDEX_STOP_WORDS or typo in NOISE_WORDS:
                    continue  # 'may' of 'many': a word the index drops, not a typo
                if set(key_tokens(word)) & set(spelled_stems(typo)):
                    continue  # 'favorite' of 'favourite': its other spelling, not a typo
                if search.thesaurus.knows(key_tokens(typo)[0] if key_tokens(typo) else typo):
                    continue  # an acronym of the thesaurus is left alone on purpose
                parsed = parse_query(
                    typo, search.thesaurus, speller.knows, speller.correct, speller.indexed
                )
                got = parsed.corrections.get(typo)
                checked += 1
                exact += got == word
                fair = {
                    w
                    for w in single_edits(typo)
                    if w in speller.vocabulary and speller.vocabulary[w] >= speller.vocabulary[word]
                }
                if got != word and got not in fair:
                    wrong.append(f"{kind} {typo!r} of {word!r} -> {got!r}")
    print(f"\n{checked} typos of {len(words)} words: {exact} back to the word itself")
    assert checked > 2000
    assert not wrong, f"{len(wrong)} of {checked} typos not corrected: {wrong[:20]}"


def test_the_suggestion_is_shown_with_the_corrected_results(search: SearchService) -> None:
    result = search.search("procurment protst", first=5)
    assert result.suggestion == "procurement protest"
    assert result.hits[0].id == "handling-bid-protests"
    transposed = search.search("protset", first=5)
    assert transposed.suggestion == "protest"
    first_letter = search.search("rotest", first=5)
    assert first_letter.suggestion == "protest"


def _marked(result: object) -> set[str]:
    hits = getattr(result, "hits", ())
    return {
        m.lower()
        for hit in hits
        for h in hit.highlights
        for f in h.fragments
        for m in re.findall(r"<mark>(.*?)</mark>", f)
    }


def test_noise_words_are_neither_matched_nor_highlighted(search: SearchService) -> None:
    result = search.search("can I use another state's contract to piggyback?", first=20)
    with search.searchers.searcher() as searcher:
        documents = searcher.doc_count() - 1  # the meta document
    assert result.total < documents / 2, f"{result.total} of {documents} documents match"
    marked = _marked(result)
    assert marked and not marked & {"use", "another", "can"}
    assert result.hits[0].id in {
        "local-government-use-of-state-contracts",
        "evaluating-a-cooperative-contract-before-use",
        "L-0034",
        "L-0102",
    }


def test_question_framing_words_are_neither_matched_nor_highlighted(
    search: SearchService,
) -> None:
    """ "need", "allowed", "what went wrong", "how long" frame the question; many records
    say "needed" or "wrong" in passing, and they must not be what a hit is for."""
    for text, framing in (
        ("do we need a bond before prepaying for a fire truck", {"need", "needs", "needed"}),
        ("is splitting a purchase under the p-card limit allowed", {"allowed"}),
        ("what went wrong with the motor grader bid", {"went", "wrong"}),
        ("how long does it take to get dispatch consoles installed", {"long"}),
    ):
        result = search.search(text, first=10)
        marked = _marked(result)
        assert marked and not marked & framing, f"{text!r}: {marked & framing}"
        # In quotes they are searched: records hold them, so the test can fail.
        assert any(search.search(f'"{word}"', first=1).total for word in framing), framing


def test_a_document_with_every_concept_beats_one_repeating_one(search: SearchService) -> None:
    hits = [h.id for h in search.search("vaccine cold chain rural clinics", first=3).hits]
    assert hits[0] == "L-0127"


def test_a_record_in_other_forms_of_the_words_is_found_first(
    seeded_graph: Graph, store: IndexStore
) -> None:
    """The Porter stemmer keeps "breaking" and "broken", "smaller" and "small" apart;
    their inflections join them, at the typed word's full credit."""
    write_lesson(
        seeded_graph,
        "L-9801",
        "Orders were broken up to stay under the small purchase limit",
        "Five orders on five days, each just below the limit.",
    )
    Indexer(seeded_graph, store).start()
    hits = SearchService(store).search("breaking orders into smaller ones", first=3).hits
    assert hits[0].id == "L-9801"


def test_the_graph_ranks_what_the_query_names(seeded_graph: Graph, store: IndexStore) -> None:
    Indexer(seeded_graph, store).start()
    service = SearchService(store, seeded_graph)
    try:
        eligible = set(eligible_contract_ids(seeded_graph, ["UT"]))
        assert eligible
        joinable = service.search("which contracts can Utah join?", first=10)
        first = [h for h in joinable.hits[: len(eligible)]]
        assert {(h.kind, h.id in eligible) for h in first} == {("contract", True)}
        # Without the graph, the same words give no such answer: the order comes from it.
        text_only = SearchService(store).search("which contracts can Utah join?", first=10)
        assert [h.id for h in text_only.hits] != [h.id for h in joinable.hits]

        how = service.search("how do I join a cooperative contract?", first=3)
        assert how.hits[0].id == "participating-addenda"

        # Lessons from the state the query names come before those from elsewhere, and
        # no lower than the text alone puts them.
        salt = [h for h in service.search("road salt Vermont", first=10).hits]
        lessons = [h for h in salt if h.kind == "lesson"]
        assert "VT" in lessons[0].states
        plain = [h.id for h in SearchService(store).search("road salt Vermont", first=10).hits]
        ours = [h.id for h in salt]
        assert ours.index(lessons[0].id) <= plain.index(lessons[0].id)

        # Typed in lower case, without a question mark, it is the same question.
        vermont = set(eligible_contract_ids(seeded_graph, ["VT"]))
        typed = service.search("which contracts can vermont join", first=10).hits
        assert vermont and {h.id for h in typed[: len(vermont)]} <= vermont

        # A question naming one contract lifts that contract, not the others of its
        # alliance (whose titles share "Sourcewell Fleet").
        named = "can our city still order off the sourcewell fleet vehicles contract"
        ranked = [h.id for h in service.search(named, first=10).hits]
        contracts = [i for i in ranked if i.startswith("sourcewell-")]
        assert contracts and contracts[0] == "sourcewell-vehicles-060920", ranked
        plain = [h.id for h in SearchService(store).search(named, first=10).hits]
        assert ranked.index(contracts[0]) <= [*plain, contracts[0]].index(contracts[0])

        # Naming a contract and saying "contract", or naming its alliance, asks for the
        # contract: before the lessons about it that share its words. Typed in any case.
        snowplows = [h.id for h in service.search("sourcewell snowplow contract", first=3).hits]
        assert snowplows[0] == "sourcewell-snowplows", snowplows
        mmcap = [h.id for h in service.search("mmcap pharmacy", first=3).hits]
        assert "mmcap-pharmaceuticals" in mmcap, mmcap
    finally:
        service.close()


def test_an_english_word_the_index_lacks_is_corrected_with_less_weight(
    search: SearchService,
) -> None:
    # The seed has no "hacked"; the speller's nearest word gets a quarter of the weight a
    # typo's correction gets, and the query's meaning reads "hacked" as typed.
    with search.searchers.searcher() as searcher:
        parsed, plan = search.plan(searcher, "vendor hacked")
        assert plan is not None
        wrong = next(iter(parsed.corrections))
        assert wrong == "hacked" and parsed.doubtful == {"hacked"}
        assert plan.text == "vendor hacked"
        by_typed = {c.typed: c.certainty for c in plan.concepts}
        assert sorted(by_typed.values()) == [0.25, 1.0]
        typo, typo_plan = search.plan(searcher, "vendor protst")
        assert typo_plan is not None and not typo.doubtful
        assert [c.certainty for c in typo_plan.concepts] == [1.0, 1.0]
