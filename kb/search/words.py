"""How a query's free words become concepts: the words that carry no topic, negative
contractions, typos (and how sure their correction is), compounds, the glossary's
phrases and each word's other forms.

:mod:`kb.search.querying` reads the query's syntax (phrases, fields, operators) and
hands each run of free words to :func:`free_concepts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import query as wq

from kb.search.inflections import inflected_stems, spelled_stems
from kb.search.schema import INDEX_STOP_WORDS, TEXT_FIELDS
from kb.search.synonyms import QUERY_ANALYZER, Thesaurus

#: Words at least this long are candidates for typo correction (three, so that a
#: letter dropped from a four-letter word is still corrected).
MIN_CORRECTABLE = 3
#: Words typed in capitals up to this long are taken for acronyms, never corrected.
MAX_ACRONYM = 5
#: Share of its weight a correction keeps when the word typed is English ("hacked" is
#: searched as "lacked", the nearest word the index has, but it may have been meant).
DOUBTFUL_CERTAINTY = 0.25
#: Words that carry no topic in a query ("can I use another state's contract?"): not
#: matched, so not highlighted either. Only as single words: inside a phrase of the
#: thesaurus or in "quotes" they still count. The particles of phrasal verbs ("backed
#: out", "show up") are among them: rare in the records' register, they would weigh more
#: than the verb (on the tuning files: the same figures, the highlights without them).
_NOISE = (
    "use uses used using another way ways thing things want wants wanted go goes going "
    "happen happens happened able okay ok like sure actually exactly possible whether "
    "kind sort etc e.g i.e need needs needed needing allowed permitted supposed mean "
    "up out off over down away"
)
NOISE_WORDS = frozenset(_NOISE.split())
#: What opens a question whose answer is a contract ("which", "is there a"), and the nouns
#: that name one (:mod:`kb.search.intent` reads the same question for its answer's kind).
ASKING = r"(?:which|what|any|is\s+there\s+an?|are\s+there)"
CONTRACT_NOUN = r"(?:contracts?|agreements?)"
_COVERING = r"(?:covers?|covering|includes?|offers?)"
#: Words that frame a question only beside another: "what went wrong", "how long", "how
#: often" (the record says what happened, or gives the days; it seldom says "wrong" or
#: "long"), "which cooperative contract covers" (the kind of answer, which the ranking
#: favours, not its topic: a contract's record seldom calls itself one). Not matched,
#: as noise words are not, unless part of a thesaurus phrase.
_FRAMING = re.compile(
    r"\b(?:went|go|goes|going|gone|gets|got)\s+wrong\b|\bhow\s+(?:long|often|soon)\b"
    rf"|\b{ASKING}\s+(?:cooperative\s+|statewide\s+)?{CONTRACT_NOUN}(?:\s+{_COVERING})?\b"
    rf"|\b{CONTRACT_NOUN}\s+{_COVERING}\b",
    re.IGNORECASE,
)


#: Answers whether a lower-case word occurs in the index, and suggests a correction.
Vocabulary = Callable[[str], bool]
Corrector = Callable[[str], str | None]


@dataclass
class Concept:
    """Something the query asks for: alternatives (index tokens, one phrase each) and
    the text fields they may match in."""

    alternatives: tuple[tuple[str, ...], ...]
    fields: tuple[str, ...] = tuple(TEXT_FIELDS)
    prefix: bool = False
    #: The alternative the person typed (the others come from the glossary), if any.
    typed: tuple[str, ...] | None = None
    #: Other forms of the typed word (:mod:`kb.search.inflections`), credited as it is.
    forms: tuple[tuple[str, ...], ...] = ()
    #: Share of its weight the concept keeps: less than all when it is the correction of
    #: a word that is English as typed ("hacked" -> "lacked"), which may have been meant.
    certainty: float = 1.0

    def to_query(self) -> wq.Query:
        parts: list[wq.Query] = []
        for fieldname in self.fields:
            for tokens in self.alternatives:
                if self.prefix:
                    parts.append(wq.Prefix(fieldname, tokens[0]))
                elif len(tokens) == 1:
                    parts.append(wq.Term(fieldname, tokens[0]))
                else:
                    parts.append(wq.Phrase(fieldname, list(tokens)))
        return parts[0] if len(parts) == 1 else wq.Or(parts)


def _acronym(word: str) -> bool:
    return word.isupper() and len(word) <= MAX_ACRONYM


def _correction(
    word: str, stem: str, thesaurus: Thesaurus, correct: Corrector, indexed: Vocabulary | None
) -> tuple[str | None, bool]:
    """The correction of ``word`` (lower case, not in the index) or None, and whether
    the word's own stem should still be searched beside it.

    A word whose stem the index holds ("debarrment" stems like "debarred") may be a form
    the records never use rather than a typo: it is corrected (for the suggestion) and
    its stem kept as an alternative. A word the thesaurus knows (an acronym the records
    never spell out) is left alone.
    """
    if indexed is not None and indexed(stem):
        replacement = correct(word)
        return (replacement if replacement != word else None), True
    if thesaurus.knows(stem):
        return None, False
    replacement = correct(word)
    return (replacement if replacement and replacement != word else None), False


def _spelt_otherwise(word: str, indexed: Vocabulary | None) -> bool:
    """Whether ``word``'s other spelling (American or British) is in the index (any
    other spelling, without an index to ask)."""
    stems = spelled_stems(word)
    return bool(stems) and (indexed is None or any(indexed(stem) for stem in stems))


def _compounds(
    keys: list[str], words: dict[int, str], noise: set[int], indexed: Vocabulary
) -> dict[int, str]:
    """Position -> index token of the word that two neighbouring typed words make
    together, when the index's text holds it: "mail room" is also "mailroom", "work
    force" "workforce" (the pair becomes one concept with both spellings)."""
    found: dict[int, str] = {}
    for i in range(len(keys) - 1):
        left, right = words.get(i), words.get(i + 1)
        if not left or not right or i in noise or i + 1 in noise:
            continue
        if not (left.isalpha() and right.isalpha()):
            continue
        tokens = [t.text for t in QUERY_ANALYZER(left + right)]
        if len(tokens) == 1 and indexed(tokens[0]):
            found[i] = tokens[0]
    return found


