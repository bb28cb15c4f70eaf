"""Arrays of one index segment: posting lists, positions, field lengths, phrase matches,
bitmaps of terms and phrases, the documents' stored keys.

A Whoosh segment never changes once written (a commit adds segments, a merge replaces
some; deletions are kept beside it and applied by the reader), so what is read from one
stays true in every later snapshot that still holds it. :class:`SegmentArrays` keeps
those arrays, keyed by segment and in the segment's own document numbers, for every
snapshot of a process: after a commit only the new, small segment is read again, not
the 16,000 documents of the others (:mod:`kb.search.scoring` adds each segment's
offset, and a snapshot's bitmap is its segments' bitmaps shifted to their offsets).
Deleted documents stay in these arrays; the snapshot's live set masks them. Before,
bitmaps and stored keys were made per snapshot, and phrase matches went through
one LRU shared by all segments: with 5 segments the warm-up after each commit made
every thesaurus phrase match again (580 ms at 100x, bench/README.md).

Example:
    >>> arrays = SegmentArrays()
    >>> ids, weights = arrays.postings(segment_reader, "body", "protest")
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.query.spans import Span, bisect_spans
from whoosh.util.numeric import byte_to_length

from kb.search.loaded import LoadedSegment, read_postings
from kb.search.matchsets import array_bitmap
from kb.search.semantic import document_vector, word_vectors

Vector = npt.NDArray[np.float64]
Ids = npt.NDArray[np.int64]
T = TypeVar("T")

#: Entries kept (least recently used dropped first): posting lists, posting lists with
#: their encoded positions (larger, so fewer), phrase matches, field lengths ...
MAX_POSTINGS = 8192
MAX_POSITIONS = 512
MAX_PHRASES = 4096
MAX_LENGTHS = 512
#: Bitmaps of terms and phrases (2 KB each in a segment of 16,000 documents).
MAX_BITMAPS = 8192
#: ... and the bytes each kind may hold at most (estimated: 16 per posting with its
#: weight, 80 per encoded position list, 8 per phrase match or length). Segments read
#: whole (:meth:`SegmentArrays.load`) share the posting lists' and positions' budgets.
MAX_BYTES = 128 * 1024 * 1024
#: Fields a segment is read whole for: the text fields and the facet keys (what
#: scoring, re-ranking, bitmaps and highlights ask postings of).
LOADED_FIELDS: tuple[str, ...] = (
    *("title", "tags", "summary", "body", "names"),
    *("kind", "state", "alliance", "category", "year", "uid"),
)
#: Of these fields, only the terms with this prefix are read: the contracts' keys, which
#: a question about contracts a state can join boosts (kb.search.ranking).
LOADED_PREFIXES = {"uid": "contract:"}


class SegmentArrays:
    """Arrays read from segments, shared by every snapshot (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bytes: dict[str, int] = {}
        #: Segments read whole, by segment key (see :meth:`load`).
        self._loaded: dict[tuple[str, int], LoadedSegment] = {}
        #: Posting lists read one term at a time (what :meth:`load` spares searches).
        self.reads = 0
        #: Entries made (cache misses: arrays, bitmaps, stored keys) per segment key.
        self.made: Counter[tuple[str, int]] = Counter()
        self._caches: dict[str, tuple[int, OrderedDict[tuple[Any, ...], Any]]] = {
            name: (size, OrderedDict())
            for name, size in (
                ("postings", MAX_POSTINGS),
                ("values", MAX_POSITIONS),
                ("phrases", MAX_PHRASES),
                ("lengths", MAX_LENGTHS),
                ("bitmaps", MAX_BITMAPS),
            )
        }
        #: The ``kind`` and ``id`` stored for each document read so far, per segment.
        self._keys: dict[tuple[str, int], dict[int, tuple[str, str]]] = {}
        #: Vectors of meaning of documents of segments not read whole, per segment key.
        self._meaning: dict[tuple[str, int], dict[int, Any]] = {}

    def load(self, searcher: Any, budget: int | None = None) -> int:
        """Read whole every segment of ``searcher`` not read yet, and forget the segments
        it no longer holds; return how many were read.

        Called before a new snapshot serves searches (by
        :meth:`kb.search.searchers.SearcherPool.advance`), so that no search reads a
        posting list of it one term at a time. A segment that would take the loaded
        segments past ``budget`` bytes (default: the posting and position budgets,
        ``2 * MAX_BYTES``) is left to be read term by term, as before.
        """
        limit = 2 * MAX_BYTES if budget is None else budget
        readers = [sub.reader() for sub, _ in _subsearchers(searcher)]
        keys = [segment_key(r) for r in readers]
        with self._lock:
            live = {k for k in keys if k is not None}
            for gone in [k for k in self._loaded if k not in live]:
                del self._loaded[gone]
            for gone in [k for k in self._keys if k not in live]:
                del self._keys[gone]
            for gone in [k for k in self._meaning if k not in live]:
                del self._meaning[gone]
            held = sum(s.nbytes for s in self._loaded.values())
        read = 0
        for reader, key in zip(readers, keys, strict=True):
            if key is None or key in self._loaded:
                continue
            loaded = LoadedSegment.read(
                reader, LOADED_FIELDS, read_lengths, LOADED_PREFIXES, document_vector
            )
            if held + loaded.nbytes > limit:
                continue
            with self._lock:
                self._loaded[key] = loaded
            held += loaded.nbytes
            read += 1
        return read

    def loaded(self, reader: Any) -> LoadedSegment | None:
        """The segment of ``reader`` as read whole by :meth:`load`, if it was."""
        key = segment_key(reader)
        return None if key is None else self._loaded.get(key)

    def postings(self, reader: Any, fieldname: str, text: str) -> tuple[Ids, Vector]:
        """Local document numbers (ascending) and weights of a term in one segment."""

        loaded = self.loaded(reader)
        if loaded is not None and loaded.covers(fieldname, text):
            return loaded.postings(fieldname, text)

        def read() -> tuple[Ids, Vector]:
            ids: list[int] = []
            weights: list[float] = []
            if (fieldname, text) in reader:
                self.reads += 1
                read_postings(reader.postings(fieldname, text), ids, weights)
            return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)

        return self._cached("postings", reader, (fieldname, text), read)

    def values(
        self, reader: Any, fieldname: str, text: str
    ) -> tuple[Ids, list[bytes], dict[int, list[int]]]:
        """Local document numbers and encoded values (positions) of a term, and the
        positions decoded so far (by index in those lists)."""

        def read() -> tuple[Ids, list[bytes], dict[int, list[int]]]:
            ids: list[int] = []
            values: list[bytes] = []
            if (fieldname, text) in reader:
                self.reads += 1
                read_postings(reader.postings(fieldname, text), ids, [], values)
            return np.array(ids, dtype=np.int64), values, {}

        return self._cached("values", reader, (fieldname, text), read)

    def positions(
        self, reader: Any, fieldname: str, text: str, docnums: list[int], decode: Any
    ) -> dict[int, list[int]]:
        """The positions of a term in each of ``docnums`` (local) that holds it."""
        loaded = self.loaded(reader)
        if loaded is not None and loaded.has(fieldname):
            found = loaded.positions(fieldname, text, docnums, decode)
            if found is not None:
                return found
        ids, encoded, decoded = self.values(reader, fieldname, text)
        if not len(ids):
            return {}
        wanted = np.array(docnums, dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        found = {}
        for number, i in zip(wanted.tolist(), at.tolist(), strict=True):
            if ids[i] == number:
                # Decoded once per segment, term and document (phrases share words).
                positions = decoded.get(i)
                if positions is None:
                    positions = decoded[i] = decode(encoded[i])
                found[number] = positions
        return found

    def phrase(self, reader: Any, fieldname: str, words: list[str], slop: int, decode: Any) -> Ids:
        """Local documents holding ``words`` in order, each within ``slop`` positions of
        the one before (:func:`within`)."""
        find = lambda: self._find_phrase(reader, fieldname, words, slop, decode)  # noqa: E731
        return self._cached("phrases", reader, (fieldname, tuple(words), slop), find)

    def _find_phrase(
        self, reader: Any, fieldname: str, words: list[str], slop: int, decode: Any
    ) -> Ids:
        holding: Ids | None = None
        for word in dict.fromkeys(words):
            ids = self.postings(reader, fieldname, word)[0]
            holding = ids if holding is None else np.intersect1d(holding, ids, assume_unique=True)
            if not len(holding):
                return holding
        assert holding is not None
        if len(words) == 1:
            return holding
        docs = [int(n) for n in holding]
        where = {
            w: self.positions(reader, fieldname, w, docs, decode) for w in dict.fromkeys(words)
        }
        found = [n for n in docs if within([where[w][n] for w in words], slop)]
        return np.array(found, dtype=np.int64)

    def term_bitmap(self, reader: Any, fieldname: str, text: str) -> int:
        """The bitmap (:mod:`kb.search.matchsets`) of the local documents, deleted ones
        included, holding a term."""

        def make() -> int:
            return array_bitmap(self.postings(reader, fieldname, text)[0])

        loaded = self.loaded(reader)
        if loaded is None or not loaded.covers(fieldname, text):
            return self._cached("bitmaps", reader, ("term", fieldname, text), make)
        return self._kept(loaded, reader, ("term", fieldname, text), make)

    def phrase_bitmap(
        self, reader: Any, fieldname: str, words: list[str], slop: int, decode: Any
    ) -> int:
        """:meth:`phrase` as a bitmap of local documents. A segment read whole keeps
        its bitmaps itself (the thesaurus's 391 phrases in five fields are matched in
        every segment before it serves: an LRU shared by all segments dropped and made
        them again at each warm-up once segments outnumbered what it held)."""

        def make() -> int:
            return array_bitmap(self._find_phrase(reader, fieldname, words, slop, decode))

        key = ("phrase", fieldname, tuple(words), slop)
        loaded = self.loaded(reader)
        if loaded is None or not loaded.has(fieldname):
            return self._cached("bitmaps", reader, key, make)
        return self._kept(loaded, reader, key, make)

    def unmatched(self, readers: list[Any], phrases: int) -> list[Any]:
        """Of ``readers``, those whose loaded segment has not matched the set of phrases
        numbered ``phrases`` yet (any reader of a segment not read whole)."""
        found = []
        for reader in readers:
            loaded = self.loaded(reader)
            if loaded is None or phrases not in loaded.matched:
                found.append(reader)
        return found

    def matched(self, readers: list[Any], phrases: int) -> None:
        """Note that ``readers``' loaded segments have matched the set ``phrases``."""
        for reader in readers:
            loaded = self.loaded(reader)
            if loaded is not None:
                loaded.matched.add(phrases)

    def _kept(
        self, loaded: LoadedSegment, reader: Any, key: tuple[Any, ...], make: Callable[[], int]
    ) -> int:
        """A bitmap kept by the loaded segment itself, made if it has not been."""
        found = loaded.bitmaps.get(key)
        if found is None:
            found = make()
            with self._lock:
                self.made[segment_key(reader)] += 1  # type: ignore[index]
            loaded.keep_bitmap(key, found)
        return found

    def doc_frequency(self, reader: Any, fieldname: str, text: str) -> int:
        """In how many of the segment's documents (deleted ones included) a term occurs:
        Whoosh's term-info count, from the loaded arrays when they hold the term."""
        loaded = self.loaded(reader)
        if loaded is not None and loaded.covers(fieldname, text):
            return loaded.doc_frequency(fieldname, text)
        return int(reader.doc_frequency(fieldname, text))

    def stored_key(self, reader: Any, docnum: int) -> tuple[str, str]:
        """The ``kind`` and ``id`` stored for local document ``docnum``, read once per
        segment (stored fields never change)."""
        segment = segment_key(reader)
        loaded = None if segment is None else self._loaded.get(segment)
        if loaded is not None and docnum < len(loaded.keys):
            return loaded.keys[docnum]
        if segment is None:
            stored = reader.stored_fields(docnum)
            return stored.get("kind", ""), stored.get("id", "")
        with self._lock:
            keys = self._keys.setdefault(segment, {})
            found = keys.get(docnum)
        if found is None:
            stored = reader.stored_fields(docnum)
            found = (stored.get("kind", ""), stored.get("id", ""))
            with self._lock:
                keys[docnum] = found
                self.made[segment] += 1
        return found

    def meaning(self, reader: Any, docnums: Ids) -> Any:
        """The vectors of meaning (kb.search.semantic) of local documents ``docnums``:
        made when the segment was read whole, else from their stored fields, each once
        per segment."""
        loaded = self.loaded(reader)
        if loaded is not None and loaded.meaning is not None:
            return loaded.meaning[docnums]
        segment = segment_key(reader)
        with self._lock:
            kept = {} if segment is None else self._meaning.setdefault(segment, {})
            missing = [int(d) for d in docnums if int(d) not in kept]
        made = word_vectors().documents([reader.stored_fields(d) for d in missing])
        with self._lock:
            kept.update(zip(missing, made, strict=True))
            if segment is not None:
                self.made[segment] += len(missing)
            return np.stack([kept[int(d)] for d in docnums])

    def lengths(self, reader: Any, fieldname: str) -> Vector:
        """Each local document's stored (lossy) length of ``fieldname``; -1 where the
        segment stores none."""

        loaded = self.loaded(reader)
        if loaded is not None and fieldname in loaded.lengths:
            return loaded.lengths[fieldname]

        read = lambda: read_lengths(reader, fieldname)  # noqa: E731
        return self._cached("lengths", reader, (fieldname,), read)

    def _cached(self, cache: str, reader: Any, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        segment = segment_key(reader)
        if segment is None:
            return make()
        size, entries = self._caches[cache]
        full = (segment, *key)
        with self._lock:
            found = entries.get(full)
            if found is not None:
                entries.move_to_end(full)
                return found  # type: ignore[no-any-return]
        made = make()
        with self._lock:
            self.made[segment] += 1
            if full not in entries:
                entries[full] = made
                self._bytes[cache] = self._bytes.get(cache, 0) + _size(made)
            while entries and (len(entries) > size or self._bytes[cache] > MAX_BYTES):
                _, dropped = entries.popitem(last=False)
                self._bytes[cache] -= _size(dropped)
        return made


def read_lengths(reader: Any, fieldname: str) -> Vector:
    """Each local document's stored length of ``fieldname`` in the segment of
    ``reader``; -1 where the segment stores none."""
    count = reader.doc_count_all()
    bulk = _column_lengths(reader, fieldname, count)
    if bulk is not None:
        return bulk
    length = reader.doc_field_length
    return np.array([length(n, fieldname, -1) or 0 for n in range(count)], dtype=float)


def _subsearchers(searcher: Any) -> list[tuple[Any, int]]:
    if searcher.is_atomic():
        return [(searcher, 0)]
    return list(searcher.subsearchers)


def _size(entry: Any) -> int:
    """Rough bytes of a cached entry (see :data:`MAX_BYTES`)."""
    if isinstance(entry, int):
        return (entry.bit_length() + 7) >> 3
    if isinstance(entry, tuple):
        ids, other = entry[:2]
        # Encoded and (some) decoded positions: about 80 bytes a document each.
        extra = int(other.nbytes) if hasattr(other, "nbytes") else 160 * len(other)
        return int(ids.nbytes) + extra
    return int(entry.nbytes)


def segment_key(reader: Any) -> tuple[str, int] | None:
    """What names a segment's (immutable) content; None for a reader of no one segment.

    Kept on the reader (asked thousands of times per warm-up, never changes for it).
    """
    try:
        return reader._kb_segment_key  # type: ignore[no-any-return]
    except AttributeError:
        pass
    key = _segment_key(reader)
    with suppress(AttributeError):  # a reader that takes no attributes: asked again
        reader._kb_segment_key = key
    return key


def _segment_key(reader: Any) -> tuple[str, int] | None:
    segment = getattr(reader, "segment", None)
    if segment is None or getattr(reader, "is_atomic", lambda: False)() is False:
        return None
    try:
        return str(segment().segment_id()), int(reader.doc_count_all())
    except (AttributeError, TypeError):
        return None


#: Stored length byte -> length (Whoosh's lossy encoding; 0 stands for none).
_LENGTHS = np.array([0.0] + [float(byte_to_length(b)) for b in range(1, 256)])


def _column_lengths(reader: Any, fieldname: str, count: int) -> Vector | None:
    """A segment's lengths of ``fieldname`` read as one block from its lengths column
    (what ``doc_field_length`` reads one document at a time); None when the reader is
    not a whoosh3 segment reader."""
    try:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except AttributeError:
        return None
    if column is None:
        return np.full(count, -1.0)
    if getattr(column, "_fixedlen", None) != 1:
        return None
    stored = min(int(column._count), count)
    raw = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
    values = np.zeros(count)
    values[:stored] = _LENGTHS[raw]
    return values


def within(positions: list[list[int]], slop: int) -> bool:
    """Whether the words whose positions are listed (in phrase order) occur in that
    order, each within ``slop`` positions of the one before: the test of Whoosh's
    phrase matcher (``SpanNear2`` ordered, ``mindist=1``), on positions read once.

    Of each span Whoosh's matcher builds only the end decides what may follow (a next
    word at ``p`` joins a span ending at ``e`` iff ``1 <= p - e <= slop``), so the spans
    are kept as the set of their ends (:func:`within_spans` is Whoosh's own loop, kept
    to test this one against).
    """
    ends = set(positions[0])
    steps = range(1, slop + 1)
    for later in positions[1:]:
        if not ends:
            return False
        ends = {p for p in later if any(p - d in ends for d in steps)}
    return bool(ends)


def within_spans(positions: list[list[int]], slop: int) -> bool:
    """:func:`within` as Whoosh's ``SpanNear2Matcher._get_spans`` computes it."""
    aspans = [Span(p) for p in positions[0]]
    for later in positions[1:]:
        if not aspans:
            return False
        bspans = [Span(p) for p in later]
        spans = set()
        for aspan in aspans:
            j = bisect_spans(bspans, aspan.start)
            while j < len(bspans):
                bspan = bspans[j]
                j += 1
                if bspan.end < aspan.start - slop or aspan.start > bspan.start:
                    continue
                if bspan.start > aspan.end + slop:
                    break
                if 1 <= aspan.distance_to(bspan) <= slop:
                    spans.add(aspan.to(bspan))
        aspans = sorted(spans)
    return bool(aspans)
