"""A response cache for GraphQL reads over HTTP, kept across writes.

A knowledge base is read far more than it is written. Responses to queries (never
mutations) without errors are kept, keyed by the document, operation name, variables
and the caller's role. Each entry records what it depends on
(:mod:`kb.api.cache_deps`: the node labels its selection reaches, or the (label, key) of
a by-key read of one node without relationship fields) and the graph version it was
computed at: the (change-log epoch, sequence) this process's search indexer had applied.

The indexer tells the cache each batch of change entries it applies
(:meth:`ResponseCache.apply_changes`, at once for writes made here, within the poll
interval for writes of other processes); entries that depend on a changed label or node
are dropped, the others stay valid at the new version. A new epoch (the graph was
replaced), a gap in sequences, a rebuild of the index, or a version the cache was not
told about clears everything; so does a new UTC day (memberships and expiry are read
"as of today"). A response computed at a version older than a change of one of its
labels is not kept (it may have been read before that change).

Memory is bounded twice: by entries and by the bytes of the bodies kept (whichever is
reached first evicts the least recently used). ``hits``, ``misses`` and
``evicted_by_change`` count what happened (``/readyz`` shows them).

Example:
    >>> cache = ResponseCache(max_entries=512, max_bytes=32 * 1024 * 1024)
    >>> cache.get(key, version) or cache.put(key, version, body, deps)
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from kb.api.cache_deps import EVERYTHING, Dependencies
from kb.graph.changes import Change

Version = tuple[str | None, int]

#: Responses larger than this are not kept (a few large pages would evict everything).
MAX_BODY = 256 * 1024
#: Default bound on the bytes of all bodies kept: 512 entries of MAX_BODY would be 128 MiB.
MAX_BYTES = 32 * 1024 * 1024


def cache_key(
    query: str,
    name: str | None,
    variables: dict[str, Any] | None,
    role: str | None,
    media_type: str,
) -> str:
    """A digest of everything the response depends on besides the graph's version."""
    canonical = json.dumps([query, name, variables or {}, role, media_type], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ResponseCache:
    """A bounded LRU map from request key to its answer, safe across threads.

    Args:
        max_entries: most responses kept.
        max_bytes: most bytes of response bodies kept, all entries together.
    """

    def __init__(self, max_entries: int = 512, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        #: The version up to which the cache has been told of every change.
        self._seen: Version | None = None
        #: Entries computed before this sequence (of the seen epoch) are not kept.
        self._floor = 0
        #: The last sequence at which each label changed, in the seen epoch.
        self._changed: dict[str, int] = {}
        #: Change-log epochs left behind: a late request of one is stale, not news.
        self._left: set[str | None] = set()
        self._day = _today()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.evicted_by_change = 0
        self.clears = 0

    @property
    def nbytes(self) -> int:
        """Bytes of the bodies kept now."""
        return self._bytes

    def counters(self) -> dict[str, int]:
        """What the cache did so far, for the readiness endpoint."""
        return {
            "entries": len(self._entries),
            "bytes": self._bytes,
            "hits": self.hits,
            "misses": self.misses,
            "evictedByChange": self.evicted_by_change,
            "clears": self.clears,
        }

    def get(self, key: str, version: Version) -> bytes | None:
        """The body stored for ``key``, valid at ``version``, or None."""
        with self._lock:
            self._sync(version)
            entry = self._entries.get(key) if version[0] not in self._left else None
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.body

    def put(self, key: str, version: Version, body: bytes, deps: Dependencies = EVERYTHING) -> None:
        """Keep ``body`` as the answer for ``key``, computed at ``version`` (unless too
        large, or a change it depends on came after ``version``, or never to be kept)."""
        if not deps.cacheable:
            return
        if len(body) > min(MAX_BODY, self.max_bytes) or self.max_entries <= 0:
            return
        with self._lock:
            self._sync(version)
            seen = self._seen
            if seen is None or version[0] != seen[0] or version[1] < self._floor:
                return  # computed from a graph older than what the cache was told since
            changed = self._changed.values() if deps.everything else (
                self._changed.get(label, 0) for label in deps.all_labels
            )  # fmt: skip
            if any(seq > version[1] for seq in changed):
                return  # may have been read before that change
            if key in self._entries:
                self._drop(key)
            self._entries[key] = _Entry(body, deps)
            self._bytes += len(body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def apply_changes(self, epoch: str | None, changes: Sequence[Change] | None) -> None:
        """Drop the entries the ``changes`` (applied in order by the indexer, of change
        log ``epoch``) can affect; None means "unknown changes": drop everything."""
        with self._lock:
            seen = self._seen
            if changes is None or seen is None or epoch != seen[0]:
                self._clear((epoch, changes[-1].seq if changes else 0))
                return
            if not changes:
                return
            expected = seen[1] + 1
            for change in changes:
                if change.seq < expected:
                    continue  # already told (a batch applied again)
                if change.seq > expected:
                    self._clear((epoch, changes[-1].seq))  # a gap: what was skipped?
                    return
                expected += 1
            fresh = [c for c in changes if c.seq > seen[1]]
            labels = {c.label for c in fresh}
            keys = {(c.label, c.id) for c in fresh}
            for change in fresh:
                self._changed[change.label] = change.seq
            for key in [k for k, e in self._entries.items() if e.deps.affected_by(labels, keys)]:
                self._drop(key)
                self.evicted_by_change += 1
            self._seen = (epoch, max(seen[1], changes[-1].seq))

    def _sync(self, version: Version) -> None:
        """Clear when ``version`` is one the cache was not told the changes up to, or
        when the day changed."""
        today = _today()
        seen = self._seen
        if version[0] in self._left:
            return  # a request that began before the graph was replaced
        if seen is None or version[0] != seen[0] or version[1] > seen[1] or today != self._day:
            self._clear(version)
            self._day = today

    def _clear(self, version: Version) -> None:
        if self._entries:
            self.clears += 1
        self._entries.clear()
        self._bytes = 0
        self._changed.clear()
        if self._seen is not None and self._seen[0] != version[0]:
            self._left.add(self._seen[0])
        self._left.discard(version[0])
        self._seen = version
        self._floor = version[1]

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.body)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class _Entry:
    body: bytes
    deps: Dependencies


def _today() -> date:
    return datetime.now(UTC).date()
