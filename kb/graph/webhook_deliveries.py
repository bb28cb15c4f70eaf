"""The delivery state machine of webhooks, in Neo4j: leases, attempts, replays.

Several app processes may share one Neo4j; each runs a delivery worker. A worker works
on a webhook only while it holds the webhook's lease (``leaseOwner``, ``leaseUntil``,
set in one transaction that first write-locks the node, so two processes cannot both
take it). Every write below checks the lease, so a worker whose lease ran out (a long
pause) cannot record over the one that took it.

A webhook's deliveries go one at a time, in sequence order: the *head* is its
PENDING or RETRYING delivery of lowest sequence, and nothing newer is read from the
change log while there is one. A delivery is written with the outcome of its first
attempt (:func:`record_first_attempt`, one statement, after the POST): on a 2xx it is
DELIVERED and the cursor moves to it; otherwise it is the RETRYING head with the cursor
just before it (the entries in between did not pass the filters). Later attempts of a
head are recorded by :func:`record_attempt`. After the last allowed attempt the
delivery is FAILED and the webhook paused (``active`` false, ``pausedReason``): order
is kept, nothing is skipped silently; :func:`replay_delivery` or :func:`replay_webhook`
resume it.

A delivery's id is :func:`delivery_id` of the webhook, its replay generation
(``replays``, counted up by :func:`replay_webhook`) and the sequence: an entry sent
again because a process died between the 2xx and its record has the same id.

Example:
    >>> claim = claim_webhook(graph, "wh-1", "worker-a", 30.0)
    >>> step = next_step(graph, "wh-1")  # the cursor, the head delivery if any, the log's end
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, LiteralString

from kb.graph.db import Graph, Tx
from kb.graph.webhooks import (
    DELIVERY_FIELDS,
    WEBHOOK_FIELDS,
    DeliveryRecord,
    WebhookRecord,
    delivery_of,
    webhook_of,
)

#: Statuses of a delivery still to be attempted.
OPEN = ["PENDING", "RETRYING"]
#: Delivered records kept per webhook (older ones are pruned when a lease is released).
KEEP_DELIVERED = 1000


@dataclass(frozen=True)
class Claim:
    """A webhook leased to one worker, with what delivering needs (its secret too)."""

    webhook: WebhookRecord
    secret: str


@dataclass(frozen=True)
class Step:
    """Where a webhook is: its cursor, its head delivery (with body) if it has one, its
    replay generation and the change log's newest sequence (read in the same statement,
    before the entries: those up to it are all committed)."""

    cursor: int
    head: DeliveryRecord | None = None
    body: str | None = None
    due: bool = False
    replays: int = 0
    last: int = 0


def delivery_id(webhook_id: str, replays: int, sequence: int) -> str:
    """The id of the delivery of entry ``sequence`` to a webhook in its ``replays``-th
    generation: the same however often it is sent (32 hex digits)."""
    key = f"{webhook_id}:{replays}:{sequence}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def due_webhooks(graph: Graph, limit: int = 50) -> list[str]:
    """Active webhooks no one holds a lease on that have something to do: a head
    delivery due now, or (without a head) change entries after their cursor."""
    return graph.read_column(
        "OPTIONAL MATCH (s:Sequence {name: 'changes'}) WITH coalesce(s.value, 0) AS last "
        "MATCH (w:Webhook) WHERE w.active "
        "  AND (w.leaseUntil IS NULL OR w.leaseUntil < datetime()) "
        "OPTIONAL MATCH (d:WebhookDelivery {webhook: w.id}) WHERE d.status IN $open "
        "WITH w, last, d ORDER BY d.sequence "
        "WITH w, last, head(collect(d)) AS first "
        "WHERE (first IS NULL AND last > w.cursor) OR (first IS NOT NULL AND "
        "  (first.nextAttemptAt IS NULL OR first.nextAttemptAt <= datetime())) "
        "RETURN w.id AS id ORDER BY w.createdAt LIMIT $limit",
        open=OPEN,
        limit=limit,
    )


def claim_webhook(graph: Graph, webhook_id: str, owner: str, lease: float) -> Claim | None:
    """Take the lease on an active webhook for ``lease`` seconds; None when another
    worker holds it (or the webhook is gone or paused)."""

    def work(tx: Tx) -> Claim | None:
        # Write-lock the node first: the lease is then read as the last committer left it.
        tx.run(
            "MATCH (w:Webhook {id: $id}) SET w.leaseLock = true REMOVE w.leaseLock", id=webhook_id
        )
        rows = tx.run(
            "MATCH (w:Webhook {id: $id}) WHERE w.active "
            "  AND (w.leaseUntil IS NULL OR w.leaseUntil < datetime() OR w.leaseOwner = $owner) "
            "SET w.leaseOwner = $owner, w.leaseUntil = datetime() + duration({milliseconds: $ms}) "
            "RETURN " + WEBHOOK_FIELDS + ", w.secret AS secret",
            id=webhook_id,
            owner=owner,
            ms=_ms(lease),
        )
        return Claim(webhook_of(rows[0]), str(rows[0]["secret"])) if rows else None

    return graph.execute_write(work)


def release_webhook(graph: Graph, webhook_id: str, owner: str) -> None:
    """Give the lease back (when ``owner`` still holds it), and prune old deliveries."""
    graph.write(
        "MATCH (w:Webhook {id: $id}) WHERE w.leaseOwner = $owner "
        "REMOVE w.leaseOwner, w.leaseUntil "
        "WITH w CALL { WITH w MATCH (d:WebhookDelivery {webhook: w.id}) "
        "  WHERE d.status = 'DELIVERED' WITH d ORDER BY d.sequence DESC SKIP $keep "
        "  DETACH DELETE d }",
        id=webhook_id,
        owner=owner,
        keep=KEEP_DELIVERED,
    )


def next_step(graph: Graph, webhook_id: str) -> Step:
    """The webhook's cursor, head delivery (the open one of lowest sequence) and replay
    generation, with the change log's newest sequence; cursor -1: no such webhook."""
    rows = graph.read(
        "OPTIONAL MATCH (s:Sequence {name: 'changes'}) WITH coalesce(s.value, 0) AS last "
        "MATCH (w:Webhook {id: $id}) "
        "OPTIONAL MATCH (d:WebhookDelivery {webhook: w.id}) WHERE d.status IN $open "
        "WITH last, w, d ORDER BY d.sequence LIMIT 1 "
        "RETURN w.cursor AS cursor, d IS NOT NULL AS hasHead, "
        "CASE WHEN d IS NULL THEN null ELSE {" + _MAP + "} END AS head, d.body AS body, "
        "d.nextAttemptAt IS NULL OR d.nextAttemptAt <= datetime() AS due, "
        "coalesce(w.replays, 0) AS replays, last",
        id=webhook_id,
        open=OPEN,
    )
    if not rows:
        return Step(cursor=-1)
    row = rows[0]
    head = delivery_of(row["head"]) if row["hasHead"] else None
    return Step(
        int(row["cursor"]), head, row["body"], bool(row["due"]),
        int(row["replays"]), int(row["last"]),
    )  # fmt: skip


