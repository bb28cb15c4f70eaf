"""Per-client limits: operations per minute, and subscriptions held open at once.

A client is its token (every process agrees on a token's id) or, without one, the
address it connects from. Both transports count against one budget per client: each
GraphQL request over HTTP and each ``subscribe`` message over WebSocket (a
subscription, or a query sent over the socket) takes one operation from a token
bucket of ``KB_RATE_LIMIT`` operations a minute (0: no limit). Over it, the HTTP
request gets 429 and the WebSocket operation an ``error`` message, both carrying the
same GraphQL error: ``extensions.code`` ``RATE_LIMITED`` and ``extensions.retryAfter``
(seconds, rounded up).

Open subscriptions are held to ``KB_SUBSCRIPTIONS_PER_CLIENT`` per client and
:data:`MAX_SUBSCRIPTIONS` per process; the next one is refused with ``RATE_LIMITED``
too, naming the limit.

The counts live in the process (as the expensive-request slots of
:mod:`kb.api.concurrency` do): two app processes each allow the rate. The table of
clients is bounded (:data:`MAX_CLIENTS`): a flood of addresses evicts the oldest
entries, it does not grow the process.

Example:
    >>> limits = ClientLimits(rate=60, subscriptions=10)
    >>> limits.take("token:abc") is None  # allowed; else the RATE_LIMITED error
    True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache

from kb.api.concurrency import RATE_LIMITED
from kb.api.errors import ApiError

#: Subscriptions open at once in one process, whoever holds them.
MAX_SUBSCRIPTIONS = 200
#: Clients whose bucket is remembered; past it the least recently seen is forgotten.
MAX_CLIENTS = 10_000


def client_key(token_id: str | None, address: str | None) -> str:
    """Who a limit counts for: the token when there is one, else the address."""
    if token_id:
        return f"token:{token_id}"
    return f"address:{address or 'unknown'}"


class RateLimitedError(ApiError):
    """Over a per-client limit: ``RATE_LIMITED``, with ``retryAfter`` when waiting helps."""

    code = RATE_LIMITED

    def formatted(self) -> dict[str, Any]:
        """The GraphQL error object, as HTTP and WebSocket answers carry it."""
        return {"message": str(self), "extensions": {"code": self.code, **self.details}}


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class ClientLimits:
    """The per-client rate (``rate`` operations a minute, 0 for none) and the cap on
    subscriptions each client (``subscriptions``) and the process may hold open."""

    rate: int
    subscriptions: int
    clock: Callable[[], float] = time.monotonic
    _buckets: LRUCache[str, _Bucket] = field(default_factory=lambda: LRUCache(MAX_CLIENTS))
    _open: dict[str, int] = field(default_factory=dict)

    def take(self, client: str) -> RateLimitedError | None:
        """Count one operation for ``client``: None when allowed, else the error to send."""
        if self.rate <= 0:
            return None
        now = self.clock()
        bucket = self._buckets.pop(client, None)
        if bucket is None:
            bucket = _Bucket(float(self.rate), now)
        else:
            refill = (now - bucket.at) * self.rate / 60.0
            bucket = _Bucket(min(float(self.rate), bucket.tokens + refill), now)
        self._buckets[client] = bucket  # the least recently seen client goes first
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        wait = (1.0 - bucket.tokens) * 60.0 / self.rate
        return rate_limited(
            f"too many requests: this client ({_shown(client)}) may send {self.rate} "
            f"operations a minute (KB_RATE_LIMIT), over HTTP and WebSocket together; "
            f"retry in {math.ceil(wait)} s",
            wait,
        )

    def open_subscription(self, client: str) -> RateLimitedError | None:
        """Hold a subscription open for ``client``: None when allowed (call
        :meth:`close_subscription` when it ends), else the error to send."""
        held = self._open.get(client, 0)
        if held >= self.subscriptions:
            return rate_limited(
                f"this client ({_shown(client)}) already holds {held} open subscriptions; "
                f"at most {self.subscriptions} are allowed (KB_SUBSCRIPTIONS_PER_CLIENT): "
                "complete one first, or filter one subscription with where:"
            )
        if self.open_total >= MAX_SUBSCRIPTIONS:
            return rate_limited(
                f"this server has {MAX_SUBSCRIPTIONS} open subscriptions; try again later"
            )
        self._open[client] = held + 1
        return None

    def close_subscription(self, client: str) -> None:
        """A subscription of ``client`` ended."""
        held = self._open.get(client, 0) - 1
        if held > 0:
            self._open[client] = held
        else:
            self._open.pop(client, None)

    @property
    def open_total(self) -> int:
        """Subscriptions open in this process."""
        return sum(self._open.values())


def rate_limited(message: str, retry_after: float | None = None) -> RateLimitedError:
    """A RATE_LIMITED error; ``retryAfter`` (whole seconds) when a wait will help."""
    details = {"retryAfter": max(1, math.ceil(retry_after))} if retry_after is not None else {}
    return RateLimitedError(message, details=details)


def _shown(client: str) -> str:
    # A token's id is no secret (it names the token in `kb token list`), but keep it short.
    kind, _, value = client.partition(":")
    return f"{kind} {value[:12]}"
