"""A thread-safe map bounded in estimated bytes, least recently used dropped first.

Search keeps what it can make again (a text's analysis, a hit's formatted fragments)
under a byte budget: ``cachetools.LRUCache`` sized by each value's estimated bytes,
behind a lock (searches run on several threads). A value larger than the whole budget
is not kept.

Example:
    >>> kept = KeptBytes(1024, size=len)
    >>> kept.put("k", "value")
    >>> kept.get("k")
    'value'
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K")
V = TypeVar("V")


class KeptBytes(Generic[K, V]):
    """At most ``max_bytes`` (as ``size`` estimates each value) of kept values."""

    def __init__(self, max_bytes: int, size: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self._size = size
        self._entries: LRUCache[K, V] = LRUCache(max_bytes, getsizeof=size)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[K]:
        with self._lock:
            return iter(list(self._entries))

    @property
    def bytes(self) -> int:
        """Estimated bytes held now."""
        return int(self._entries.currsize)

    def get(self, key: K) -> V | None:
        """The kept value (now the most recently used), or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` (unless it alone is over the budget), dropping the least
        recently used values beyond the budget."""
        if self._size(value) > self.max_bytes:
            return
        with self._lock:
            self._entries[key] = value
