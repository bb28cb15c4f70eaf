"""The synonym and acronym table (``synonyms.yaml``), compiled for query expansion.

Each phrase is analysed twice: with the query analyzer (stems, stop words and question
words removed) to recognise it in a query, and with the index analyzer to build the
term or phrase it expands to.

Example:
    >>> thesaurus = Thesaurus.load()
    >>> thesaurus.alternatives(("rfp",))
    (('rfp',), ('request', 'propos'), ('competit', 'seal', 'propos'))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

from kb.search.schema import INDEX_STOP_WORDS, TEXT_ANALYZER, TOKEN_PATTERN

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")

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
    def load(cls, path: Path = SYNONYMS_FILE) -> Thesaurus:
        """Read and compile a synonyms file (``groups:`` a list of lists of phrases)."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        groups = data.get("groups") if isinstance(data, dict) else None
        if not isinstance(groups, list) or not all(
            isinstance(g, list) and all(isinstance(p, str) for p in g) for g in groups
        ):
            raise ValueError(f"{path}: expected 'groups:' as a list of lists of phrases")
        return cls.from_groups(groups)

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
    """The table shipped with the package, compiled once per process."""
    return Thesaurus.load()
