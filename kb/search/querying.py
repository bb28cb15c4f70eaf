"""From what a person types to a Whoosh query.

Whoosh's own parser ANDs every word and fails on stray syntax; people type questions,
acronyms and typos. This parser:

- drops control characters, refuses over-long input (:class:`SearchInputError`);
- reads ``"phrases"`` (an unclosed quote runs to the end), ``field:value``
  (``state:UT``, ``kind:lesson``, ``title:protest``), ``+required``, ``-excluded``,
  ``NOT x``, ``a AND b``, ``prefix*``; parentheses and lone operators are ignored;
- removes stop words, question words and the words that only frame a question
  ("need", "allowed", "what went wrong", "how long"), corrects words the index has never seen
  (the correction becomes the "did you mean" suggestion), adds the other forms of each
  word ("breaking": "broken", "broke"; :mod:`kb.search.inflections`), and expands
  acronyms and synonyms from the glossary (``kb/domain/glossary.yaml``);
- ORs the resulting concepts, each matched in every text field, and adds a bonus for
  documents that match all of them, so ranking rather than a strict AND decides.

Example:
    >>> parsed = parse_query("how do I handle a protst?", thesaurus, known, correct)
    >>> parsed.corrected
    'how do I handle a protest?'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq

from kb.search.inflections import inflected_stems
from kb.search.schema import FIELD_ALIASES, INDEX_STOP_WORDS, TEXT_FIELDS
from kb.search.synonyms import QUERY_ANALYZER, Thesaurus, index_tokens

#: Longest query accepted, in characters.
MAX_QUERY_CHARS = 500
#: Most concepts (words or phrases after stop-word removal) one query may hold.
MAX_CONCEPTS = 40
#: Words at least this long are candidates for typo correction (three, so that a
#: letter dropped from a four-letter word is still corrected).
MIN_CORRECTABLE = 3
#: Words typed in capitals up to this long are taken for acronyms, never corrected.
MAX_ACRONYM = 5
#: Share of its weight a correction keeps when the word typed is English ("hacked" is
#: searched as "lacked", the nearest word the index has, but it may have been meant).
DOUBTFUL_CERTAINTY = 0.25
#: Weight of the bonus clause that rewards matching every concept.
ALL_CONCEPTS_BONUS = 1.0
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
#: Words that frame a question only beside another: "what went wrong", "how long", "how
#: often" (the record says what happened, or gives the days; it seldom says "wrong" or
#: "long"). Not matched, as noise words are not, unless part of a thesaurus phrase.
_FRAMING = re.compile(
    r"\b(?:went|go|goes|going|gone|gets|got)\s+wrong\b|\bhow\s+(?:long|often|soon)\b",
    re.IGNORECASE,
)

_KEY_FIELDS = {"kind", "id", "state", "alliance", "category", "year", "status"}

_TOKEN = re.compile(
    r'(?P<sign>[+-]?)(?:(?P<field>[A-Za-z]+):(?:"(?P<fphrase>[^"]*)"?|(?P<fword>[^\s"()]+))'
    r'|"(?P<phrase>[^"]*)"?|(?P<word>[^\s"()]+))'
)


class SearchInputError(ValueError):
    """The query, a filter or a cursor cannot be used; the message says why and what
    would be accepted."""


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


@dataclass
class ParsedQuery:
    """A query taken apart: optional concepts (ranked), required and excluded clauses."""

    text: str
    should: list[Concept] = field(default_factory=list)
    must: list[wq.Query] = field(default_factory=list)
    must_not: list[wq.Query] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    #: The words of :attr:`corrections` that are English as typed (their correction is
    #: searched with less weight, and the query's meaning reads them as typed).
    doubtful: set[str] = field(default_factory=set)
    had_words: bool = False
    must_text: bool = False

    @property
    def ranked(self) -> bool:
        """Whether there is anything to rank by; if not, results are listed newest first."""
        return bool(self.should) or self.must_text

    @property
    def matches_nothing(self) -> bool:
        """The query had words, but none that can be searched (stop words, emoji)."""
        return self.had_words and not (self.should or self.must or self.must_not)

    @property
    def corrected(self) -> str | None:
        """The query with its typos corrected, if any were."""
        if not self.corrections:
            return None
        return self._replaced(self.corrections)

    @property
    def meant(self) -> str:
        """The query as it was probably meant: its typos corrected, but not the English
        words the index lacks ("hacked" stays "hacked")."""
        sure = {w: r for w, r in self.corrections.items() if w not in self.doubtful}
        return self._replaced(sure)

    def _replaced(self, corrections: dict[str, str]) -> str:
        text = self.text
        for wrong, right in corrections.items():
            text = re.sub(rf"\b{re.escape(wrong)}\b", right, text, flags=re.IGNORECASE)
        return text

    def to_query(self, ranked: wq.Query | None = None) -> wq.Query:
        """The whole query; ``ranked`` replaces the default OR of the concepts (the
        ranking module builds its own, see :func:`kb.search.ranking.plan`)."""
        clauses: list[wq.Query] = []
        if ranked is not None:
            clauses.append(ranked)
        elif self.should:
            concepts = [c.to_query() for c in self.should]
            default: wq.Query = concepts[0] if len(concepts) == 1 else wq.Or(concepts)
            if len(concepts) > 1:
                default = wq.Or([default, wq.And(concepts, boost=ALL_CONCEPTS_BONUS)])
            clauses.append(default)
        clauses.extend(self.must)
        if not clauses:
            clauses.append(wq.Every())
        main: wq.Query = clauses[0] if len(clauses) == 1 else wq.And(clauses)
        if self.must_not:
            main = wq.AndNot(main, wq.Or(self.must_not))
        return main


def clean_text(text: str) -> str:
    """``text`` with control and format characters turned into spaces."""
    return "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"} else ch for ch in text
    )


def check_query(text: object) -> str:
    """The query, cleaned, or :class:`SearchInputError` if it cannot be searched."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise SearchInputError(f"query must be text, not {type(text).__name__}")
    if len(text) > MAX_QUERY_CHARS:
        raise SearchInputError(
            f"query is {len(text)} characters long; at most {MAX_QUERY_CHARS} are accepted"
        )
    return " ".join(clean_text(text).split())


