"""A response cache for GraphQL reads over HTTP.

A knowledge base is read far more than it is written. Responses to queries (never
mutations) without errors are kept, keyed by the document, operation name, variables
and the caller's role, and stamped with the version of the graph they were computed
from: the (change-log epoch, sequence) this process's search indexer has applied. Any
write moves that version on (at once for writes made here, within the indexer's poll
interval for writes made by other processes), and older entries stop matching.

Example:
    >>> cache = ResponseCache(max_entries=512)
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
    """A bounded LRU map from request key to (version, body), safe across threads."""

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[Version, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str, version: Version) -> bytes | None:
        """The body stored for ``key`` at ``version``, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: str, version: Version, body: bytes) -> None:
        if len(body) > MAX_BODY or self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = (version, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