#: Shortest part of a typed compound that is split in two ("mail" + "room").
MIN_PART = 3
#: Words that cannot be a part of a compound.
_NOT_PARTS = INDEX_STOP_WORDS | NOISE_WORDS


def _split(word: str, indexed: Vocabulary) -> tuple[str, ...] | None:
    """The index tokens of two words of the index's text that ``word`` (lower case,
    unknown) is made of, the longer left part first ("mailroom" -> mail, room), or None."""
    for at in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        left, right = word[:at], word[at:]
        if left in _NOT_PARTS or right in _NOT_PARTS:
            continue
        tokens = tuple(t.text for t in QUERY_ANALYZER(f"{left} {right}"))
        if len(tokens) == 2 and all(indexed(t) for t in tokens):
            return tokens
    return None


#: A negative contraction ("didn't", "won't", with either apostrophe): read as its words, so
#: that "didn" is not a word to correct ("did't" was the suggestion), nor "won" a concept.
_CONTRACTION = re.compile(r"\b(\w+?)n['\u2019]t\b", re.IGNORECASE)
_CONTRACTED = {"wo": "will", "ca": "can", "sha": "shall", "ai": "is"}


def _expanded(match: re.Match[str]) -> str:
    base = match[1]
    return f"{_CONTRACTED.get(base.lower(), base)} not"


def _framing_starts(text: str) -> set[int]:
    """Where in ``text`` the words start that only frame a question (:data:`_FRAMING`)."""
    return {
        match.start() + word.start()
        for match in _FRAMING.finditer(text)
        for word in re.finditer(r"\w+", match[0])
    }


