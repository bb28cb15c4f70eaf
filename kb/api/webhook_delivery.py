"""The webhook delivery worker: the change log read forward, POSTed to each webhook.

One worker runs in each app process (started in the app's lifespan, stopped with it;
``KB_WEBHOOKS=false`` turns it off). Every ``KB_WEBHOOK_POLL`` seconds it asks the
graph which webhooks have work, takes a lease on each (:mod:`kb.graph.webhook_deliveries`:
one process per webhook at a time, however many share the Neo4j), and delivers:

- an open head (a delivery to retry, or one replayed) goes first; then one batch of
  :data:`BATCH` change entries is read from the webhook's cursor per lease, and the
  entries its filters (kinds, states, categories) pass are POSTed one at a time:
  entry N+1 is not sent before N got a 2xx. Each is written, with its first attempt's
  outcome, in one statement after its POST (one write per delivery);
- the body is JSON: ``{webhook, delivery, sequence, op, kind, key, id, at, author,
  states, categories}``, signed with the webhook's secret: ``X-KB-Signature:
  sha256=<hex HMAC-SHA256 of the body>``, with ``X-KB-Delivery`` (the delivery id,
  the same for its retries and replays), ``X-KB-Sequence`` and ``X-KB-Webhook``;
- a POST has ``KB_WEBHOOK_TIMEOUT`` seconds in all; no redirect is followed; the
  answer's body is not read. Anything but a 2xx is retried after ``KB_WEBHOOK_BACKOFF``
  seconds, doubling each time up to ``KB_WEBHOOK_BACKOFF_MAX``; after
  ``KB_WEBHOOK_ATTEMPTS`` attempts the delivery is FAILED and the webhook paused,
  so that nothing is delivered out of order (``replayDelivery`` / ``replayWebhook``
  resume it).

The cursor moves only on a 2xx (recorded after the answer), so a process killed
between the two sends the entry again when it (or another) takes the lease:
delivery is at least once, in order; a repeat has the same sequence and delivery id
(:func:`kb.graph.webhook_deliveries.delivery_id`). :meth:`DeliveryWorker.counters`
(``/readyz``) counts this process's attempts by outcome.

Example:
    >>> worker = DeliveryWorker(graph, settings)
    >>> task = worker.start()
    >>> ...
    >>> await worker.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from kb.api.ids import encode_id
from kb.api.subscriptions import passes_filter
from kb.config import Settings
from kb.graph.changes import STREAM_LABELS, stream_entries
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.graph.history import native_datetime
from kb.graph.webhook_deliveries import (
    Claim,
    Outcome,
    Step,
    advance_cursor,
    claim_webhook,
    delivery_id,
    due_webhooks,
    next_step,
    record_attempt,
    record_first_attempt,
    release_webhook,
)
from kb.graph.webhooks import DeliveryRecord

log = logging.getLogger(__name__)

#: Change entries read at a time, and deliveries made per webhook per lease.
BATCH = 50
#: Webhooks served at once by one process.
CONCURRENCY = 8
#: The longest error text kept on a delivery.
MAX_ERROR = 300


def signature(secret: str, body: bytes) -> str:
    """The ``X-KB-Signature`` of ``body``: ``sha256=`` and the hex HMAC-SHA256 of it.

    Example:
        >>> signature("s3cret", b'{"sequence":1}')[:7]
        'sha256='
    """
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def retry_delay(settings: Settings, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: the base, doubled each
    time, capped."""
    return float(min(settings.webhook_backoff * 2 ** (attempts - 1), settings.webhook_backoff_max))


def _passes(claim: Claim, row: dict[str, Any]) -> bool:
    hook = claim.webhook
    return passes_filter(row, set(hook.states or ()), set(hook.categories or ()))


def _body(webhook_id: str, delivery_id: str, row: dict[str, Any]) -> str:
    label, key = str(row["label"]), str(row["id"])
    event = {
        "webhook": webhook_id,
        "delivery": delivery_id,
        "sequence": int(row["seq"]),
        "op": str(row["op"]),
        "kind": label,
        "key": key,
        "id": encode_id(label, key),
        "at": native_datetime(row["at"]).isoformat(),
        "author": row["author"],
        "states": sorted(row["states"]),
        "categories": sorted(row["categories"]),
    }
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


