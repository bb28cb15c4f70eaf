"""A whole segment's posting arrays, read in one pass when its snapshot is opened.

:class:`kb.search.segments.SegmentArrays` reads a term's posting list the first time a
search needs it, through Whoosh's Python codec (a term-table lookup, then one pickle per
block): at 16,000 documents the first run of a broad question read hundreds of them
and took 80-390 ms at p95 where a repeat takes 20-80 (bench/README.md). A
:class:`LoadedSegment` holds every posting list of the searchable fields of one
segment, their encoded positions and the field lengths, read once, before any search
sees the segment (:meth:`kb.search.service.SearchService.warm`). The arrays are the
ones the lazy path would read, term by term: the same document numbers, weights and
position bytes, so the answers do not change.

Per field, the postings of every term lie end to end in one array (terms in lexical
order), and each term names its slice; positions stay encoded (one byte string per
field, cut at each posting) and are decoded when a phrase or proximity test asks, as
before: decoding all of them would take seconds and most are never asked for.

Example:
    >>> loaded = LoadedSegment.read(segment_reader, ("title", "body"))
    >>> ids, weights = loaded.postings("body", "protest")
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Ids = npt.NDArray[np.int64]

#: Bytes of term and phrase bitmaps kept per segment (the thesaurus's phrases in each
#: text field, about 2,000, the facet values, the terms of queries: 2 KB each at most
#: in a segment of 16,000 documents); past this the kept ones are dropped.
MAX_BITMAP_BYTES = 32 * 1024 * 1024
#: Decoded position lists kept per segment (most are asked for again by the next
#: searches of the same words); past this the kept ones are dropped.
MAX_DECODED = 200_000

_EMPTY_IDS: Ids = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS: Vector = np.zeros(0)


def _frozen(array: Any) -> Any:
    # Shared by every search of every snapshot that holds the segment: never written.
    array.setflags(write=False)
    return array


@dataclass
class FieldPostings:
    """Every posting of one field of one segment (see the module docstring)."""

    spans: dict[str, tuple[int, int]]
    ids: Ids
    weights: Vector
    #: The encoded positions of posting ``i``: ``values[offsets[i]:offsets[i + 1]]``;
    #: None for a field without positions.
    values: bytes | None
    offsets: Ids | None
    decoded: dict[int, list[int]] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        extra = len(self.values or b"") + (0 if self.offsets is None else self.offsets.nbytes)
        return int(self.ids.nbytes + self.weights.nbytes) + extra + 100 * len(self.spans)


class LoadedSegment:
    """The posting arrays and field lengths of one segment (see the module docstring).

    Args:
        fields: postings by field name.
        lengths: each document's stored length by field name (-1 where none is stored).
    """

    def __init__(
        self,
        fields: dict[str, FieldPostings],
        lengths: dict[str, Vector],
        prefixes: dict[str, str] | None = None,
    ) -> None:
        self.fields = fields
        self.lengths = lengths
        #: Fields of which only the terms starting with a prefix were read.
        self.prefixes = prefixes or {}
        #: Bitmaps of local documents holding a term or matching a phrase, by
        #: ("term", field, text) or ("phrase", field, words, slop).
        self.bitmaps: dict[tuple[Any, ...], int] = {}
        #: The stored ``kind`` and ``id`` of each document (read by :meth:`read`).
        self.keys: list[tuple[str, str]] = []
        #: Each document's vector of meaning (kb.search.semantic), one row per document,
        #: if :meth:`read` was given a way to make them.
        self.meaning: Any = None
        #: Sets of phrases matched in every text field (see SegmentArrays.match_phrases).
        self.matched: set[int] = set()
        self._bitmap_bytes = 0
        self._lock = threading.Lock()

    def keep_bitmap(self, key: tuple[Any, ...], bits: int) -> None:
        """Keep the bitmap of a term or phrase (see :data:`MAX_BITMAP_BYTES`)."""
        size = 28 + (bits.bit_length() + 7) // 8
        with self._lock:
            if self._bitmap_bytes + size > MAX_BITMAP_BYTES:
                self.bitmaps.clear()
                self._bitmap_bytes = 0
            if key not in self.bitmaps:
                self._bitmap_bytes += size
            self.bitmaps[key] = bits

    @property
    def nbytes(self) -> int:
        """Bytes held (estimated like :data:`kb.search.segments.MAX_BYTES`)."""
        postings = sum(f.nbytes for f in self.fields.values()) + 120 * len(self.keys)
        meaning = 0 if self.meaning is None else int(self.meaning.nbytes)
        return postings + meaning + sum(int(v.nbytes) for v in self.lengths.values())

    @classmethod
    def read(
        cls,
        reader: Any,
        fieldnames: tuple[str, ...],
        lengths: Any,
        prefixes: dict[str, str] | None = None,
        meaning: Callable[[dict[str, Any]], Any] | None = None,
    ) -> LoadedSegment:
        """Read ``fieldnames`` of the segment of ``reader`` (a one-segment reader),
        of a field in ``prefixes`` only the terms starting with its prefix;
        ``lengths(reader, fieldname)`` gives a field's lengths; ``meaning(stored)``, if
        given, a document's vector of meaning from its stored fields."""
        prefixes = prefixes or {}
        fields = {}
        found = {}
        for name in fieldnames:
            if name not in reader.schema:
                continue
            format_ = reader.schema[name].format
            positions = bool(format_ and format_.supports("positions"))
            fields[name] = _read_field(reader, name, positions, prefixes.get(name, ""))
            if name not in prefixes:
                found[name] = _frozen(lengths(reader, name))
        loaded = cls(fields, found, {k: v for k, v in prefixes.items() if k in fields})
        # The kind and id of every document (what a page of candidates is named by), in
        # one pass over the stored fields rather than one read per candidate per search.
        # (One document's stored fields at a time: a segment's texts are tens of MB.)
        rows = []
        for fields_ in map(reader.stored_fields, range(reader.doc_count_all())):
            loaded.keys.append((fields_.get("kind", ""), fields_.get("id", "")))
            if meaning is not None:
                rows.append(meaning(fields_))
        if meaning is not None and rows:
            loaded.meaning = np.stack(rows)
        return loaded

    def has(self, fieldname: str) -> bool:
        """Whether every term of ``fieldname`` was read (one it lacks has no postings)."""
        return fieldname in self.fields and fieldname not in self.prefixes

    def covers(self, fieldname: str, text: str) -> bool:
        """Whether the postings of this term were read, if it has any."""
        return fieldname in self.fields and text.startswith(self.prefixes.get(fieldname, ""))

    def postings(self, fieldname: str, text: str) -> tuple[Ids, Vector]:
        """Document numbers (ascending) and weights of a term (empty if absent)."""
        postings = self.fields[fieldname]
        span = postings.spans.get(text)
        if span is None:
            return _EMPTY_IDS, _EMPTY_WEIGHTS
        return postings.ids[span[0] : span[1]], postings.weights[span[0] : span[1]]

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold a term (its postings, deleted documents included)."""
        span = self.fields[fieldname].spans.get(text)
        return 0 if span is None else span[1] - span[0]

    def positions(
        self, fieldname: str, text: str, docnums: list[int], decode: Any
    ) -> dict[int, list[int]] | None:
        """The positions of a term in each of ``docnums`` that holds it; None when the
        field keeps no positions."""
        postings = self.fields[fieldname]
        values, offsets = postings.values, postings.offsets
        if values is None or offsets is None:
            return None
        span = postings.spans.get(text)
        if span is None:
            return {}
        ids = postings.ids[span[0] : span[1]]
        wanted = np.array(docnums, dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        found = {}
        decoded = postings.decoded
        for number, i in zip(wanted.tolist(), (at + span[0]).tolist(), strict=True):
            if postings.ids[i] != number:
                continue
            positions = decoded.get(i)
            if positions is None:
                positions = decode(values[offsets[i] : offsets[i + 1]])
                with self._lock:
                    if len(decoded) >= MAX_DECODED:
                        decoded.clear()
                    decoded[i] = positions
            found[number] = positions
        return found


def _read_field(reader: Any, fieldname: str, positions: bool, prefix: str) -> FieldPostings:
    spans: dict[str, tuple[int, int]] = {}
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] | None = [] if positions else None
    from_bytes = reader.schema[fieldname].from_bytes
    terms = (
        (from_bytes(t) for t, _ in reader.iter_prefix(fieldname, prefix))
        if prefix
        else reader.field_terms(fieldname)
    )
    for text in terms:
        start = len(ids)
        read_postings(reader.postings(fieldname, text), ids, weights, values)
        spans[str(text)] = (start, len(ids))
    blob = offsets = None
    if values is not None:
        if len(values) != len(ids):
            raise ValueError(f"field {fieldname!r}: {len(values)} values for {len(ids)} postings")
        sizes = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        offsets = _frozen(np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(sizes)]))
        blob = b"".join(values)
    return FieldPostings(
        spans,
        _frozen(np.array(ids, dtype=np.int64)),
        _frozen(np.array(weights, dtype=np.float64)),
        blob,
        offsets,
    )


def read_postings(
    matcher: Any, ids: list[int], weights: list[float], values: list[bytes] | None = None
) -> None:
    """Append a term's postings (deleted documents too: the caller masks them), their
    weights and, if ``values`` is given, their encoded values."""
    leaf = matcher
    while not hasattr(leaf, "_read_ids") and hasattr(leaf, "child"):
        leaf = leaf.child
    if hasattr(leaf, "_read_ids") and hasattr(leaf, "_next_block"):
        # whoosh.codec.whoosh3's leaf matcher: whole blocks at a time.
        while leaf.is_active():
            leaf._read_ids()
            ids.extend(leaf._ids[leaf._i :])
            leaf._read_weights()
            weights.extend(leaf._weights[leaf._i :])
            if values is not None:
                leaf._read_values()
                values.extend(leaf._values[leaf._i :])
            leaf._next_block()
        return
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values is not None:
            values.append(matcher.value())
        matcher.next()
