"""Webhooks: URLs other applications registered to be told of changes, and what was sent.

A ``(:Webhook {id, url, secret, kinds, states, categories, active, createdBy, createdAt,
cursor})`` is read by the delivery worker; ``cursor`` is the last change sequence it is
done with (delivered, or skipped by the filters). Each entry sent is a
``(:WebhookDelivery {id, webhook, sequence, status, attempts, lastError, lastStatus,
nextAttemptAt, deliveredAt, body})``; the delivery state machine (leases, attempts,
replays) is in :mod:`kb.graph.webhook_deliveries`. The secret signs the bodies, so it
is kept as is (a hash could not sign); it leaves the graph only for the worker and
once, in the answer to the registration (or to ``updateWebhook``'s
``rotateSecret``).

Example:
    >>> hook, secret = create_webhook(graph, "http://127.0.0.1:9000/in", ["Lesson"], [],
    ...                               ["UT"], "token:admin")
    >>> [h.url for h in list_webhooks(graph)]
    ['http://127.0.0.1:9000/in']
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from kb.graph.db import Graph, Tx
from kb.graph.history import native_datetime

#: Webhooks the graph keeps at most (each costs the worker a look at every poll).
MAX_WEBHOOKS = 50

#: Delivery statuses: waiting for its first attempt, waiting to be retried, done,
#: given up on (the webhook is paused), or replaced by a replay of its webhook.
DELIVERY_STATUSES = ("PENDING", "RETRYING", "DELIVERED", "FAILED", "SUPERSEDED")


class WebhookLimitError(ValueError):
    """The graph keeps :data:`MAX_WEBHOOKS` webhooks already."""


@dataclass(frozen=True)
class WebhookRecord:
    """A registered webhook (never its secret). Empty filters let everything through."""

    id: str
    url: str
    kinds: tuple[str, ...]
    states: tuple[str, ...]
    categories: tuple[str, ...]
    active: bool
    paused_reason: str | None
    created_by: str
    created_at: datetime
    cursor: int


@dataclass(frozen=True)
class DeliveryRecord:
    """One change entry sent (or being sent) to one webhook."""

    id: str
    webhook: str
    sequence: int
    status: str
    attempts: int
    last_error: str | None
    last_status: int | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


WEBHOOK_FIELDS: LiteralString = (
    "w.id AS id, w.url AS url, w.kinds AS kinds, w.states AS states, "
    "w.categories AS categories, w.active AS active, w.pausedReason AS pausedReason, "
    "w.createdBy AS createdBy, w.createdAt AS createdAt, w.cursor AS cursor"
)

DELIVERY_FIELDS: LiteralString = (
    "d.id AS id, d.webhook AS webhook, d.sequence AS sequence, d.status AS status, "
    "d.attempts AS attempts, d.lastError AS lastError, d.lastStatus AS lastStatus, "
    "d.nextAttemptAt AS nextAttemptAt, d.deliveredAt AS deliveredAt, d.createdAt AS createdAt"
)


def _maybe_datetime(value: Any) -> datetime | None:
    return None if value is None else native_datetime(value)


def webhook_of(row: Mapping[str, Any]) -> WebhookRecord:
    """The record of a row selected with :data:`WEBHOOK_FIELDS`."""
    return WebhookRecord(
        id=str(row["id"]),
        url=str(row["url"]),
        kinds=tuple(row["kinds"] or ()),
        states=tuple(row["states"] or ()),
        categories=tuple(row["categories"] or ()),
        active=bool(row["active"]),
        paused_reason=row["pausedReason"],
        created_by=str(row["createdBy"]),
        created_at=native_datetime(row["createdAt"]),
        cursor=int(row["cursor"]),
    )


def delivery_of(row: Mapping[str, Any]) -> DeliveryRecord:
    """The record of a row selected with :data:`DELIVERY_FIELDS`."""
    return DeliveryRecord(
        id=str(row["id"]),
        webhook=str(row["webhook"]),
        sequence=int(row["sequence"]),
        status=str(row["status"]),
        attempts=int(row["attempts"]),
        last_error=row["lastError"],
        last_status=None if row["lastStatus"] is None else int(row["lastStatus"]),
        next_attempt_at=_maybe_datetime(row["nextAttemptAt"]),
        delivered_at=_maybe_datetime(row["deliveredAt"]),
        created_at=native_datetime(row["createdAt"]),
    )


def existing_codes(
    graph: Graph, states: Sequence[str], categories: Sequence[str]
) -> tuple[set[str], set[str]]:
    """Of the state and category codes given, those the graph has: (states, categories)."""
    rows = graph.read(
        "CALL { MATCH (s:State) WHERE s.code IN $states RETURN collect(s.code) AS states } "
        "CALL { MATCH (c:Category) WHERE c.code IN $categories "
        "  RETURN collect(c.code) AS categories } "
        "RETURN states, categories",
        states=list(states),
        categories=list(categories),
    )
    return set(rows[0]["states"]), set(rows[0]["categories"])


def create_webhook(
    graph: Graph,
    url: str,
    kinds: Sequence[str],
    states: Sequence[str],
    categories: Sequence[str],
    author: str,
) -> tuple[WebhookRecord, str]:
    """Register a webhook and return it with its signing secret (not kept anywhere else).

    Its cursor starts at the newest change: it is told of what happens from now on.

    Raises:
        WebhookLimitError: :data:`MAX_WEBHOOKS` webhooks exist already.
    """
    secret = secrets.token_urlsafe(32)

    def work(tx: Tx) -> WebhookRecord:
        count = tx.run("MATCH (w:Webhook) RETURN count(w) AS n")[0]["n"]
        if count >= MAX_WEBHOOKS:
            raise WebhookLimitError(
                f"{count} webhooks are registered already; at most {MAX_WEBHOOKS} are "
                "kept: delete one first"
            )
        rows = tx.run(
            "OPTIONAL MATCH (s:Sequence {name: 'changes'}) "
            "CREATE (w:Webhook {id: $id, url: $url, secret: $secret, kinds: $kinds, "
            "  states: $states, categories: $categories, active: true, createdBy: $author, "
            "  createdAt: datetime(), cursor: coalesce(s.value, 0)}) "
            "RETURN " + WEBHOOK_FIELDS,
            id="wh-" + uuid.uuid4().hex[:16],
            url=url,
            secret=secret,
            kinds=list(kinds),
            states=list(states),
            categories=list(categories),
            author=author,
        )
        return webhook_of(rows[0])

    return graph.execute_write(work), secret


#: What :func:`update_webhook` may change.
UPDATABLE = ("url", "kinds", "states", "categories")


def update_webhook(
    graph: Graph, webhook_id: str, changes: Mapping[str, Any], rotate_secret: bool
) -> tuple[WebhookRecord, str | None] | None:
    """Set the given properties of :data:`UPDATABLE` (checked by the caller) and, with
    ``rotate_secret``, a new signing secret; returns the webhook and the new secret (None
    without ``rotate_secret``), or None when there is no such webhook. The cursor, the
    deliveries and the pause are left as they are."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"not a webhook property that can be updated: {sorted(unknown)}")
    secret = secrets.token_urlsafe(32) if rotate_secret else None
    properties = {**changes, **({"secret": secret} if secret else {})}
    rows = graph.write(
        "MATCH (w:Webhook {id: $id}) SET w += $properties RETURN " + WEBHOOK_FIELDS,
        id=webhook_id,
        properties=properties,
    )
    return (webhook_of(rows[0]), secret) if rows else None