def parse_query(
    text: str,
    thesaurus: Thesaurus,
    known: Vocabulary,
    correct: Corrector,
    indexed: Vocabulary | None = None,
    english: Vocabulary | None = None,
) -> ParsedQuery:
    """Parse ``text`` (already checked) into a :class:`ParsedQuery`.

    ``known`` says whether a word (lower case) is in the index, ``correct`` proposes a
    known word for one that is not, ``indexed`` says whether a stem is in the index's
    text (so that a misspelling that stems right is only corrected to the same stem),
    ``english`` whether a word is English (a correction of one is less certain).
    """
    # Blank or a lone "*" lists everything; anything else that yields no searchable
    # word (stop words only, emoji, punctuation) matches nothing.
    parsed = ParsedQuery(text, had_words=text.strip() not in {"", "*"})
    run: list[str] = []  # consecutive free words, expanded together (synonym phrases)
    negate_next = False
    require_next = False
    #: The concept an AND made required, until a word follows the AND.
    dangling: tuple[Concept, bool] | None = None

    def flush() -> None:
        if run:
            parsed.should.extend(
                _concepts(" ".join(run), thesaurus, known, correct, parsed, indexed, english)
            )
            run.clear()

    for match in _TOKEN.finditer(text):
        sign = match["sign"]
        word = match["word"]
        if word in {"AND", "OR", "NOT", "&&", "||", "!"}:
            flush()
            if word in {"NOT", "!"}:
                negate_next = True
            elif word in {"AND", "&&"}:
                require_next = True
                # "a AND b": the concept just before AND becomes required too.
                if parsed.should:
                    concept = parsed.should.pop()
                    dangling = (concept, parsed.must_text)
                    parsed.must.append(concept.to_query())
                    parsed.must_text = True
            continue
        if match["field"] and match["field"].lower() not in FIELD_ALIASES:
            # Not a field we know ("Note: ..."): the words count as plain words.
            run.extend(w for w in (match["field"], match["fword"] or match["fphrase"] or "") if w)
            continue
        clause = _clause(match, parsed)
        if clause is None:
            # A plain word: kept in the run unless negated or required.
            if word and not sign and not negate_next and not require_next:
                if word.endswith("*"):
                    flush()
                    prefix = _prefix(word)
                    if prefix is not None:
                        parsed.should.append(prefix)
                    continue
                run.append(word)
                continue
            flush()
            clause = _single(word or "", thesaurus, known, correct, parsed, indexed, english)
            if clause is None:
                negate_next = require_next = False
                continue
        else:
            flush()
        if sign == "-" or negate_next:
            parsed.must_not.append(clause)
        else:
            parsed.must.append(clause)
            parsed.must_text = (
                parsed.must_text
                or not isinstance(clause, wq.Term)
                or (clause.fieldname not in _KEY_FIELDS)
            )
        negate_next = require_next = False
        dangling = None
    flush()
    if require_next and dangling is not None and not run:
        # "a AND" with nothing after it: a lone operator, ignored; "a" is ranked as usual.
        concept, parsed.must_text = dangling
        parsed.must.pop()
        parsed.should.append(concept)
    if len(parsed.should) + len(parsed.must) > MAX_CONCEPTS:
        raise SearchInputError(
            f"query has {len(parsed.should) + len(parsed.must)} terms; "
            f"at most {MAX_CONCEPTS} are accepted"
        )
    return parsed