_MAP: LiteralString = (
    "id: d.id, webhook: d.webhook, sequence: d.sequence, status: d.status, "
    "attempts: d.attempts, lastError: d.lastError, lastStatus: d.lastStatus, "
    "nextAttemptAt: d.nextAttemptAt, deliveredAt: d.deliveredAt, createdAt: d.createdAt"
)


def advance_cursor(graph: Graph, webhook_id: str, owner: str, expected: int, to: int) -> bool:
    """Move the cursor from ``expected`` to ``to`` (entries the filters skip); False
    when the lease or the cursor changed meanwhile (a replay)."""
    rows = graph.write(
        "MATCH (w:Webhook {id: $id}) WHERE w.leaseOwner = $owner AND w.cursor = $expected "
        "SET w.cursor = $to RETURN count(*) AS moved",
        id=webhook_id,
        owner=owner,
        expected=expected,
        to=to,
    )
    return bool(rows and rows[0]["moved"])


# One attempt of the delivery ``d`` of the webhook ``w``, recorded (and the lease
# extended): a 2xx makes it DELIVERED and moves the cursor to it; a failure RETRYING in
# $retry ms, or FAILED after $max attempts, which pauses the webhook.
_ATTEMPTED: LiteralString = (
    "SET d.attempts = d.attempts + 1, d.lastStatus = $status, d.lastError = $error, "
    "  d.lastAttemptAt = datetime(), "
    "  w.leaseUntil = datetime() + duration({milliseconds: $lease}) "
    "WITH d, w, (NOT $ok AND d.attempts >= $max) AS failed "
    "SET d.status = CASE WHEN $ok THEN 'DELIVERED' WHEN failed THEN 'FAILED' "
    "    ELSE 'RETRYING' END, "
    "  d.deliveredAt = CASE WHEN $ok THEN datetime() ELSE d.deliveredAt END, "
    "  d.nextAttemptAt = CASE WHEN $ok OR failed THEN null "
    "    ELSE datetime() + duration({milliseconds: $retry}) END, "
    "  w.cursor = CASE WHEN $ok AND w.cursor < d.sequence THEN d.sequence "
    "    ELSE w.cursor END, "
    "  w.active = CASE WHEN failed THEN false ELSE w.active END, "
    "  w.pausedReason = CASE WHEN failed THEN 'delivery ' + d.id + ' of change ' + "
    "    toString(d.sequence) + ' failed ' + toString(d.attempts) + ' times; last: ' + "
    "    coalesce($error, 'HTTP ' + toString($status)) ELSE w.pausedReason END "
    "RETURN " + DELIVERY_FIELDS
)


