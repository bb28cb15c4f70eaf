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
  acronyms and synonyms from the glossary (``kb/domain/glossary.yaml``): each run of
  free words goes through :func:`kb.search.words.free_concepts`;
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
from dataclasses import dataclass, field

from whoosh import query as wq

from kb.search.schema import FIELD_ALIASES, TEXT_FIELDS
from kb.search.synonyms import Thesaurus, index_tokens
from kb.search.words import (
    DOUBTFUL_CERTAINTY,
    NOISE_WORDS,
    Concept,
    Corrector,
    Vocabulary,
    free_concepts,
)

__all__ = [
    "DOUBTFUL_CERTAINTY",
    "NOISE_WORDS",
    "Concept",
    "Corrector",
    "ParsedQuery",
    "SearchInputError",
    "Vocabulary",
    "check_query",
    "clean_text",
    "parse_query",
]

#: Longest query accepted, in characters.
MAX_QUERY_CHARS = 500
#: Most concepts (words or phrases after stop-word removal) one query may hold.
MAX_CONCEPTS = 40
#: Weight of the bonus clause that rewards matching every concept.
ALL_CONCEPTS_BONUS = 1.0
_KEY_FIELDS = {"kind", "id", "state", "alliance", "category", "year", "status"}

_TOKEN = re.compile(
    r'(?P<sign>[+-]?)(?:(?P<field>[A-Za-z]+):(?:"(?P<fphrase>[^"]*)"?|(?P<fword>[^\s"()]+))'
    r'|"(?P<phrase>[^"]*)"?|(?P<word>[^\s"()]+))'
)


class SearchInputError(ValueError):
    """The query, a filter or a cursor cannot be used; the message says why and what
    would be accepted."""


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
                free_concepts(
                    " ".join(run),
                    thesaurus,
                    known,
                    correct,
                    parsed.corrections,
                    parsed.doubtful,
                    indexed,
                    english,
                )
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
    concepts = free_concepts(
        word, thesaurus, known, correct, parsed.corrections, parsed.doubtful, indexed, english
    )
    if not concepts:
        return None
    queries = [c.to_query() for c in concepts]
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _prefix(word: str) -> Concept | None:
    stem = word.rstrip("*").lower()
    if len(stem) < 2 or not stem.isalnum():
        return None
    return Concept(((stem,),), fields=(*TEXT_FIELDS, "words"), prefix=True)
