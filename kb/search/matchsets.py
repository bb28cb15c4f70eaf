"""Exact totals and facet counts from document bitmaps, without visiting every match.

Whoosh counts facets (``groupedby``) by visiting every matching document and reading
its term vectors: at 16,000 documents a broad question spends most of its time there,
and a collector that must see every match cannot skip low-scoring blocks either. Here a
query is evaluated as set algebra over the posting lists of its terms, each posting list
held as a bitmap (a Python ``int``, one bit per document number) and cached per index
snapshot: a union is ``|``, an intersection ``&``, a count ``int.bit_count()``, all in C.
The facet count of a value is then ``(matches & bitmap(field, value)).bit_count()``:
exact, the same numbers ``groupedby`` gives (a differential test checks it), for a few
hundred machine-word operations per value.

Query types without a set form (phrases, prefixes, whatever a later query parser
builds) fall back to Whoosh's own matcher for their part only (``Query.docs``).

Example:
    >>> sets = MatchSets(searcher)
    >>> matches = sets.docs(query) & ~sets.term("kind", "_meta")
    >>> matches.bit_count()
    412
    >>> sets.counts(matches, "state")[:1]
    [('UT', 57)]
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query as wq

if TYPE_CHECKING:  # scoring imports this module
    from kb.search.scoring import ScoreVectors

_NULL = type(wq.NullQuery)
#: Query types whose repr names everything they match on (field, words, slop...).
_KEYED_BY_REPR = (wq.Phrase, wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Variations, wq.TermRange)
#: The bit positions set in each byte value.
_BITS = tuple(tuple(bit for bit in range(8) if value >> bit & 1) for value in range(256))

#: Bitmaps kept per snapshot (least recently used dropped first). At 16,000 documents
#: a bitmap is 2 KB, so the bound is about 8 MB per snapshot.
MAX_BITMAPS = 4096


def bitmap(docnums: Iterable[int], size: int = 0) -> int:
    """The bitmap of a set of document numbers (``size``: a hint, the largest + 1)."""
    if isinstance(docnums, np.ndarray):
        return array_bitmap(docnums, size)
    bits = bytearray((size + 7) >> 3)
    for docnum in docnums:
        byte = docnum >> 3
        if byte >= len(bits):
            bits.extend(bytes(byte - len(bits) + 1))
        bits[byte] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


def array_bitmap(numbers: Any, size: int = 0) -> int:
    """:func:`bitmap` of a numpy array of document numbers (in C rather than a loop)."""
    if not len(numbers):
        return 0
    present = np.zeros(max(size, int(numbers.max()) + 1), dtype=bool)
    present[numbers] = True
    return int.from_bytes(np.packbits(present, bitorder="little").tobytes(), "little")


def live_bitmap(searcher: Any) -> int:
    """Every live (not deleted) document of ``searcher``'s reader: per segment, all of
    its documents but the deleted ones (what ``all_doc_ids`` lists one by one)."""
    reader = searcher.reader()
    leaves = list(reader.leaf_readers())
    if not all(hasattr(leaf, "deleted_docs_set") for leaf, _ in leaves):
        return bitmap(reader.all_doc_ids(), int(reader.doc_count_all()))
    bits = 0
    for leaf, offset in leaves:
        count = int(leaf.doc_count_all())
        segment = (1 << count) - 1
        if leaf.has_deletions():
            segment &= ~bitmap(leaf.deleted_docs_set, count)
        bits |= segment << offset
    return bits


def docnums(bits: int) -> list[int]:
    """The document numbers set in ``bits``, ascending."""
    found: list[int] = []
    for index, byte in enumerate(bits.to_bytes((bits.bit_length() + 7) >> 3, "little")):
        if byte:
            base = index << 3
            found.extend(base + bit for bit in _BITS[byte])
    return found


class MatchSets:
    """Bitmaps of the documents of one searcher's snapshot (see the module docstring).

    Args:
        searcher: a Whoosh searcher; its document numbers are the bit positions, so a
            ``MatchSets`` is only shared between searchers of the same snapshot.
        max_bitmaps: posting-list bitmaps kept.
        vectors: the snapshot's posting arrays: term bitmaps and phrase matches are
            then made from them (the same sets, without Whoosh's matchers).
    """

    def __init__(
        self, searcher: Any, max_bitmaps: int = MAX_BITMAPS, vectors: ScoreVectors | None = None
    ) -> None:
        reader = searcher.reader()
        self.vectors = vectors
        self.doc_count = int(reader.doc_count_all())
        self.max_bitmaps = max_bitmaps
        self._terms: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._values: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._everything = live_bitmap(searcher)

    def everything(self) -> int:
        """Every live (not deleted) document."""
        return self._everything

    def term(self, searcher: Any, fieldname: str, text: str) -> int:
        """The documents whose field ``fieldname`` holds the (analysed) term ``text``."""
        reader = searcher.reader()

        def compute() -> int:
            if (fieldname, text) not in reader:
                return 0
            if self.vectors is not None and fieldname in searcher.schema:
                # Made of the segments' bitmaps (kept per segment), which list deleted
                # documents too.
                return self.vectors.term_bitmap(searcher, fieldname, text) & self._everything
            return bitmap(reader.postings(fieldname, text).all_ids(), self.doc_count)

        return self._cached((fieldname, text), compute)

    def values(self, searcher: Any, fieldname: str) -> list[str]:
        """Every term of a facet field (its values), as indexed."""
        with self._lock:
            found = self._values.get(fieldname)
        if found is None:
            reader = searcher.reader()
            found = [str(t) for t in reader.field_terms(fieldname)]
            with self._lock:
                self._values[fieldname] = found
        return found

    def counts(self, searcher: Any, matches: int, fieldname: str) -> dict[str, int]:
        """For each value of ``fieldname``, how many of ``matches`` hold it (zeros left out)."""
        counts = {}
        for value in self.values(searcher, fieldname):
            count = (matches & self.term(searcher, fieldname, value)).bit_count()
            if count:
                counts[value] = count
        return counts

    def docs(self, searcher: Any, query: wq.Query) -> int:
        """The documents ``query`` matches, as a bitmap."""
        if isinstance(query, wq.Term):
            return self.term(searcher, query.fieldname, query.text)
        if isinstance(query, wq.Every) and query.fieldname in (None, "", "*"):
            return self._everything
        if isinstance(query, _NULL):
            return 0
        if isinstance(query, wq.Or) and query.minmatch > 1:
            return bitmap(query.docs(searcher), self.doc_count)
        if isinstance(query, (wq.Or, wq.DisjunctionMax)):
            bits = 0
            for sub in query.subqueries:
                bits |= self.docs(searcher, sub)
            return bits
        if isinstance(query, wq.And):
            bits = self._everything
            for sub in query.subqueries:
                bits &= self.docs(searcher, sub)
                if not bits:
                    break
            return bits
        if isinstance(query, wq.AndNot):
            return self.docs(searcher, query.a) & ~self.docs(searcher, query.b)
        if isinstance(query, wq.Require):
            return self.docs(searcher, query.a) & self.docs(searcher, query.b)
        if isinstance(query, wq.AndMaybe):
            return self.docs(searcher, query.a)
        if isinstance(query, wq.ConstantScoreQuery):
            return self.docs(searcher, query.child)
        if isinstance(query, wq.Not):
            return self._everything & ~self.docs(searcher, query.query)

        # Phrases, prefixes and the rest: Whoosh's matcher, for this part only, kept
        # (the same synonym phrases come back in query after query).
        def compute() -> int:
            if self.vectors is not None and type(query) is wq.Phrase:
                found = self.vectors.phrase_bitmap(searcher, query)
                if found is not None:
                    return found & self._everything
            return bitmap(query.docs(searcher), self.doc_count)

        if type(query) in _KEYED_BY_REPR:
            return self._cached(("", repr(query)), compute)
        return compute()

    def _cached(self, key: tuple[str, str], compute: Callable[[], int]) -> int:
        with self._lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
                return found
        bits = compute()
        with self._lock:
            self._terms[key] = bits
            while len(self._terms) > self.max_bitmaps:
                self._terms.popitem(last=False)
        return bits