@dataclass(frozen=True)
class Outcome:
    """How one POST went, and what follows from it: ``ok`` on a 2xx; otherwise a retry
    in ``retry_in`` seconds, unless that was the ``max_attempts``-th attempt."""

    ok: bool
    status: int | None
    error: str | None
    max_attempts: int
    retry_in: float
    lease: float

    def params(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "status": self.status, "error": self.error,
            "max": self.max_attempts, "retry": _ms(self.retry_in), "lease": _ms(self.lease),
        }  # fmt: skip


def record_first_attempt(
    graph: Graph,
    webhook_id: str,
    owner: str,
    step: Step,
    expected: int,
    sequence: int,
    body: str,
    outcome: Outcome,
) -> DeliveryRecord | None:
    """Write the delivery of entry ``sequence`` (id :func:`delivery_id`, with ``body``)
    with its first attempt's ``outcome``, in one statement: DELIVERED with the cursor at
    it, or RETRYING (FAILED) with the cursor just before it. None, and nothing written,
    unless ``owner`` still holds the lease, the cursor is still ``expected``, no replay
    came meanwhile (of the webhook: its generation is ``step.replays``; of a delivery:
    no delivery is open)."""
    rows = graph.write(
        "MATCH (w:Webhook {id: $webhook}) WHERE w.leaseOwner = $owner "
        "  AND w.cursor = $expected AND coalesce(w.replays, 0) = $replays "
        "  AND NOT EXISTS { MATCH (o:WebhookDelivery {webhook: w.id}) "
        "    WHERE o.status IN $open } "
        "CREATE (d:WebhookDelivery {id: $delivery, webhook: w.id, sequence: $sequence, "
        "  status: 'PENDING', attempts: 0, body: $body, createdAt: datetime()}) "
        "SET w.cursor = $sequence - 1 " + _ATTEMPTED,
        webhook=webhook_id,
        owner=owner,
        expected=expected,
        replays=step.replays,
        open=OPEN,
        delivery=delivery_id(webhook_id, step.replays, sequence),
        sequence=sequence,
        body=body,
        **outcome.params(),
    )
    return delivery_of(rows[0]) if rows else None


def record_attempt(
    graph: Graph, delivery_id: str, owner: str, outcome: Outcome
) -> DeliveryRecord | None:
    """Record one more attempt of an open delivery (see :class:`Outcome`). None when the
    delivery is no longer open or the lease was lost."""
    rows = graph.write(
        "MATCH (d:WebhookDelivery {id: $id}) WHERE d.status IN $open "
        "MATCH (w:Webhook {id: d.webhook}) WHERE w.leaseOwner = $owner " + _ATTEMPTED,
        id=delivery_id,
        owner=owner,
        open=OPEN,
        **outcome.params(),
    )
    return delivery_of(rows[0]) if rows else None


def replay_delivery(graph: Graph, delivery_id: str) -> DeliveryRecord | None:
    """Send a delivery again (its body and id unchanged): it becomes PENDING with its
    attempts reset, ahead of anything newer, and its webhook active. None: no delivery."""
    rows = graph.write(
        "MATCH (d:WebhookDelivery {id: $id}) "
        "OPTIONAL MATCH (w:Webhook {id: d.webhook}) "
        "SET d.status = 'PENDING', d.attempts = 0, d.nextAttemptAt = null, "
        "  d.replays = coalesce(d.replays, 0) + 1, w.active = true, w.pausedReason = null "
        "RETURN " + DELIVERY_FIELDS,
        id=delivery_id,
    )
    return delivery_of(rows[0]) if rows else None


def replay_webhook(graph: Graph, webhook_id: str, from_sequence: int) -> WebhookRecord | None:
    """Deliver every matching entry from ``from_sequence`` on again, in order: the cursor
    goes back to just before it, open or failed deliveries from there on are SUPERSEDED
    (read again from the log, under new ids: the generation counts up), and the webhook
    is active. None: no such webhook."""
    rows = graph.write(
        "MATCH (w:Webhook {id: $id}) "
        "CALL { WITH w MATCH (d:WebhookDelivery {webhook: w.id}) "
        "  WHERE d.sequence >= $start AND d.status IN ['PENDING', 'RETRYING', 'FAILED'] "
        "  SET d.status = 'SUPERSEDED', d.nextAttemptAt = null } "
        "SET w.cursor = $start - 1, w.active = true, w.pausedReason = null, "
        "  w.replays = coalesce(w.replays, 0) + 1 "
        "RETURN " + WEBHOOK_FIELDS,
        id=webhook_id,
        start=from_sequence,
    )
    return webhook_of(rows[0]) if rows else None
