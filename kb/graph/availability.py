"""Whether Neo4j answers, as seen by this process: fail fast during an outage.

When a transaction finds Neo4j unreachable, the database is marked down. While it is
down, requests do not wait for connection attempts and retries: they fail at once with
:class:`~kb.graph.db.DatabaseUnavailableError`, except one probe at a time, at most every
``probe_interval`` seconds, which tries for real. The first success marks it up again.
The driver reconnects by itself, so recovery needs nothing but that probe.

An outage is logged twice: once when it starts, once when it ends (with its length),
never once per request.

Example:
    >>> availability = Availability(probe_interval=0.5)
    >>> availability.should_try()   # up: always try
    True
    >>> availability.failed(error)  # logs "Neo4j is unavailable ..." once
    >>> availability.should_try()   # down: this caller may probe now, the next may not
    True
    >>> availability.should_try()
    False
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

log = logging.getLogger("kb.graph")


@dataclass
class _Outage:
    since: float
    reason: str
    last_probe: float
    probing: bool = False


class Availability:
    """Up or down, with at most one probe in flight while down.

    Args:
        target: what is reached (the URI), for the log lines.
        probe_interval: seconds between two probes while Neo4j is down.
    """

    def __init__(self, target: str = "Neo4j", probe_interval: float = 0.5) -> None:
        self.target = target
        self.probe_interval = probe_interval
        self._lock = threading.Lock()
        self._outage: _Outage | None = None

    @property
    def down(self) -> bool:
        """True while the last attempt found Neo4j unreachable."""
        return self._outage is not None

    def reason(self) -> str:
        """Why Neo4j is taken to be down, and for how long (empty when it is up)."""
        outage = self._outage
        if outage is None:
            return ""
        seconds = time.monotonic() - outage.since
        return f"{outage.reason} (unavailable for {seconds:.0f}s)"

    def should_try(self) -> bool:
        """Whether the caller should send its transaction now.

        Always while up. While down, True for exactly one caller per probe interval:
        that caller probes, and must report :meth:`succeeded` or :meth:`failed`.
        """
        with self._lock:
            outage = self._outage
            if outage is None:
                return True
            now = time.monotonic()
            if outage.probing or now - outage.last_probe < self.probe_interval:
                return False
            outage.probing = True
            outage.last_probe = now
            return True

    def succeeded(self) -> None:
        """A transaction reached Neo4j: the outage, if any, is over."""
        if self._outage is None:  # the common case, without the lock
            return
        with self._lock:
            outage, self._outage = self._outage, None
        if outage is not None:
            log.warning(
                "%s answers again after %.1fs unavailable",
                self.target,
                time.monotonic() - outage.since,
            )

    def failed(self, reason: str) -> None:
        """A transaction could not reach Neo4j: start an outage, or end this probe."""
        now = time.monotonic()
        with self._lock:
            outage = self._outage
            if outage is not None:
                outage.probing = False
                outage.last_probe = now
                return
            self._outage = _Outage(since=now, reason=reason, last_probe=now)
        log.warning(
            "%s is unavailable: %s; requests fail at once until it answers again "
            "(probing every %.1fs)",
            self.target,
            reason,
            self.probe_interval,
        )

    def released(self) -> None:
        """The probing caller ended without an answer either way (e.g. a query error)."""
        with self._lock:
            if self._outage is not None:
                self._outage.probing = False
