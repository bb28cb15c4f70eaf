"""The delivery state machine of webhooks, in Neo4j: leases, attempts, replays.

Several app processes may share one Neo4j; each runs a delivery worker. A worker works
on a webhook only while it holds the webhook's lease (``leaseOwner``, ``leaseUntil``,
set in one transaction that first write-locks the node, so two processes cannot both
take it). Every write below checks the lease, so a worker whose lease ran out (a long
pause) cannot record over the one that took it.

A webhook's deliveries go one at a time, in sequence order: the *head* is its
PENDING or RETRYING delivery of lowest sequence, and nothing newer is read from the
change log while there is one. A delivery is created with the webhook's cursor moved
to just before its sequence (the entries in between did not pass the filters); a 2xx
moves the cursor to it. After the last allowed attempt the delivery is FAILED and the
webhook paused (``active`` false, ``pausedReason``): order is kept, nothing is
skipped silently; :func:`replay_delivery` or :func:`replay_webhook` resume it.

Example:
    >>> claim = claim_webhook(graph, "wh-1", "worker-a", 30.0)
    >>> step = next_step(graph, "wh-1")  # the cursor, and the head delivery if any
"""

from __future__ import annotations

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
    """Where a webhook is: its cursor, and its head delivery (with body) if it has one."""

    cursor: int
    head: DeliveryRecord | None = None
    body: str | None = None
    due: bool = False


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
    """The webhook's cursor and head delivery (the open one of lowest sequence)."""
    rows = graph.read(
        "MATCH (w:Webhook {id: $id}) "
        "OPTIONAL MATCH (d:WebhookDelivery {webhook: w.id}) WHERE d.status IN $open "
        "WITH w, d ORDER BY d.sequence LIMIT 1 "
        "RETURN w.cursor AS cursor, d IS NOT NULL AS hasHead, "
        "CASE WHEN d IS NULL THEN null ELSE {" + _MAP + "} END AS head, d.body AS body, "
        "d.nextAttemptAt IS NULL OR d.nextAttemptAt <= datetime() AS due",
        id=webhook_id,
        open=OPEN,
    )
    if not rows:
        return Step(cursor=-1)
    row = rows[0]
    head = delivery_of(row["head"]) if row["hasHead"] else None
    return Step(int(row["cursor"]), head, row["body"], bool(row["due"]))


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


def create_delivery(
    graph: Graph,
    webhook_id: str,
    owner: str,
    expected: int,
    delivery_id: str,
    sequence: int,
    body: str,
) -> DeliveryRecord | None:
    """A PENDING delivery of entry ``sequence`` with its ``body``; the cursor moves from
    ``expected`` to just before it. None when the lease or the cursor changed."""
    rows = graph.write(
        "MATCH (w:Webhook {id: $id}) WHERE w.leaseOwner = $owner AND w.cursor = $expected "
        "SET w.cursor = $sequence - 1 "
        "CREATE (d:WebhookDelivery {id: $delivery, webhook: w.id, sequence: $sequence, "
        "  status: 'PENDING', attempts: 0, body: $body, createdAt: datetime()}) "
        "RETURN " + DELIVERY_FIELDS,
        id=webhook_id,
        owner=owner,
        expected=expected,
        delivery=delivery_id,
        sequence=sequence,
        body=body,
    )
    return delivery_of(rows[0]) if rows else None


def record_attempt(
    graph: Graph,
    delivery_id: str,
    owner: str,
    *,
    ok: bool,
    status: int | None,
    error: str | None,
    max_attempts: int,
    retry_in: float,
    lease: float,
) -> DeliveryRecord | None:
    """Record one attempt of an open delivery (and extend the lease). A 2xx (``ok``)
    makes it DELIVERED and moves the webhook's cursor to it; a failure RETRYING in
    ``retry_in`` seconds, or FAILED after ``max_attempts``, which pauses the webhook.
    None when the delivery is no longer open or the lease was lost."""
    params: dict[str, Any] = {
        "id": delivery_id,
        "owner": owner,
        "ok": ok,
        "status": status,
        "error": error,
        "max": max_attempts,
        "retry": _ms(retry_in),
        "lease": _ms(lease),
        "open": OPEN,
    }
    rows = graph.write(
        "MATCH (d:WebhookDelivery {id: $id}) WHERE d.status IN $open "
        "MATCH (w:Webhook {id: d.webhook}) WHERE w.leaseOwner = $owner "
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
        "RETURN " + DELIVERY_FIELDS,
        **params,
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
    (read again from the log), and the webhook is active. None: no such webhook."""
    rows = graph.write(
        "MATCH (w:Webhook {id: $id}) "
        "CALL { WITH w MATCH (d:WebhookDelivery {webhook: w.id}) "
        "  WHERE d.sequence >= $start AND d.status IN ['PENDING', 'RETRYING', 'FAILED'] "
        "  SET d.status = 'SUPERSEDED', d.nextAttemptAt = null } "
        "SET w.cursor = $start - 1, w.active = true, w.pausedReason = null "
        "RETURN " + WEBHOOK_FIELDS,
        id=webhook_id,
        start=from_sequence,
    )
    return webhook_of(rows[0]) if rows else None