def _concept(
    key: tuple[str, ...],
    thesaurus: Thesaurus,
    compound: str | None,
    split: dict[int, tuple[str, ...]],
    words: dict[int, str],
    also: dict[int, str],
    doubt: set[int],
    at: int,
) -> Concept:
    """The concept of the typed ``key`` (index tokens) found at position ``at``: the
    glossary's phrases for it, and its other spellings (the pair written as one word, the
    word written as two, its other forms), which are credited as the word typed."""
    alternatives = thesaurus.alternatives(key)
    if len(key) == 1 and at in also:
        alternatives = (*alternatives, (also[at],))
    spellings: list[tuple[str, ...]] = [(compound,)] if compound else []
    if len(key) == 1:
        if at in split:
            spellings.append(split[at])
        if at in words:
            spellings.extend((stem,) for stem in inflected_stems(words[at]))
            spellings.extend((stem,) for stem in spelled_stems(words[at]))
    forms = tuple(dict.fromkeys(s for s in spellings if s not in alternatives))
    doubted = any(p in doubt for p in range(at, at + len(key)))
    return Concept(
        (*alternatives, *forms),
        typed=key,
        forms=forms,
        certainty=DOUBTFUL_CERTAINTY if doubted else 1.0,
    )


def free_concepts(
    text: str,
    thesaurus: Thesaurus,
    known: Vocabulary,
    correct: Corrector,
    corrections: dict[str, str],
    doubtful: set[str],
    indexed: Vocabulary | None = None,
    english: Vocabulary | None = None,
) -> list[Concept]:
    """Free words -> concepts: typos corrected, then synonym phrases matched longest
    first, each remaining token a concept of its own. Each correction made is added to
    ``corrections`` (typed -> corrected), and ``doubtful`` gets the typed words that
    are English as they are (see :data:`DOUBTFUL_CERTAINTY`)."""
    text = _CONTRACTION.sub(_expanded, text)
    keys: list[str] = []
    words: dict[int, str] = {}  # position in keys -> the word as typed (not corrected)
    noise: set[int] = set()  # positions in keys of noise words
    also: dict[int, str] = {}  # position in keys -> the uncorrected stem, searched too
    doubt: set[int] = set()  # positions in keys of corrections of English words
    split: dict[int, tuple[str, ...]] = {}  # position -> the typed compound's parts
    framing = _framing_starts(text)
    for token in QUERY_ANALYZER(text, chars=True):
        original = text[token.startchar : token.endchar]
        lower = original.lower()
        if lower in NOISE_WORDS or token.startchar in framing:
            noise.add(len(keys))
        # A word the index holds in its other spelling ("labor", "labour") is no typo.
        unknown = lower.isalpha() and not known(lower) and not _spelt_otherwise(lower, indexed)
        parts = _split(lower, indexed) if unknown and indexed else None
        if unknown and len(lower) >= MIN_CORRECTABLE and not _acronym(original):
            replacement, keep = _correction(lower, token.text, thesaurus, correct, indexed)
            if replacement:
                corrections[original] = replacement
                corrected = [t.text for t in QUERY_ANALYZER(replacement)]
                if keep and corrected and corrected != [token.text]:
                    also[len(keys) + len(corrected) - 1] = token.text
                if not keep and english is not None and english(lower):
                    doubtful.add(original)
                    doubt.update(range(len(keys), len(keys) + len(corrected)))
                keys.extend(corrected)
                if parts and len(corrected) == 1:
                    split[len(keys) - 1] = parts
                continue
        if parts:
            # "mailroom" where the records write "mail room": searched as typed and apart.
            split[len(keys)] = parts
        words[len(keys)] = lower
        keys.append(token.text)
    joined = _compounds(keys, words, noise, indexed) if indexed else {}
    concepts: list[Concept] = []
    i = 0
    while i < len(keys):
        for size in range(min(max(thesaurus.longest, 2), len(keys) - i), 0, -1):
            key = tuple(keys[i : i + size])
            compound = joined.get(i) if size == 2 else None
            if size == 1 or key in thesaurus.keys or compound:
                if size > 1 or i not in noise:
                    concepts.append(
                        _concept(key, thesaurus, compound, split, words, also, doubt, i)
                    )
                i += size
                break
    return concepts
