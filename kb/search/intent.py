"""What a query names and what it asks for.

A query may name states ("Utah"), categories ("road salt" names the class *Salt*),
alliances ("Sourcewell", "MMCAP") and contracts (by their title); the ranking favours
documents the graph links to them. It may also ask a question whose answer is a kind of
record: "which contracts can Utah join?" wants Utah's eligible contracts (from the
graph), "how do I ...?" wants practices (how-to write-ups) before lessons, "why did
...?" and "what went wrong ...?" want lessons (what happened, and what was learned).

Example:
    >>> lexicon = Lexicon.build(entity_names(graph))
    >>> intent = read_intent("which contracts can Utah join?", lexicon)
    >>> intent.states, intent.wants_eligible_contracts
    (('UT',), True)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kb.graph.search_entities import NamedEntity
from kb.search.synonyms import QUERY_ANALYZER
from kb.search.words import ASKING, CONTRACT_NOUN

#: Words that make a question about contracts one about joining them.
_JOIN = (
    "join joining joined joinable eligible eligibility available open participate "
    "participating sign signing access"
)
_JOIN_WORDS = frozenset(_JOIN.split())
_CONTRACT_WORDS = frozenset(("contract", "contracts", "agreement", "agreements"))
#: "how do I ...", "how to ...", "how can we ...", "how should ..." ask for a method;
#: "how long", "how much", "how many", "how often" ask for a fact.
_HOW = re.compile(r"^\W*how\b(?!\s+(?:long|much|many|often|old|big|far|soon)\b)", re.IGNORECASE)
#: "why did ...", "why was ...", "what went wrong ...", "what happened ..." ask what
#: happened somewhere, which is what lessons record (a "why should ..." asks for a reason,
#: which practices give as well).
_WHAT_HAPPENED = re.compile(
    r"\bwhy\s+(?:did|didn\W?t|was|wasn\W?t|were|weren\W?t|had|has|hasn\W?t)\b"
    r"|\bwhat\s+(?:went|goes|go|can\s+go|could\s+go|has\s+gone)\s+wrong\b"
    r"|\bwhat\s+happened\b"
    r"|\bwhat\s+(?:did|have|has)\s+(?:\w+\s+){0,2}learn(?:ed|t)?\b",
    re.IGNORECASE,
)
#: "which contracts ...", "what agreement ...", "is there a contract for ...", "any
#: cooperative contract for ...", "contracts for ...": the answer is a contract.
_WHICH_CONTRACT = re.compile(
    rf"\b{ASKING}\s+(?:[\w-]+\s+){{0,2}}{CONTRACT_NOUN}\b|\b{CONTRACT_NOUN}\s+for\b",
    re.IGNORECASE,
)
#: Entity names shorter than this (as query keys) are not matched on their own.
_MIN_KEY_CHARS = 3
_PARENTHESES = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class _Entry:
    """One thing a key names; ``acronym`` ones match only when typed in capitals."""

    label: str
    id: str
    acronym: bool


@dataclass(frozen=True)
class Lexicon:
    """Names of states, categories, alliances and contracts, by their query key."""

    entries: dict[tuple[str, ...], tuple[_Entry, ...]] = field(default_factory=dict)
    longest: int = 0

    @classmethod
    def build(
        cls, entities: Iterable[NamedEntity], english: Callable[[str], bool] | None = None
    ) -> Lexicon:
        """The lexicon of ``entities``. An acronym or one-word alliance name matches only
        in capitals ("TIPS", not the "tips" of "tips for writing an RFP"); with
        ``english`` (whether a lower-case word is an English word), only those that are
        English words as well: "sourcewell" and "mmcap" name their alliances however
        they are typed."""
        entries: dict[tuple[str, ...], list[_Entry]] = {}
        for entity in entities:
            single = entity.label == "Alliance" and " " not in entity.name
            acronym = entity.name.isupper() or single
            if acronym and english is not None:
                acronym = any(english(word) for word in re.findall(r"[a-z]+", entity.name.lower()))
            for key in _keys(entity):
                if len("".join(key)) < _MIN_KEY_CHARS:
                    continue
                entries.setdefault(key, []).append(_Entry(entity.label, entity.id, acronym))
        longest = max((len(k) for k in entries), default=0)
        return cls({k: tuple(v) for k, v in entries.items()}, longest)


def _keys(entity: NamedEntity) -> list[tuple[str, ...]]:
    """The query keys that name ``entity``: its whole name; for a contract, also its
    title without the parenthesis and the first two words of that."""
    name = entity.name
    keys = [_key(name)]
    if entity.label == "Contract":
        bare = _key(_PARENTHESES.sub(" ", name))
        keys += [bare, bare[:2]] if len(bare) > 2 else [bare]
    return [k for k in dict.fromkeys(keys) if k]


def _key(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in QUERY_ANALYZER(text))


@dataclass(frozen=True)
class Intent:
    """What the query names (keys per label) and what kind of answer it asks for."""

    states: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    alliances: tuple[str, ...] = ()
    contracts: tuple[str, ...] = ()
    wants_eligible_contracts: bool = False
    wants_practices: bool = False
    wants_lessons: bool = False
    #: The answer is a contract: the query asks which contract, or names an alliance
    #: ("MMCAP pharmacy", "NASPO ValuePoint cloud"), or a contract and says "contract"
    #: ("Sourcewell snowplow contract"; a title's first words, "road salt", are a topic
    #: too), without asking how or why.
    wants_contracts: bool = False


def read_intent(text: str, lexicon: Lexicon) -> Intent:
    """The :class:`Intent` of a query (already checked by ``check_query``)."""
    tokens = [(t.text, text[t.startchar : t.endchar]) for t in QUERY_ANALYZER(text, chars=True)]
    found: dict[str, list[str]] = {"State": [], "Category": [], "Alliance": [], "Contract": []}
    i = 0
    while i < len(tokens):
        for size in range(min(lexicon.longest, len(tokens) - i), 0, -1):
            key = tuple(t for t, _ in tokens[i : i + size])
            written = " ".join(o for _, o in tokens[i : i + size])
            entries = [
                e for e in lexicon.entries.get(key, ()) if not e.acronym or written.isupper()
            ]
            if entries:
                for entry in entries:
                    found[entry.label].append(entry.id)
                i += size
                break
        else:
            i += 1
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    states = tuple(dict.fromkeys(found["State"]))
    alliances = tuple(dict.fromkeys(found["Alliance"]))
    contracts = tuple(dict.fromkeys(found["Contract"]))
    eligible = bool(states and words & _CONTRACT_WORDS and words & _JOIN_WORDS)
    practices = bool(_HOW.match(text))
    lessons = bool(_WHAT_HAPPENED.search(text))
    return Intent(
        states=states,
        categories=tuple(dict.fromkeys(found["Category"])),
        alliances=alliances,
        contracts=contracts,
        wants_eligible_contracts=eligible,
        wants_practices=practices,
        wants_lessons=lessons,
        wants_contracts=not eligible
        and (
            bool(_WHICH_CONTRACT.search(text))
            or bool(
                (alliances or (contracts and words & _CONTRACT_WORDS))
                and not (practices or lessons)
            )
        ),
    )