def _clause(match: re.Match[str], parsed: ParsedQuery) -> wq.Query | None:
    """A phrase or field query as a clause, or None for a plain word."""
    if match["phrase"] is not None:
        tokens = index_tokens(match["phrase"])
        if not tokens:
            return None
        return Concept((tokens[:20],)).to_query()
    if match["field"] is None:
        return None
    fieldname = FIELD_ALIASES[match["field"].lower()]
    value = (match["fword"] or match["fphrase"] or "").strip()
    if not value:
        return None
    if fieldname in _KEY_FIELDS:
        return wq.Term(fieldname, _key_value(fieldname, value))
    tokens = index_tokens(value)
    if not tokens:
        return None
    return Concept((tokens[:20],), fields=(fieldname,)).to_query()


def _key_value(fieldname: str, value: str) -> str:
    if fieldname in {"state", "category", "status"}:
        return value.upper()
    if fieldname in {"kind", "alliance"}:
        return value.lower()
    return value


def _single(
    word: str,
    thesaurus: Thesaurus,
    known: Vocabulary,
    correct: Corrector,
    parsed: ParsedQuery,
    indexed: Vocabulary | None = None,
    english: Vocabulary | None = None,
) -> wq.Query | None:
    word = word.lstrip("+-!")
    concepts = _concepts(word, thesaurus, known, correct, parsed, indexed, english)
    if not concepts:
        return None
    queries = [c.to_query() for c in concepts]
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _prefix(word: str) -> Concept | None:
    stem = word.rstrip("*").lower()
    if len(stem) < 2 or not stem.isalnum():
        return None
    return Concept(((stem,),), fields=(*TEXT_FIELDS, "words"), prefix=True)


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


def _split(word: str, indexed: Vocabulary) -> tuple[str, ...] | None:
    """The index tokens of two words of the index's text that ``word`` (lower case,
    unknown) is made of, the longer left part first ("mailroom" -> mail, room), or None."""
    for at in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        left, right = word[:at], word[at:]
        if {left, right} & (INDEX_STOP_WORDS | NOISE_WORDS):
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


def _concepts(
    text: str,
    thesaurus: Thesaurus,
    known: Vocabulary,
    correct: Corrector,
    parsed: ParsedQuery,
    indexed: Vocabulary | None = None,
    english: Vocabulary | None = None,
) -> list[Concept]:
    """Free words -> concepts: typos corrected, then synonym phrases matched longest
    first, each remaining token a concept of its own."""
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
        parts = _split(lower, indexed) if indexed and lower.isalpha() and not known(lower) else None
        if (
            len(lower) >= MIN_CORRECTABLE
            and lower.isalpha()
            and not known(lower)
            and not _acronym(original)
        ):
            replacement, keep = _correction(lower, token.text, thesaurus, correct, indexed)
            if replacement:
                parsed.corrections[original] = replacement
                corrected = [t.text for t in QUERY_ANALYZER(replacement)]
                if keep and corrected and corrected != [token.text]:
                    also[len(keys) + len(corrected) - 1] = token.text
                if not keep and english is not None and english(lower):
                    parsed.doubtful.add(original)
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
                    alternatives = thesaurus.alternatives(key)
                    if compound and (compound,) not in alternatives:
                        alternatives = (*alternatives, (compound,))
                    if size == 1 and i in also:
                        alternatives = (*alternatives, (also[i],))
                    if size == 1 and i in split:
                        alternatives = (*alternatives, split[i])
                    forms: tuple[tuple[str, ...], ...] = ()
                    if size == 1 and i in words:
                        forms = tuple(
                            (stem,)
                            for stem in inflected_stems(words[i])
                            if (stem,) not in alternatives
                        )
                    certainty = DOUBTFUL_CERTAINTY if doubt & set(range(i, i + size)) else 1.0
                    concepts.append(
                        Concept(
                            (*alternatives, *forms), typed=key, forms=forms, certainty=certainty
                        )
                    )
                i += size
                break
    return concepts
