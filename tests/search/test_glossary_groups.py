"""Search groups stay tight: why no group of the glossary floods results.

A group widens every query that names one of its phrases to all the others. It floods
when that widening reaches a large part of the knowledge base, which happens in three
ways, each checked here against the seed (236 practices, lessons and contracts) and
each shown to fail on a loose group:

1. a phrase is a common English word ("tips" for The Interlocal Purchasing System,
   "challenge" for a protest, "use", "another"): it matches text about anything;
2. the group as a whole matches a large share of the documents (procurement =
   purchasing = acquisition), or adds many documents the typed phrase alone would not
   find (the expansion, not the word, does the flooding);
3. two groups share a query key after stemming ("responsible bidder" and "responsive
   bidder" are both "respons bidder" to the Porter stemmer), so a query lands in a
   group that is not its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pytest

from kb.domain.glossary import Glossary, GlossaryKind, Term, default_glossary
from kb.search.synonyms import Thesaurus, index_tokens, key_tokens
from kb.seed import SeedData

#: A group may match at most this share of the seed's documents. The widest today are
#: the trade's own everyday words ("vendor"/"supplier" about 31%, because most
#: lessons are about vendors); a third is far from the flood the issue reported (a
#: piggyback question matching 195 of 236 documents, 83%).
MAX_SHARE = 1 / 3
#: The expansion may add at most this share of documents beyond what the best single
#: phrase of the group finds by itself (today at most 18 of 236, vendor -> supplier).
MAX_GAIN = 0.10

#: General English words that say nothing about a procurement topic. A group holding
#: one as a phrase matches every text that uses the word in its everyday sense.
_COMMON = """
    use used using another other new old good best better way ways thing things make
    made get take give help need needs work works time times day days year years
    part parts place case cases point points fact group groups number people person
    state states contract contracts service services purchase purchases buy buying
    order orders price prices cost costs plan plans process program management
    public government agency agencies entity entities office offices team teams
    challenge challenges tips tip ice cap caps key keys term terms line lines issue
    issues change changes cover covers run runs set sets list lists call calls
    report reports review reviews check checks form forms record records support
    open close end start step steps level levels rate rates base fair clear
    maintenance repair repairs supplies equipment delivery damage
"""
COMMON_WORDS = frozenset(_COMMON.split())


@dataclass(frozen=True)
class GroupReport:
    """How one search group behaves on a corpus."""

    name: str
    matched: int
    gain: int
    common: tuple[str, ...]


def seed_documents(seed: SeedData) -> list[tuple[str, ...]]:
    """The seed's searchable text, one token sequence per document (as the index has it)."""
    texts = [" ".join((p.title, p.summary, p.body, *p.tags)) for p in seed.practices]
    texts += [
        " ".join((lesson.title, lesson.context, lesson.lesson, lesson.recommendation,
                  *lesson.tags))
        for lesson in seed.lessons
    ]  # fmt: skip
    texts += [" ".join((c.title, c.description)) for c in seed.contracts]
    return [index_tokens(text) for text in texts]


class Corpus:
    """Documents as token sequences, with the documents of each token for speed."""

    def __init__(self, docs: list[tuple[str, ...]]) -> None:
        self.docs = docs
        self.by_token: dict[str, set[int]] = {}
        for number, doc in enumerate(docs):
            for token in doc:
                self.by_token.setdefault(token, set()).add(number)
        self._cache: dict[tuple[str, ...], set[int]] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def matching(self, phrase: tuple[str, ...]) -> set[int]:
        """The documents holding ``phrase`` (consecutive tokens)."""
        if phrase not in self._cache:
            candidates = set.intersection(*(self.by_token.get(t, set()) for t in phrase))
            self._cache[phrase] = {n for n in candidates if _contains(self.docs[n], phrase)}
        return self._cache[phrase]


def _contains(doc: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(doc[i : i + n]) == tuple(phrase) for i in range(len(doc) - n + 1))


