"""Bounds on expensive work, so that it cannot crowd out cheap reads.

Two bounds, both per process (per event loop):

- **expensive requests**: a request whose cost (:mod:`kb.api.costs`) is at least
  ``KB_EXPENSIVE_COST`` takes one of ``KB_EXPENSIVE_REQUESTS`` slots before it runs. It
  waits for one at most half its time budget (so that it keeps time to run), then it is
  refused with ``RATE_LIMITED``; waiting costs nothing but memory.
- **expensive threads**: Whoosh searches, related items and path searches run on
  ``KB_EXPENSIVE_THREADS`` worker threads of their own (an anyio ``CapacityLimiter``),
  not on the 40 threads every other read shares, so a flood of them leaves those free.

Example:
    >>> slot = await take_slot(settings, cost=9000, at=time.monotonic() + 5)
    >>> if slot.refused is None: ...; slot.release()
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from graphql import GraphQLError

from kb.config import Settings

RATE_LIMITED = "RATE_LIMITED"

# Semaphores and limiters belong to one event loop; tests run several loops one after
# another, so each loop gets its own.
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)
_LIMITERS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[int, anyio.CapacityLimiter]
] = weakref.WeakKeyDictionary()


def _nothing() -> None:
    return None


@dataclass
class Slot:
    """An expensive-request slot: ``release`` it when done; ``refused`` holds the
    RATE_LIMITED error when none came free in time (nothing to release then)."""

    release: Callable[[], None] = _nothing
    refused: GraphQLError | None = None


def _gate(size: int) -> asyncio.Semaphore:
    gates = _GATES.setdefault(asyncio.get_running_loop(), {})
    if size not in gates:
        gates[size] = asyncio.Semaphore(size)
    return gates[size]


async def take_slot(settings: Settings, cost: int, at: float) -> Slot:
    """Wait for an expensive-request slot until half the budget is gone (or the
    deadline ``at``, if sooner); a refused :class:`Slot` when none came free."""
    gate = _gate(settings.expensive_requests)
    wait = max(0.0, min(at - time.monotonic(), settings.request_budget / 2))
    with anyio.move_on_after(wait):
        await gate.acquire()
        return Slot(release=gate.release)
    message = (
        f"the server is busy: this request costs {cost:,}, and requests costing "
        f"{settings.expensive_cost:,} or more run {settings.expensive_requests} at a time "
        f"(KB_EXPENSIVE_REQUESTS); none finished within {wait:.1f}s. Retry later, or ask "
        "for less (smaller pages, expensive fields on fewer items)"
    )
    error = GraphQLError(message, extensions={"code": RATE_LIMITED, "cost": cost})
    return Slot(refused=error)


def expensive_limiter(size: int) -> anyio.CapacityLimiter:
    """The worker threads of this event loop kept for expensive work (``size`` of them)."""
    limiters = _LIMITERS.setdefault(asyncio.get_running_loop(), {})
    if size not in limiters:
        limiters[size] = anyio.CapacityLimiter(size)
    return limiters[size]
