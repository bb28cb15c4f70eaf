"""Whoosh's BM25F scores computed as numpy vectors, one element per document.

Whoosh scores a query by walking a tree of Python matchers posting by posting; a broad
question expands into tens of terms and synonym phrases over five fields, and at 16,000
documents that walk, not the index, is most of a search (bench/README.md). Here each
posting list is read once per index snapshot into two arrays (document numbers and
term frequencies) and a query's score is array arithmetic over every document at once,
with the same formula, statistics and combination rules as Whoosh's matchers (what is
read from a segment is kept for later snapshots too, by :mod:`kb.search.segments`):

- a term scores ``idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))``
  (:class:`whoosh.scoring.BM25F`, its ``idf`` and its lossy stored field lengths), or
  its stored weight in a field that is not scorable;
- a phrase matches where Whoosh's phrase matcher does (:class:`MatchSets`) and scores
  the sum of its words' term scores, as Whoosh's span matcher does;
- ``Or`` and ``And`` add their parts' scores (times their boost, which Whoosh ignores
  for a compound of one part), ``AndMaybe`` adds the optional part where it matches,
  ``AndNot`` and ``Require`` keep the first part's score.

Any other query type raises :class:`UnsupportedQueryError` (the caller then asks
Whoosh). The top documents are then taken in Whoosh's order: score descending, lower
document number first among equal scores (checked against Whoosh's own collector by
tests/search/test_scoring.py).

Example:
    >>> vectors = ScoreVectors(searcher)
    >>> scores = vectors.scores(searcher, query, sets)
    >>> top_documents(scores, sets_bitmap_to_mask(matches, vectors.size), 10)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from math import log
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh.scoring import BM25F

from kb.search.segments import MAX_BYTES, SegmentArrays, within

if TYPE_CHECKING:
    from kb.search.matchsets import MatchSets

Vector = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Ids = npt.NDArray[np.int64]

#: Posting lists kept per snapshot (least recently used dropped first).
MAX_POSTINGS = 8192
#: Documents whose closeness of a word sequence is kept per snapshot, all sequences
#: together (:meth:`ScoreVectors.closeness`; least recently used sequence dropped first).
MAX_CLOSENESS = 200_000
#: Bytes of term scores kept per snapshot (:meth:`ScoreVectors._term_scores`, 8 per
#: posting; the posting lists they are for are counted in theirs), and of phrases'
#: matches with their scores (16 per match), each.
MAX_SCORE_BYTES = 32 * 1024 * 1024
#: Phrases whose matches and scores are kept per snapshot (as sparse arrays).
MAX_PHRASES = 4096
_NULL = type(wq.NullQuery)


class UnsupportedQueryError(TypeError):
    """The query holds a type :class:`ScoreVectors` does not score (say which)."""


def mask_of(bits: int, size: int) -> Mask:
    """A bitmap (:mod:`kb.search.matchsets`) as a boolean array of ``size`` documents."""
    raw = np.frombuffer(bits.to_bytes((size + 7) >> 3, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:size].astype(bool)


def top_documents(scores: Vector, allowed: Mask, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) of the ``allowed`` documents, in Whoosh's
    order: higher score first, then the lower document number."""
    numbers = np.flatnonzero(allowed)
    values = scores[numbers]
    if len(numbers) > limit:
        # Everything scoring at least the limit-th best, ties included, then sorted.
        cut = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= cut
        numbers, values = numbers[keep], values[keep]
    order = np.lexsort((numbers, -values))[:limit]
    return [(int(numbers[i]), float(values[i])) for i in order]