class DeliveryWorker:
    """Delivers the change log to the registered webhooks (see the module's text).

    Args:
        graph: the graph the change log and webhooks are read from.
        settings: the ``webhook_*`` settings.
        owner: this worker's name in leases (default: host, process id, random).
    """

    def __init__(self, graph: Graph, settings: Settings, owner: str | None = None) -> None:
        self.graph = graph
        self.settings = settings
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        #: POSTs made since the start, and the recorded ones by how they went (``/readyz``
        #: shows them).
        self.attempted = 0
        self.delivered = 0
        self.retrying = 0
        self.failed = 0
        self.last_error_at: datetime | None = None
        self._stopping = asyncio.Event()
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._client: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None

    def counters(self) -> dict[str, object]:
        """What this process's worker did since it started: POSTs made, and of the
        attempts recorded those delivered (2xx), to be retried, failed for good (the
        webhook paused), and when the last one that did not get a 2xx was recorded (ISO
        8601, or None)."""
        at = self.last_error_at
        return {
            "attempted": self.attempted, "delivered": self.delivered,
            "retrying": self.retrying, "failed": self.failed,
            "lastErrorAt": at.isoformat() if at is not None else None,
        }  # fmt: skip

    def start(self) -> asyncio.Task[None]:
        """Run :meth:`run` as a task of the running loop."""
        self._task = asyncio.create_task(self.run(), name=f"webhooks {self.owner}")
        return self._task

    async def stop(self) -> None:
        """Finish the attempt under way (within the POST timeout), give the leases back."""
        self._stopping.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._task, self.settings.webhook_timeout + 5.0)
        except TimeoutError:
            log.warning("webhook worker %s did not stop in time; cancelled", self.owner)

    async def run(self) -> None:
        """Deliver until :meth:`stop`: one :meth:`tick` per poll interval."""
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
            self._client = client
            down = False  # said once per outage, not at every poll
            while not self._stopping.is_set():
                try:
                    await self.tick()
                    if down:
                        log.info("webhooks: the database answers again; delivering")
                    down = False
                except DatabaseUnavailableError as error:
                    if not down:
                        log.warning("webhooks: the database is unavailable (%s); retrying", error)
                    down = True
                except Exception:  # a bug must not end delivery for good
                    log.exception("webhooks: delivery round failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.settings.webhook_poll)

    async def tick(self) -> int:
        """One round over the webhooks that have work; returns the attempts made."""
        if self._client is not None:
            return await self._round()
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
            self._client = client
            try:
                return await self._round()
            finally:
                self._client = None

    async def _round(self) -> int:
        ids = await asyncio.to_thread(due_webhooks, self.graph)
        done = await asyncio.gather(*(self._serve(webhook_id) for webhook_id in ids))
        return sum(done)

    async def _serve(self, webhook_id: str) -> int:
        async with self._slots:
            claim = await asyncio.to_thread(
                claim_webhook, self.graph, webhook_id, self.owner, self.settings.webhook_lease
            )
            if claim is None:
                return 0
            try:
                return await self._deliver(claim)
            finally:
                # If this fails, the lease runs out by itself.
                with contextlib.suppress(DatabaseUnavailableError, asyncio.CancelledError):
                    await asyncio.to_thread(release_webhook, self.graph, webhook_id, self.owner)

    async def _deliver(self, claim: Claim) -> int:
        """Attempt the webhook's deliveries in order until one fails, none is left or
        :data:`BATCH` were made: the open heads first (retries, replayed deliveries),
        then the entries of one read of the change log."""
        attempts = 0
        for _ in range(BATCH + 1):  # bounded: each turn but the last attempts a head
            if self._stopping.is_set() or attempts >= BATCH:
                break
            step = await asyncio.to_thread(next_step, self.graph, claim.webhook.id)
            if step.cursor < 0:
                break  # deleted meanwhile
            if step.head is None:
                return attempts + await self._deliver_new(claim, step, BATCH - attempts)
            if not step.due:
                break  # the head waits for its retry time; nothing newer goes first
            attempts += 1
            outcome = await self._post(claim, step.head.id, step.head.sequence, step.body or "")
            recorded = await asyncio.to_thread(
                record_attempt, self.graph, step.head.id, self.owner,
                self._outcome(outcome, step.head.attempts + 1),
            )  # fmt: skip
            if not self._went_on(claim, step.head.id, recorded):
                break
        return attempts

    async def _deliver_new(self, claim: Claim, step: Step, most: int) -> int:
        """Deliver the entries after the cursor from one read of the change log (at most
        ``most`` attempts), each written with its first attempt in one statement; then
        move the cursor past the entries the filters skip. Returns the attempts made."""
        hook = claim.webhook
        kinds = list(hook.kinds or STREAM_LABELS)
        cursor = step.cursor
        rows: list[dict[str, Any]] = await asyncio.to_thread(
            stream_entries, self.graph, cursor, kinds, BATCH
        )
        attempts = 0
        for row in rows:
            if not _passes(claim, row):
                continue
            if self._stopping.is_set() or attempts >= most:
                return attempts
            sequence = int(row["seq"])
            delivery = delivery_id(hook.id, step.replays, sequence)
            body = _body(hook.id, delivery, row)
            attempts += 1
            outcome = await self._post(claim, delivery, sequence, body)
            recorded = await asyncio.to_thread(
                record_first_attempt, self.graph, hook.id, self.owner, step, cursor,
                sequence, body, self._outcome(outcome, 1),
            )  # fmt: skip
            if not self._went_on(claim, delivery, recorded):
                return attempts
            cursor = sequence
        # Past the entries the filters skipped: up to the batch's last entry, or (when the
        # log had no more) the log's end, read before the entries.
        end = int(rows[-1]["seq"]) if rows else cursor
        if len(rows) < BATCH:
            end = max(end, step.last)
        if end > cursor:
            await asyncio.to_thread(advance_cursor, self.graph, hook.id, self.owner, cursor, end)
        return attempts

    def _outcome(self, posted: tuple[int | None, str | None], attempt: int) -> Outcome:
        status, error = posted
        return Outcome(
            ok=error is None, status=status, error=error,
            max_attempts=self.settings.webhook_attempts,
            retry_in=retry_delay(self.settings, attempt), lease=self.settings.webhook_lease,
        )  # fmt: skip

    def _went_on(self, claim: Claim, delivery: str, recorded: DeliveryRecord | None) -> bool:
        """Count and log an attempt; True when it was delivered (and recorded)."""
        self.attempted += 1
        if recorded is None:
            log.warning(
                "webhook %s: lost its lease (or was replayed) during delivery %s",
                claim.webhook.id, delivery,
            )  # fmt: skip
            return False
        if recorded.status == "DELIVERED":
            self.delivered += 1
            return True
        self.last_error_at = datetime.now(UTC)
        if recorded.status == "RETRYING":
            self.retrying += 1
        if recorded.status == "FAILED":
            self.failed += 1
            log.warning(
                "webhook %s paused: delivery %s failed: %s",
                claim.webhook.id, delivery, recorded.last_error,
            )  # fmt: skip
        return False

    async def _post(
        self, claim: Claim, delivery: str, sequence: int, body: str
    ) -> tuple[int | None, str | None]:
        """POST one delivery: (the HTTP status or None, None on a 2xx else the error)."""
        assert self._client is not None
        content = body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "procurement-kb-webhooks/1",
            "X-KB-Signature": signature(claim.secret, content),
            "X-KB-Delivery": delivery,
            "X-KB-Sequence": str(sequence),
            "X-KB-Webhook": claim.webhook.id,
        }
        timeout = self.settings.webhook_timeout
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(timeout):
                async with self._client.stream(
                    "POST", claim.webhook.url, content=content, headers=headers, timeout=timeout
                ) as response:
                    status = response.status_code
        except (TimeoutError, httpx.TimeoutException):
            error = f"no answer from {claim.webhook.url} within {timeout:g} s"
        except httpx.HTTPError as problem:
            error = f"{type(problem).__name__}: {problem}"[:MAX_ERROR] or type(problem).__name__
        if status is not None and not 200 <= status < 300:
            error = f"the receiver answered HTTP {status}"
        return status, error