def group_reports(glossary: Glossary, docs: Corpus) -> list[GroupReport]:
    """Each search group's reach on ``docs``."""
    reports = []
    for root, phrases in glossary.search_groups():
        alternatives = {index_tokens(p) for p in phrases} - {()}
        hits = {a: docs.matching(a) for a in alternatives}
        union = set().union(*hits.values())
        best = max(len(h) for h in hits.values())
        spelling = all(t.kind is GlossaryKind.SPELLING for t in glossary.group_members(root))
        # A spelling group only joins two spellings of one word: the word is typed anyway.
        common = () if spelling else tuple(p for p in phrases if p.lower() in COMMON_WORDS)
        reports.append(GroupReport(root.name, len(union), len(union) - best, common))
    return reports


def shared_keys(glossary: Glossary) -> list[str]:
    """Query keys that two groups both claim."""
    owners: dict[tuple[str, ...], str] = {}
    clashes = []
    for root, phrases in glossary.search_groups():
        for phrase in phrases:
            key = key_tokens(phrase)
            owner = owners.setdefault(key, root.name)
            if owner != root.name:
                clashes.append(f"{phrase!r} of {root.name!r} is {key} like a phrase of {owner!r}")
    return clashes


def problems(glossary: Glossary, docs: Corpus) -> list[str]:
    """Every way a group of ``glossary`` floods results on ``docs`` (empty when tight)."""
    found = []
    for report in group_reports(glossary, docs):
        if report.common:
            found.append(f"{report.name}: common English word(s) {list(report.common)}")
        if report.matched > MAX_SHARE * len(docs):
            found.append(f"{report.name}: matches {report.matched} of {len(docs)} documents")
        if report.gain > MAX_GAIN * len(docs):
            found.append(f"{report.name}: the expansion adds {report.gain} documents")
    return found + shared_keys(glossary)


def _with(glossary: Glossary, extra: Iterable[Term]) -> Glossary:
    return Glossary(tuple(glossary.terms) + tuple(extra))


def _term(name: str, expansion: str, *also: str) -> Term:
    return Term(name, expansion, GlossaryKind.PURCHASING, "A test group.", "https://example.org/x",
                also_known_as=also)  # fmt: skip


@pytest.fixture(scope="module")
def docs(seed_data: SeedData) -> Corpus:
    return Corpus(seed_documents(seed_data))


def test_no_group_floods_the_seed(docs: Corpus) -> None:
    assert len(docs) == 276
    assert problems(default_glossary(), docs) == []


def test_the_widest_groups_are_the_ones_stated(docs: Corpus) -> None:
    reports = sorted(group_reports(default_glossary(), docs), key=lambda r: -r.matched)
    widest = reports[0]
    assert widest.name == "vendor"
    assert 0.25 * len(docs) < widest.matched <= MAX_SHARE * len(docs)
    # Most groups are narrow: the median group matches a handful of documents.
    assert reports[len(reports) // 2].matched <= 5


@pytest.mark.parametrize(
    ("loose", "why"),
    [
        (_term("TIPS", "The Interlocal Purchasing System", "tips"), "common English word"),
        (_term("protest wide", "vendor protest", "challenge"), "common English word"),
        (_term("procurement", "procurement", "purchasing", "acquisition", "buying"),
         "documents"),
        (_term("coop wide", "cooperative", "cooperative", "contract"), "common English word"),
        (_term("respons", "responsive bidder"), "like a phrase of"),
    ],
)  # fmt: skip
def test_a_loose_group_is_caught(docs: Corpus, loose: Term, why: str) -> None:
    found = problems(_with(default_glossary(), [loose]), docs)
    assert any(loose.name in p and why in p for p in found), found


def test_thesaurus_is_compiled_from_the_glossary() -> None:
    thesaurus = Thesaurus.from_glossary(default_glossary())
    groups = list(default_glossary().search_groups())
    readings = [t.name for t in default_glossary() if t.name_also_means]
    assert readings == ["MA", "PA"]  # the two acronyms that are also state codes
    # One compiled group per search group, plus one per one-way reading of a name.
    assert len(thesaurus.groups) == len(groups) + len(readings)
    mpa = thesaurus.alternatives(key_tokens("MPA"))
    assert ("master", "agreement") in mpa and ("master", "servic", "agreement") in mpa
    assert ("massachusett",) not in mpa
    assert ("massachusett",) in thesaurus.alternatives(key_tokens("MA"))
    assert thesaurus.alternatives(key_tokens("Massachusetts")) == (("massachusett",),)
