"""The search groups of the glossary (``kb/domain/glossary.yaml``), compiled for query
expansion: each term's name, expansion and other names, together with the terms
``searched_with`` it, form one group of equivalent phrases.

Each phrase is analysed twice: with the query analyzer (stems, stop words and question
words removed) to recognise it in a query, and with the index analyzer to build the
term or phrase it expands to.

Example:
    >>> thesaurus = Thesaurus.load()
    >>> thesaurus.alternatives(("rfp",))
    (('rfp',), ('request', 'propos'), ('competit', 'seal', 'propos'))

A term's ``name_also_means`` are read one way: the bare name "MA" also matches
Massachusetts (the state code), while "master agreement" does not.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

from kb.domain.glossary import (
    GLOSSARY_FILE,
    Glossary,
    Term,
    default_glossary,
    load_glossary,
    normalise,
)
from kb.search.schema import INDEX_STOP_WORDS, TEXT_ANALYZER, TOKEN_PATTERN

#: Words a plain question carries that say nothing about the topic. Removed from
#: queries only (the index keeps them, so quoted phrases still match exactly).
_QUESTION_WORDS = (
    "what whats how why who whom whose which where when do does did doing done should "
    "shall could would might must can i im ive me my mine our ours we you your yours they "
    "them their there here is are was were be been being has have had having about any "
    "some way ways get got getting tell know find show explain give please someone anyone "
    "something anything lesson lessons learned practice practices example examples other "
    "others else also into than then so very much many more most just really ever"
)
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())

QUERY_STOP_WORDS = INDEX_STOP_WORDS | QUESTION_WORDS

#: The index analyzer with question words removed too: how query words become keys.
QUERY_ANALYZER = (
    RegexTokenizer(TOKEN_PATTERN)
    | LowercaseFilter()
    | StopFilter(stoplist=QUERY_STOP_WORDS, minsize=1)
    | StemFilter(cachesize=100_000)
)


def index_tokens(text: str) -> tuple[str, ...]:
    """``text`` as the index stores it: stemmed tokens without stop words."""
    return tuple(token.text for token in TEXT_ANALYZER(text))


def key_tokens(text: str) -> tuple[str, ...]:
    """``text`` as a query key: index tokens without question words either."""
    return tuple(token.text for token in QUERY_ANALYZER(text))


@dataclass(frozen=True)
class Thesaurus:
    """Groups of equivalent phrases, keyed by their query form."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    keys: dict[tuple[str, ...], int] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def from_groups(cls, groups: Iterable[Sequence[str]]) -> Thesaurus:
        compiled: list[tuple[tuple[str, ...], ...]] = []
        keys: dict[tuple[str, ...], int] = {}
        for number, group in enumerate(groups):
            alternatives = tuple(dict.fromkeys(t for t in map(index_tokens, group) if t))
            compiled.append(alternatives)
            for phrase in group:
                key = key_tokens(phrase)
                if key:
                    keys.setdefault(key, number)
        longest = max((len(k) for k in keys), default=1)
        return cls(tuple(compiled), keys, longest)

    @classmethod
    def from_glossary(cls, glossary: Glossary) -> Thesaurus:
        """The glossary's search groups, plus the one-way readings of bare names."""
        roots: list[Term] = []
        groups: list[tuple[str, ...]] = []
        for root, phrases in glossary.search_groups():
            roots.append(root)
            groups.append(phrases)
        thesaurus = cls.from_groups(groups)
        compiled = list(thesaurus.groups)
        keys = dict(thesaurus.keys)
        for number, root in enumerate(roots):
            for term in glossary.group_members(root):
                if not term.name_also_means:
                    continue
                extra = (t for t in map(index_tokens, term.name_also_means) if t)
                compiled.append(tuple(dict.fromkeys((*compiled[number], *extra))))
                keys[key_tokens(term.name)] = len(compiled) - 1
        return cls(tuple(compiled), keys, thesaurus.longest)

    @classmethod
    def load(cls, path: Path = GLOSSARY_FILE) -> Thesaurus:
        """Read, check and compile a glossary file (see :mod:`kb.domain.glossary`);
        :class:`kb.domain.glossary.GlossaryError` names the file and line of a problem."""
        return cls.from_glossary(load_glossary(path))

    def alternatives(self, key: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """Every phrase equivalent to ``key`` (index tokens), or just ``key`` itself."""
        number = self.keys.get(key)
        if number is None:
            return (key,)
        # The typed phrase first: what is paired for proximity is what the person wrote.
        return (key, *(a for a in self.groups[number] if a != key))

    def knows(self, token: str) -> bool:
        """Whether ``token`` is part of some phrase of the table."""
        return any(token in key for key in self.keys)


@cache
def default_thesaurus() -> Thesaurus:
    """The glossary shipped with the package, compiled once per process."""
    return Thesaurus.from_glossary(default_glossary())


# -- acronyms the records define --------------------------------------------------------

#: Query words of this many characters are looked up as acronyms a record may define.
ACRONYM_CHARS = (2, 6)
#: A word in more documents than this is not looked up (it is a word, not an acronym).
MAX_DEFINING_DOCS = 50
_WORD = re.compile(r"[A-Za-z0-9]+")
_STORED_TEXT = ("title", "summary", "body")


def long_form(short: str, before: str) -> str | None:
    """The words just before ``(short)`` that ``short`` abbreviates, or None.

    The algorithm of Schwartz and Hearst (2003): the letters of the acronym are found
    right to left in the preceding words, the first one at the start of a word, within
    ``min(len + 5, 2 * len)`` words. ``long_form("MWBE", "a goal for minority- and
    women-owned business enterprise")`` is ``"minority- and women-owned business
    enterprise"``.
    """
    letters = [c.lower() for c in short if c.isalnum()]
    if len(letters) < 2 or not letters[0].isalpha():
        return None
    words = before.split()[-min(len(letters) + 5, 2 * len(letters)) :]
    candidate = " ".join(words)
    at, pos = len(letters) - 1, len(candidate) - 1
    while at >= 0:
        # The first letter must start a word; the others may be anywhere in one.
        while pos >= 0 and (
            candidate[pos].lower() != letters[at]
            or (at == 0 and pos > 0 and candidate[pos - 1].isalnum())
        ):
            pos -= 1
        if pos < 0:
            return None
        pos -= 1
        at -= 1
    found = candidate[candidate.rfind(" ", 0, pos + 1) + 1 :].strip(" -,;:")
    if len(_WORD.findall(found)) < 2 or len(found) <= len(short):
        return None
    return found


def defined_long_forms(short: str, texts: Iterable[str]) -> tuple[str, ...]:
    """Every long form that ``texts`` give ``short`` as "long form (SHORT)"."""
    pattern = re.compile(rf"\(\s*{re.escape(short)}s?\s*[),;]", re.IGNORECASE)
    found: dict[str, str] = {}
    for text in texts:
        for match in pattern.finditer(text):
            # Only the sentence the parenthesis closes: a long form never crosses one.
            before = re.split(r"[.;:!?()\n]", text[: match.start()])[-1]
            form = long_form(short, before)
            if form is not None:
                found.setdefault(normalise(form), form)
    return tuple(found.values())


def with_record_acronyms(thesaurus: Thesaurus, searcher: Any, text: str) -> Thesaurus:
    """``thesaurus`` plus, for each short word of ``text`` that it does not know, the
    long forms the index's records give that word as an acronym ("a master price
    agreement (MPA)"), so that a record which only spells the phrase out matches too.

    Only records holding the word are read (at most :data:`MAX_DEFINING_DOCS`), once
    per index snapshot and word.
    """
    groups: list[tuple[str, ...]] = []
    for word in dict.fromkeys(_WORD.findall(text)):
        lower = word.lower()
        if not ACRONYM_CHARS[0] <= len(lower) <= ACRONYM_CHARS[1] or not lower.isalpha():
            continue
        key = key_tokens(word)
        if not key or key in thesaurus.keys:
            continue
        forms = _record_long_forms(searcher, lower)
        if forms:
            groups.append((word, *forms))
    if not groups:
        return thesaurus
    added = Thesaurus.from_groups(groups)
    offset = len(thesaurus.groups)
    keys = dict(thesaurus.keys)
    for key, number in added.keys.items():
        keys.setdefault(key, number + offset)
    return Thesaurus(
        (*thesaurus.groups, *added.groups), keys, max(thesaurus.longest, added.longest)
    )


def _record_long_forms(searcher: Any, word: str) -> tuple[str, ...]:
    reader = searcher.reader()
    with _LOCK:
        cache = _LONG_FORMS.setdefault(reader, {})
        if word in cache:
            return cache[word]
    forms: tuple[str, ...] = ()
    if ("words", word) in reader and reader.doc_frequency("words", word) <= MAX_DEFINING_DOCS:
        numbers = list(reader.postings("words", word).all_ids())
        texts = (
            " ".join(str(fields.get(name) or "") for name in _STORED_TEXT)
            for fields in map(searcher.stored_fields, numbers)
        )
        forms = defined_long_forms(word, texts)
    with _LOCK:
        cache[word] = forms
    return forms


# Long forms per open reader and word; they go when the reader does (a newer snapshot).
_LONG_FORMS: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, ...]]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()
