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
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from kb.search.schema import TEXT_FIELDS
from kb.search.segments import segment_key

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
        """The speller of ``searcher``'s snapshot.

        Its vocabulary is the sum of its segments' (a term's document frequency in a
        reader is the sum over its segments, deleted documents counted, as Whoosh
        counts it), each segment's read once: after a commit only the new segment is
        read, and every searcher of one snapshot shares the sum.
        """
        reader = searcher.reader()
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        keys = [segment_key(leaf) for leaf in leaves]
        if any(key is None for key in keys):  # not segments of a file index: no caching
            return cls(searcher, _vocabulary_of(reader))
        whole = tuple(keys)
        with _LOCK:
            vocabulary = _VOCABULARIES.get(whole)
        if vocabulary is None:
            parts = [_segment_vocabulary(leaf, key) for leaf, key in zip(leaves, keys, strict=True)]
            vocabulary = dict(parts[0]) if parts else {}
            for part in parts[1:]:
                for term, count in part.items():
                    vocabulary[term] = vocabulary.get(term, 0) + count
            with _LOCK:
                _VOCABULARIES[whole] = vocabulary
                while len(_VOCABULARIES) > MAX_SNAPSHOTS:
                    _VOCABULARIES.popitem(last=False)
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


def _vocabulary_of(reader: Any) -> dict[str, int]:
    """Each term of the ``words`` field of ``reader`` and its document frequency."""
    from_bytes = reader.schema[FIELD].from_bytes
    return {
        str(from_bytes(text)): int(info.doc_frequency()) for text, info in reader.iter_field(FIELD)
    }


def _segment_vocabulary(reader: Any, key: Any) -> dict[str, int]:
    with _LOCK:
        found = _SEGMENTS.get(key)
        if found is not None:
            _SEGMENTS.move_to_end(key)
            return found
    found = _vocabulary_of(reader)
    with _LOCK:
        _SEGMENTS[key] = found
        while len(_SEGMENTS) > MAX_SEGMENTS:
            _SEGMENTS.popitem(last=False)
    return found


#: Vocabularies kept: of whole snapshots (by their segments), and of single segments.
MAX_SNAPSHOTS = 4
MAX_SEGMENTS = 64
_VOCABULARIES: OrderedDict[tuple[Any, ...], dict[str, int]] = OrderedDict()
_SEGMENTS: OrderedDict[Any, dict[str, int]] = OrderedDict()
_LOCK = threading.Lock()