def list_webhooks(graph: Graph) -> list[WebhookRecord]:
    """Every webhook, oldest first."""
    rows = graph.read(
        "MATCH (w:Webhook) RETURN " + WEBHOOK_FIELDS + " ORDER BY w.createdAt, w.id LIMIT $limit",
        limit=MAX_WEBHOOKS,
    )
    return [webhook_of(row) for row in rows]


def get_webhook(graph: Graph, webhook_id: str) -> WebhookRecord | None:
    """The webhook ``webhook_id``, or None."""
    rows = graph.read("MATCH (w:Webhook {id: $id}) RETURN " + WEBHOOK_FIELDS, id=webhook_id)
    return webhook_of(rows[0]) if rows else None


def delete_webhook(graph: Graph, webhook_id: str) -> bool:
    """Delete the webhook ``webhook_id`` and its delivery records; False when there is none."""
    rows = graph.write(
        "MATCH (w:Webhook {id: $id}) "
        "CALL { WITH w MATCH (d:WebhookDelivery {webhook: w.id}) DETACH DELETE d } "
        "DETACH DELETE w RETURN count(*) AS deleted",
        id=webhook_id,
    )
    return bool(rows and rows[0]["deleted"])


def delivery_page(
    graph: Graph, webhook_id: str, offset: int, limit: int
) -> tuple[int, list[DeliveryRecord]]:
    """How many deliveries the webhook has, and ``limit`` of them from ``offset``,
    newest sequence first."""
    rows = graph.read(
        "CALL { MATCH (d:WebhookDelivery {webhook: $id}) RETURN count(d) AS total } "
        "CALL { MATCH (d:WebhookDelivery {webhook: $id}) "
        "  WITH d ORDER BY d.sequence DESC, d.createdAt DESC SKIP $offset LIMIT $limit "
        "  RETURN collect({" + _MAP + "}) AS items } "
        "RETURN total, items",
        id=webhook_id,
        offset=offset,
        limit=limit,
    )
    return int(rows[0]["total"]), [delivery_of(item) for item in rows[0]["items"]]


# DELIVERY_FIELDS as a map projection (for collect()).
_MAP: LiteralString = (
    "id: d.id, webhook: d.webhook, sequence: d.sequence, status: d.status, "
    "attempts: d.attempts, lastError: d.lastError, lastStatus: d.lastStatus, "
    "nextAttemptAt: d.nextAttemptAt, deliveredAt: d.deliveredAt, createdAt: d.createdAt"
)


def get_delivery(graph: Graph, delivery_id: str) -> DeliveryRecord | None:
    """The delivery ``delivery_id``, or None."""
    rows = graph.read(
        "MATCH (d:WebhookDelivery {id: $id}) RETURN " + DELIVERY_FIELDS, id=delivery_id
    )
    return delivery_of(rows[0]) if rows else None
