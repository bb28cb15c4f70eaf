"""Whoosh searchers shared by the threads of one process, renewed when the index changes.

A searcher sees one commit of one generation (a *snapshot*). Each request borrows a
searcher of the newest snapshot for as long as it reads, and gives it back; a searcher
of an older snapshot is closed as soon as its last user gives it back, so the segment
files a commit merged away (and Whoosh deleted) are not held open any longer than a
request that already had them.

Searchers are never moved on with Whoosh's ``Searcher.refresh()``: in whoosh-reloaded
2.7.5 a reader opened with ``reuse=`` adds back every segment of the old reader that the
new commit no longer lists, so a refreshed searcher keeps each merged-away segment open
forever and counts its documents again (descriptors, memory and duplicate hits grow
with every commit). Opening a fresh reader per snapshot costs a few milliseconds once
per commit per concurrent request, not per request.

Once :meth:`SearcherPool.advance` has been called (the search runtime calls it at start
and after each commit of its indexer), the pool serves the snapshot it last *published*
rather than the newest on disk: ``advance`` opens the newest snapshot, has it prepared
(every segment's arrays read whole, the speller's vocabulary built: what the first
searches of a snapshot paid before) and only then publishes it, so that no search waits
for that preparation and searches meanwhile read the snapshot before.

Example:
    >>> pool = SearcherPool(store)
    >>> with pool.searcher() as searcher:
    ...     searcher.doc_count()
    >>> pool.close()
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.scoring import BM25F

from kb.search.hits import StoredKeys
from kb.search.matchsets import MatchSets
from kb.search.scoring import ScoreVectors
from kb.search.segments import SegmentArrays
from kb.search.store import IndexStore, open_index

#: A generation directory and a Whoosh commit (TOC generation) within it.
Snapshot = tuple[Path, int]

#: Idle searchers of the newest snapshot kept for the next requests; more are closed.
MAX_IDLE = 8


@dataclass(frozen=True)
class SnapshotCaches:
    """What searches of one snapshot share: bitmaps, score vectors, document keys."""

    sets: MatchSets
    vectors: ScoreVectors
    keys: StoredKeys

    @classmethod
    def of(cls, searcher: Any, segments: SegmentArrays | None = None) -> SnapshotCaches:
        vectors = ScoreVectors(searcher, segments=segments)
        return cls(MatchSets(searcher, vectors=vectors), vectors, SegmentKeys(vectors.segments))


class SegmentKeys(StoredKeys):
    """:class:`StoredKeys` of one snapshot, read through its segments: a document's key
    read in an earlier snapshot that held its segment is not read again."""

    def __init__(self, segments: SegmentArrays) -> None:
        super().__init__()
        self.segments = segments

    def get(self, searcher: Any, docnum: int) -> tuple[str, str]:
        with self._lock:
            found = self._keys.get(docnum)
        if found is None:
            leaves = list(searcher.reader().leaf_readers())
            at = bisect_right([offset for _, offset in leaves], docnum) - 1
            reader, offset = leaves[at]
            found = self.segments.stored_key(reader, docnum - offset)
            with self._lock:
                self._keys[docnum] = found
        return found


class SearcherPool:
    """Lends searchers of the newest snapshot of ``store`` (see the module docstring).

    Args:
        store: the index directory.
        max_idle: idle searchers kept open for reuse (the rest are closed when given back).
    """

    def __init__(self, store: IndexStore, max_idle: int = MAX_IDLE) -> None:
        self.store = store
        self.max_idle = max_idle
        self._lock = threading.Lock()
        self._index: tuple[Path, Any] | None = None
        self._newest: Snapshot | None = None
        self._idle: list[tuple[Snapshot, Any]] = []
        #: The snapshot of each searcher lent out, by id(); bitmaps of the newest one.
        self._lent: dict[int, Snapshot] = {}
        self._sets: tuple[Snapshot, SnapshotCaches] | None = None
        #: The snapshot searches get, once advance() has published one (else the newest
        #: on disk), and the one being prepared meanwhile with its caches.
        self._published: Snapshot | None = None
        self._preparing: tuple[Snapshot, SnapshotCaches] | None = None
        self._advance_lock = threading.Lock()
        #: What is read from each segment, kept while later snapshots still hold it.
        self.segments = SegmentArrays()
        self._open = 0
        self._closed = False
        # A service dropped without close() (a CLI call, a test) still closes its files
        # rather than leaving them to the garbage collector (ResourceWarning).
        weakref.finalize(self, _close_idle, self._idle)

    @property
    def open_count(self) -> int:
        """Searchers opened and not yet closed (lent out or idle)."""
        with self._lock:
            return self._open

    @contextmanager
    def searcher(self) -> Iterator[Any]:
        """A searcher of the newest snapshot, for the duration of the ``with`` block.

        It is not shared with another thread meanwhile (Whoosh searchers keep state).
        """
        snapshot, searcher = self._borrow()
        with self._lock:
            self._lent[id(searcher)] = snapshot
        try:
            yield searcher
        finally:
            with self._lock:
                self._lent.pop(id(searcher), None)
            self._give_back(snapshot, searcher)

    def match_sets(self, searcher: Any) -> MatchSets:
        """The bitmaps (:class:`MatchSets`) of the snapshot of ``searcher``, a searcher
        lent by :meth:`searcher`: shared by every searcher of the newest snapshot."""
        return self.caches(searcher).sets

    def caches(self, searcher: Any) -> SnapshotCaches:
        """Bitmaps, score vectors and document keys of the snapshot of ``searcher`` (a
        searcher lent by :meth:`searcher`), shared by every searcher of the newest one."""
        with self._lock:
            snapshot = self._lent.get(id(searcher))
            if self._sets is not None and self._sets[0] == snapshot:
                return self._sets[1]
            if self._preparing is not None and self._preparing[0] == snapshot:
                return self._preparing[1]
        caches = SnapshotCaches.of(searcher, self.segments)
        with self._lock:
            if snapshot is not None and snapshot == self._newest:
                if self._sets is None or self._sets[0] != snapshot:
                    self._sets = (snapshot, caches)
                return self._sets[1]
        return caches

    def advance(self, prepare: Callable[[Any, SnapshotCaches], object]) -> bool:
        """Publish the newest snapshot on disk, after ``prepare(searcher, caches)`` has
        read what its searches need (see the module docstring); return False when it is
        the published one already. Searches get the published snapshot from then on.

        One call at a time; searches go on meanwhile, on the snapshot published before.
        """
        with self._advance_lock:
            try:
                wanted, ix = self._latest()
            except FileNotFoundError:
                return False
            with self._lock:
                if self._closed:
                    return False
                if self._published is not None and not _newer(wanted, self._published):
                    return False
            searcher = ix.searcher(weighting=BM25F())
            generation = searcher.reader().generation()
            snapshot = (wanted[0], wanted[1] if generation is None else int(generation))
            caches = SnapshotCaches.of(searcher, self.segments)
            with self._lock:
                self._open += 1
                self._lent[id(searcher)] = snapshot
                self._preparing = (snapshot, caches)
            try:
                self.segments.load(searcher)
                prepare(searcher, caches)
            except BaseException:
                self._close_all([searcher])
                raise
            finally:
                with self._lock:
                    self._lent.pop(id(searcher), None)
                    self._preparing = None
            with self._lock:
                if self._published is None or _newer(snapshot, self._published):
                    self._published = snapshot
                stale = self._move_to(snapshot)
                if self._newest == snapshot:
                    self._sets = (snapshot, caches)
            self._close_all(stale)
            self._give_back(snapshot, searcher)
            return True

    def drop_stale(self) -> None:
        """Close idle searchers that no longer see the newest commit (call it after a
        commit: otherwise they wait for the next request to be found out)."""
        try:
            newest, _ = self._latest()
        except FileNotFoundError:
            return
        with self._lock:
            # Once snapshots are published, the published one is the newest served.
            stale = self._move_to(self._published or newest)
        self._close_all(stale)

    def close(self) -> None:
        """Close the idle searchers; those lent out are closed when given back."""
        with self._lock:
            self._closed = True
            idle = list(self._idle)
            self._idle.clear()
        self._close_all([searcher for _, searcher in idle])

    def _latest(self) -> tuple[Snapshot, Any]:
        path = self.store.current_path()
        with self._lock:
            if self._index is None or self._index[0] != path:
                self._index = (path, open_index(path))
            ix = self._index[1]
        # Lists the generation directory for its newest TOC file: no file is opened.
        return (path, int(ix.latest_generation())), ix

    def _borrow(self) -> tuple[Snapshot, Any]:
        with self._lock:
            published = self._published
        if published is not None:
            return self._borrow_published(published)
        wanted, ix = self._latest()
        with self._lock:
            if self._closed:
                raise RuntimeError("the search service is closed")
            stale = self._move_to(wanted)
            found = self._idle.pop() if self._idle else None
            if found is not None:
                snapshot, searcher = found
        self._close_all(stale)
        if found is not None:
            return snapshot, searcher
        searcher = ix.searcher(weighting=BM25F())
        # The reader may have seen a commit newer than ``wanted``: name it by what it holds.
        generation = searcher.reader().generation()
        snapshot = (wanted[0], wanted[1] if generation is None else int(generation))
        with self._lock:
            self._open += 1
            stale = self._move_to(snapshot)
        self._close_all(stale)
        return snapshot, searcher

    def _borrow_published(self, published: Snapshot) -> tuple[Snapshot, Any]:
        """A searcher of the published snapshot: an idle one, else a new one of its
        generation (which is the published commit unless a commit is being prepared:
        then the newer commit, correct but not prepared, for this request only)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the search service is closed")
            found = self._idle.pop() if self._idle else None
        if found is not None:
            return found
        path = published[0]
        try:
            searcher = self._generation(path).searcher(weighting=BM25F())
        except OSError:  # its generation was pruned (two rebuilds in a row)
            (path, _), ix = self._latest()
            searcher = ix.searcher(weighting=BM25F())
        generation = searcher.reader().generation()
        snapshot = (path, published[1] if generation is None else int(generation))
        with self._lock:
            self._open += 1
        return snapshot, searcher

    def _generation(self, path: Path) -> Any:
        with self._lock:
            if self._index is not None and self._index[0] == path:
                return self._index[1]
        return open_index(path)

    def _move_to(self, snapshot: Snapshot) -> list[Any]:
        """Note ``snapshot`` if it is the newest yet; take the idle searchers of older
        ones out of the pool (the caller closes them, outside the lock). Holds the lock."""
        if self._newest is None or _newer(snapshot, self._newest):
            self._newest = snapshot
        if self._sets is not None and self._sets[0] != self._newest:
            self._sets = None
        stale = [s for snap, s in self._idle if snap != self._newest]
        self._idle[:] = [(snap, s) for snap, s in self._idle if snap == self._newest]
        return stale

    def _give_back(self, snapshot: Snapshot, searcher: Any) -> None:
        with self._lock:
            if not self._closed and snapshot == self._newest and len(self._idle) < self.max_idle:
                self._idle.append((snapshot, searcher))
                return
        self._close_all([searcher])

    def _close_all(self, searchers: list[Any]) -> None:
        for searcher in searchers:
            searcher.close()
        if searchers:
            with self._lock:
                self._open -= len(searchers)


def _close_idle(idle: list[tuple[Snapshot, Any]]) -> None:
    for _, searcher in idle:
        searcher.close()
    idle.clear()


def _newer(candidate: Snapshot, than: Snapshot) -> bool:
    """True when ``candidate`` is a later snapshot: a later generation (their names sort
    by creation time, see :meth:`IndexStore.new_generation`) or a later commit."""
    return (candidate[0].name, candidate[1]) > (than[0].name, than[1])