class ScoreVectors:
    """Posting lists and field lengths of one searcher's snapshot, as arrays.

    Args:
        searcher: a Whoosh searcher; shared only between searchers of one snapshot.
        max_postings: posting lists kept.
    """

    def __init__(
        self,
        searcher: Any,
        max_postings: int = MAX_POSTINGS,
        segments: SegmentArrays | None = None,
    ) -> None:
        self.size = int(searcher.reader().doc_count_all())
        self.max_postings = max_postings
        #: Arrays per segment, shared with later snapshots (kb.search.segments).
        self.segments = segments or SegmentArrays()
        weighting = searcher.weighting
        self.k1 = float(getattr(weighting, "K1", 1.2))
        self._b = float(getattr(weighting, "B", 0.75))
        self._field_b: dict[str, float] = dict(getattr(weighting, "_field_B", {}))
        self._postings: OrderedDict[tuple[str, str], tuple[Ids, Vector]] = OrderedDict()
        #: Term scores over each posting list (kept per snapshot, see _term_scores).
        self._scores: OrderedDict[tuple[str, str], tuple[Ids, Vector]] = OrderedDict()
        self._score_bytes = 0
        self._bytes = 0
        self._lengths: dict[str, Vector] = {}
        self._idf: dict[tuple[str, str], float] = {}
        self._near: OrderedDict[tuple[str, tuple[str, ...], int], dict[int, int]] = OrderedDict()
        self._near_count = 0
        self._phrase_scores: OrderedDict[tuple[str, tuple[str, ...], int], tuple[Ids, Vector]] = (
            OrderedDict()
        )
        self._phrase_bytes = 0
        self._lock = threading.Lock()

    def b(self, fieldname: str) -> float:
        """BM25's length normalisation for ``fieldname``."""
        return self._field_b.get(fieldname, self._b)

    def postings(self, searcher: Any, fieldname: str, text: str) -> tuple[Ids, Vector]:
        """Document numbers (ascending, deleted ones included) and weights of a term."""
        key = (fieldname, text)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        parts = [
            (ids + offset if offset else ids, weights)
            for sub, offset in _segments(searcher)
            for ids, weights in [self.segments.postings(sub.reader(), fieldname, text)]
            if len(ids)
        ]
        if len(parts) == 1:
            # One segment holds the term: its arrays as they are (read-only, shared).
            found = parts[0]
        elif parts:
            found = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
        else:
            found = (np.zeros(0, dtype=np.int64), np.zeros(0))
        with self._lock:
            if key not in self._postings:
                self._postings[key] = found
                self._bytes += found[0].nbytes + found[1].nbytes
            while self._postings and (
                len(self._postings) > self.max_postings or self._bytes > MAX_BYTES
            ):
                _, (ids, weights) = self._postings.popitem(last=False)
                self._bytes -= ids.nbytes + weights.nbytes
        return found

    def positions(
        self, searcher: Any, fieldname: str, text: str, docnums: list[int]
    ) -> dict[int, list[int]]:
        """The positions of a term in each of ``docnums`` that holds it."""
        decode = searcher.schema[fieldname].format.decode_positions
        found: dict[int, list[int]] = {}
        for sub, offset in _segments(searcher):
            reader = sub.reader()
            end = offset + reader.doc_count_all()
            local = [n - offset for n in docnums if offset <= n < end]
            if local:
                where = self.segments.positions(reader, fieldname, text, local, decode)
                found.update((n + offset, p) for n, p in where.items())
        return found

    def closeness(
        self, searcher: Any, fieldname: str, words: tuple[str, ...], docnums: list[int], slop: int
    ) -> dict[int, int]:
        """For each of ``docnums`` (each holding every word in ``fieldname``): 2 where the
        words occur in order next to each other, 1 where each is within ``slop`` of the
        one before (:func:`kb.search.segments.within`), else 0; kept per snapshot, so a
        document is tested once per sequence of words and field."""
        key = (fieldname, words, slop)
        with self._lock:
            known = self._near.get(key)
            if known is None:
                known = self._near[key] = {}
            else:
                self._near.move_to_end(key)
            todo = [n for n in docnums if n not in known]
        if todo:
            where = {w: self.positions(searcher, fieldname, w, todo) for w in set(words)}
            found: dict[int, int] = {}
            for number in todo:
                lists = [where[w][number] for w in words]
                found[number] = (2 if within(lists, 1) else 1) if within(lists, slop) else 0
            with self._lock:
                if self._near.get(key) is known:  # not dropped meanwhile
                    self._near_count += len(found.keys() - known.keys())
                known.update(found)
                while self._near_count > MAX_CLOSENESS and len(self._near) > 1:
                    _, dropped = self._near.popitem(last=False)
                    self._near_count -= len(dropped)
        return {n: known[n] for n in docnums}

    def phrase_docs(self, searcher: Any, query: wq.Phrase) -> Ids | None:
        """The documents (deleted ones included) where Whoosh's matcher would find the
        phrase ``query``: every word, in order, each within ``slop`` of the one before
        (:func:`kb.search.segments.within`), from positions read once per word and
        segment; None when Whoosh must answer (character ranges, no positions)."""
        found = self._phrase_words(searcher, query)
        if found is None:
            return None
        words, decode = found
        fieldname = query.fieldname
        parts = [
            self.segments.phrase(sub.reader(), fieldname, words, int(query.slop), decode) + offset
            for sub, offset in _segments(searcher)
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def term_bitmap(self, searcher: Any, fieldname: str, text: str) -> int:
        """The documents (deleted ones included) holding a term, as a bitmap: each
        segment's bitmap, kept per segment, shifted to its offset."""
        bits = 0
        for sub, offset in _segments(searcher):
            bits |= self.segments.term_bitmap(sub.reader(), fieldname, text) << offset
        return bits

    def phrase_bitmap(self, searcher: Any, query: wq.Phrase) -> int | None:
        """:meth:`phrase_docs` as a bitmap made of per-segment ones (kept per segment)."""
        found = self._phrase_words(searcher, query)
        if found is None:
            return None
        words, decode = found
        fieldname, slop = query.fieldname, int(query.slop)
        bits = 0
        for sub, offset in _segments(searcher):
            reader = sub.reader()
            bits |= self.segments.phrase_bitmap(reader, fieldname, words, slop, decode) << offset
        return bits

    def match_phrases(self, searcher: Any, queries: list[wq.Phrase], phrases: int) -> None:
        """Match phrases (a set named by the number ``phrases``) in every segment of
        ``searcher`` that has not matched them yet (kept per segment, see
        :meth:`phrase_bitmap`), without making their bitmaps for this snapshot: after a
        commit, only the new segment has work to do."""
        readers = [sub.reader() for sub, _ in _segments(searcher)]
        todo = self.segments.unmatched(readers, phrases)
        if not todo:
            return
        for query in queries:
            found = self._phrase_words(searcher, query)
            if found is not None:
                words, decode = found
                for reader in todo:
                    self.segments.phrase_bitmap(reader, query.fieldname, words, query.slop, decode)
        self.segments.matched(todo, phrases)

    def _phrase_words(self, searcher: Any, query: wq.Phrase) -> tuple[list[str], Any] | None:
        """The indexed words of a phrase and its field's position decoder; None when
        Whoosh must answer (character ranges, a field without positions)."""
        fieldname = query.fieldname
        if query.char_ranges is not None or fieldname not in searcher.schema:
            return None
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions") or not query.words:
            return None
        words = [field.to_bytes(w).decode("utf-8") for w in query.words]
        return words, field.format.decode_positions

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        """Whoosh's idf of a term (``searcher.idf``), its document frequency summed
        from the segments' arrays and kept per snapshot rather than per searcher."""
        if type(searcher.weighting) is not BM25F:
            return float(searcher.idf(fieldname, text))
        key = (fieldname, text)
        with self._lock:
            found = self._idf.get(key)
        if found is None:
            frequency = sum(
                self.segments.doc_frequency(sub.reader(), fieldname, text)
                for sub, _ in _segments(searcher)
            )
            # The expression of whoosh.scoring.WeightingModel.idf.
            found = log(self.size / (frequency + 1)) + 1
            with self._lock:
                self._idf[key] = found
        return found

    def meaning(self, searcher: Any, numbers: list[int]) -> Any:
        """The vectors of meaning (kb.search.semantic) of documents ``numbers`` (sorted),
        one row each, from their segments (:meth:`SegmentArrays.meaning`)."""
        wanted = np.array(numbers, dtype=np.int64)
        segments = _segments(searcher)
        which = np.searchsorted([offset for _, offset in segments], wanted, side="right") - 1
        rows = [
            self.segments.meaning(sub.reader(), wanted[which == n] - offset)
            for n, (sub, offset) in enumerate(segments)
            if (which == n).any()
        ]
        return np.concatenate(rows)

    def lengths(self, searcher: Any, fieldname: str) -> Vector:
        """Each document's stored (lossy) length of ``fieldname``; -1 where its segment
        stores none (Whoosh's scorer then takes 1, re-ranking 0)."""
        with self._lock:
            found = self._lengths.get(fieldname)
        if found is not None:
            return found
        parts = [self.segments.lengths(sub.reader(), fieldname) for sub, _ in _segments(searcher)]
        values = np.concatenate(parts) if parts else np.zeros(0)
        with self._lock:
            self._lengths[fieldname] = values
        return values

    def term(self, searcher: Any, fieldname: str, text: str) -> tuple[Mask, Vector]:
        """Where the term occurs and its Whoosh score there (0 elsewhere)."""
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size)
        if fieldname not in searcher.schema:
            return mask, scores
        ids, weights = self.postings(searcher, fieldname, text)
        if not len(ids):
            return mask, scores
        mask[ids] = True
        if not searcher.schema[fieldname].scorable:
            scores[ids] = weights
            return mask, scores
        scores[ids] = self._term_scores(searcher, fieldname, text, ids, weights)
        return mask, scores

    def _term_scores(
        self, searcher: Any, fieldname: str, text: str, ids: Ids, weights: Vector
    ) -> Vector:
        """A scorable term's Whoosh score in each document of its posting list (kept
        while its posting list is: the same snapshot's statistics give the same
        numbers)."""
        key = (fieldname, text)
        with self._lock:
            found = self._scores.get(key)
            if found is not None and found[0] is ids:
                self._scores.move_to_end(key)
                return found[1]
        idf = self.idf(searcher, fieldname, text)
        average = searcher.avg_field_length(fieldname) or 1
        length = self.lengths(searcher, fieldname)[ids]
        length = np.where(length < 0, 1.0, length)
        b, k1 = self.b(fieldname), self.k1
        # The same expression as whoosh.scoring.bm25, in the same order.
        norm = k1 * ((1 - b) + b * length / average)
        values: Vector = idf * ((weights * (k1 + 1)) / (weights + norm))
        with self._lock:
            stale = self._scores.pop(key, None)
            if stale is not None:
                self._score_bytes -= stale[1].nbytes
            self._scores[key] = (ids, values)
            self._score_bytes += values.nbytes
            # No more entries than kept posting lists, and a byte budget of its own (an
            # entry may hold a posting list dropped since).
            while self._scores and (
                len(self._scores) > max(len(self._postings), 1)
                or self._score_bytes > MAX_SCORE_BYTES
            ):
                _, (_, dropped) = self._scores.popitem(last=False)
                self._score_bytes -= dropped.nbytes
        return values

    def scores(self, searcher: Any, query: wq.Query, sets: MatchSets) -> Vector:
        """Whoosh's score of ``query`` for every document (0 where it does not match).

        Raises :class:`UnsupportedQueryError` for a query type it does not score.
        """
        return self._score(searcher, query, sets)[1]

    def _score(self, searcher: Any, query: wq.Query, sets: MatchSets) -> tuple[Mask, Vector]:
        if isinstance(query, _NULL):
            return np.zeros(self.size, dtype=bool), np.zeros(self.size)
        if type(query) is wq.Term:
            mask, scores = self.term(searcher, query.fieldname, query.text)
            return mask, scores * query.boost if query.boost != 1.0 else scores
        if type(query) is wq.Phrase and len(query.words) > 1 and query.char_ranges is None:
            return self._phrase(searcher, query, sets)
        if type(query) in (wq.Or, wq.And) and not getattr(query, "scale", None):
            if type(query) is wq.Or and query.minmatch > 1:
                raise UnsupportedQueryError(f"Or with minmatch: {query!r}")
            parts = query.subqueries
            if not parts:
                return self._score(searcher, wq.NullQuery, sets)
            if len(parts) == 1:
                return self._score(searcher, parts[0], sets)
            mask, scores = self._score(searcher, parts[0], sets)
            mask, scores = mask.copy(), scores.copy()
            for part in parts[1:]:
                other, more = self._score(searcher, part, sets)
                mask = mask | other if type(query) is wq.Or else mask & other
                scores += more
            if type(query) is wq.And:
                scores[~mask] = 0.0
            return mask, scores * query.boost if query.boost != 1.0 else scores
        if type(query) is wq.AndMaybe:
            mask, scores = self._score(searcher, query.a, sets)
            _, more = self._score(searcher, query.b, sets)
            return mask, np.where(mask, scores + more, 0.0)
        if type(query) in (wq.AndNot, wq.Require):
            mask, scores = self._score(searcher, query.a, sets)
            other, _ = self._score(searcher, query.b, sets)
            mask = mask & ~other if type(query) is wq.AndNot else mask & other
            return mask, np.where(mask, scores, 0.0)
        raise UnsupportedQueryError(f"{type(query).__name__} is not scored here: {query!r}")

    def _phrase(self, searcher: Any, query: wq.Phrase, sets: MatchSets) -> tuple[Mask, Vector]:
        # Where it matches and its unboosted score there, kept per snapshot (the same
        # synonym phrases come back in query after query), spread out again each time.
        key = (query.fieldname, tuple(query.words), int(query.slop))
        with self._lock:
            found = self._phrase_scores.get(key)
            if found is not None:
                self._phrase_scores.move_to_end(key)
        if found is None:
            found = self._phrase_sparse(searcher, query, sets)
            with self._lock:
                if key not in self._phrase_scores:
                    self._phrase_scores[key] = found
                    self._phrase_bytes += found[0].nbytes + found[1].nbytes
                while len(self._phrase_scores) > MAX_PHRASES or (
                    self._phrase_bytes > MAX_SCORE_BYTES and len(self._phrase_scores) > 1
                ):
                    _, (ids, values) = self._phrase_scores.popitem(last=False)
                    self._phrase_bytes -= ids.nbytes + values.nbytes
        ids, values = found
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size)
        if not len(ids):
            return mask, scores
        mask[ids] = True
        scores[ids] = values
        return mask, scores * query.boost if query.boost != 1.0 else scores

    def _phrase_sparse(
        self, searcher: Any, query: wq.Phrase, sets: MatchSets
    ) -> tuple[Ids, Vector]:
        mask = mask_of(sets.docs(searcher, query), self.size)
        if not mask.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        scores = np.zeros(self.size)
        field = searcher.schema[query.fieldname]
        for word in query.words:
            _, more = self.term(searcher, query.fieldname, field.to_bytes(word).decode("utf-8"))
            scores += more
        ids = np.flatnonzero(mask)
        return ids, scores[ids]


def _segments(searcher: Any) -> list[tuple[Any, int]]:
    if searcher.is_atomic():
        return [(searcher, 0)]
    return list(searcher.subsearchers)
