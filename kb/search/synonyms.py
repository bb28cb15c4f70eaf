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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

from kb.domain.glossary import GLOSSARY_FILE, Glossary, Term, default_glossary, load_glossary
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
        alternatives = self.groups[number]
        return alternatives if key in alternatives else (key, *alternatives)

    def knows(self, token: str) -> bool:
        """Whether ``token`` is part of some phrase of the table."""
        return any(token in key for key in self.keys)


@cache
def default_thesaurus() -> Thesaurus:
    """The glossary shipped with the package, compiled once per process."""
    return Thesaurus.from_glossary(default_glossary())
