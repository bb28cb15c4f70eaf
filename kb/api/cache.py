"""A response cache for GraphQL reads over HTTP.

A knowledge base is read far more than it is written. Responses to queries (never
mutations) without errors are kept, keyed by the document, operation name, variables
and the caller's role, and stamped with the version of the graph they were computed
from: the (change-log epoch, sequence) this process's search indexer has applied. Any
write moves that version on (at once for writes made here, within the indexer's poll
interval for writes made by other processes), and older entries stop matching.

Memory is bounded twice: by entries and by the bytes of the bodies kept (whichever is
reached first evicts the least recently used). An entry of an older version can never
match again (versions only move on), so the first answer stored at a newer version
drops every older entry, and a late answer computed at an older version is not kept.

Example:
    >>> cache = ResponseCache(max_entries=512, max_bytes=32 * 1024 * 1024)
    >>> cache.get(key, version) or cache.put(key, version, body)
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

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
    """A bounded LRU map from request key to (version, body), safe across threads.

    Args:
        max_entries: most responses kept.
        max_bytes: most bytes of response bodies kept, all entries together.
    """

    def __init__(self, max_entries: int = 512, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[Version, bytes]] = OrderedDict()
        self._bytes = 0
        self._version: Version | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def nbytes(self) -> int:
        """Bytes of the bodies kept now."""
        return self._bytes

    def get(self, key: str, version: Version) -> bytes | None:
        """The body stored for ``key`` at ``version``, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                if entry is not None:
                    self._drop(key)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: str, version: Version, body: bytes) -> None:
        """Keep ``body`` as the answer for ``key`` at ``version`` (unless too large)."""
        if len(body) > min(MAX_BODY, self.max_bytes) or self.max_entries <= 0:
            return
        with self._lock:
            if self._version is not None and version != self._version:
                if not _newer(version, self._version):
                    return  # computed from an older graph: no lookup will ask for it
                self._entries.clear()  # every entry is of an older version
                self._bytes = 0
            self._version = version
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (version, body)
            self._bytes += len(body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        _, body = self._entries.pop(key)
        self._bytes -= len(body)

    def __len__(self) -> int:
        return len(self._entries)


def _newer(version: Version, than: Version) -> bool:
    """A later sequence of the same change log, or another log (the graph was replaced)."""
    return version[0] != than[0] or version[1] > than[1]
