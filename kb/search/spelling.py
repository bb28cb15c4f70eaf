"""Typo correction against the words the index holds.

Every single edit of a word (a letter deleted, inserted, replaced, or two neighbours
swapped) is generated and looked up in the index's vocabulary (the unstemmed ``words``
field); of the known words found, the one in most documents wins. A one-edit typo of a
known word is therefore always corrected (to that word, or to an equally close word
that is at least as common). Longer words with no one-edit match fall back to Whoosh's
two-edit corrector.

Whoosh's corrector alone misses typos in the first letter (it needs a shared prefix to
stay fast) and counts a swap of two letters as two edits.

Example:
    >>> speller = Speller.of(searcher)
    >>> speller.correct("protset")
    'protest'
"""

from __future__ import annotations

import string
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from kb.search.schema import TEXT_FIELDS

#: Letters tried for insertions and replacements.
ALPHABET = string.ascii_lowercase + string.digits
#: Words at least this long may get a two-edit correction when no one-edit one exists.
MIN_TWO_EDITS = 7
FIELD = "words"


def single_edits(word: str) -> set[str]:
    """Every string one deletion, insertion, replacement or transposition from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET if c != b[0]}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word}


@dataclass
class Speller:
    """Corrections from one index snapshot (a searcher's reader)."""

    searcher: Any
    vocabulary: dict[str, int]

    @classmethod
    def of(cls, searcher: Any) -> Speller:
        """The speller of ``searcher``'s snapshot (its vocabulary is read once)."""
        reader = searcher.reader()
        with _LOCK:
            vocabulary = _VOCABULARIES.get(reader)
        if vocabulary is None:
            vocabulary = {
                str(term): int(reader.doc_frequency(FIELD, term))
                for term in reader.field_terms(FIELD)
            }
            with _LOCK:
                _VOCABULARIES[reader] = vocabulary
        return cls(searcher, vocabulary)

    def knows(self, word: str) -> bool:
        """Whether ``word`` (lower case, unstemmed) occurs in the index."""
        return word in self.vocabulary

    def indexed(self, stem: str) -> bool:
        """Whether ``stem`` (an index token) occurs in a text field."""
        reader = self.searcher.reader()
        return any((name, stem) in reader for name in TEXT_FIELDS)

    def correct(self, word: str) -> str | None:
        """The likeliest known word for ``word`` (lower case), or None."""
        found = [w for w in single_edits(word) if w in self.vocabulary]
        if found:
            return max(found, key=lambda w: (self.vocabulary[w], w))
        if len(word) < MIN_TWO_EDITS:
            return None
        corrector = self.searcher.corrector(FIELD)
        suggestions = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
        return str(suggestions[0]) if suggestions else None


# One vocabulary per open reader; it goes when the reader does (a newer snapshot).
_VOCABULARIES: weakref.WeakKeyDictionary[Any, dict[str, int]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
