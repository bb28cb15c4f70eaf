# strawberry.field(...) / strawberry.mutation(...) with arguments are typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""Webhooks for other applications: ``WebhookQuery`` and ``WebhookMutation``, admins only.

An admin registers a URL and a filter (``kinds``, ``states``, ``categories``, each a
list that narrows, all must hold); the answer holds the signing secret, shown this once.
The delivery worker (:mod:`kb.api.webhook_delivery`) then POSTs every matching change,
in change-log order, signed, retried with backoff, each attempt recorded on a
``WebhookDelivery``. ``replayDelivery`` sends one delivery again; ``replayWebhook``
everything from a sequence on. Both resume a webhook paused by a FAILED delivery.
``updateWebhook`` changes the URL or a filter, or rotates the secret (the new one is
shown in its answer, once).

Every field needs role ``admin`` (readers and editors get FORBIDDEN). Input is checked
whole before anything is written: a URL that is not http(s) (or, with
``KB_WEBHOOK_LOOPBACK_ONLY``, whose host is not a loopback address), kinds that are not
record types, states and categories the graph does not have: BAD_USER_INPUT listing each
in ``extensions.fields``. Payloads are nullable, as the other mutations'.

Example:
    >>> # mutation { registerWebhook(input: {url: "https://example.org/kb",
    >>> #     kinds: ["Lesson"], states: ["UT"]}) { secret webhook { id cursor } } }
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import strawberry

from kb.api.errors import BadInputError, InputErrors, NotFoundError
from kb.api.pagination import Connection, Edge, PageInfo, encode_cursor, page_request
from kb.api.relationship_fields import Info
from kb.graph.changes import STREAM_LABELS, last_sequence
from kb.graph.webhook_deliveries import replay_delivery, replay_webhook
from kb.graph.webhooks import (
    DeliveryRecord,
    WebhookLimitError,
    WebhookRecord,
    create_webhook,
    delete_webhook,
    delivery_page,
    existing_codes,
    get_webhook,
    list_webhooks,
    update_webhook,
)

#: The longest URL accepted.
MAX_URL = 2000
#: The most values one filter list may hold, and the longest value.
MAX_VALUES = 100
MAX_CODE = 40


@strawberry.enum(description="Where a delivery is.")
class DeliveryStatus(Enum):
    PENDING = "PENDING"
    RETRYING = "RETRYING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    SUPERSEDED = "SUPERSEDED"


@strawberry.type(description="One change entry sent to a webhook, and how its attempts went.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Also sent as X-KB-Delivery.")
    sequence: int = strawberry.field(description="The change entry's sequence.")
    status: DeliveryStatus
    attempts: int = strawberry.field(description="Attempts since it was made or replayed.")
    last_error: str | None
    last_status: int | None = strawberry.field(description="The last answer's HTTP status.")
    next_attempt_at: datetime | None = strawberry.field(description="When it is retried.")
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, record: DeliveryRecord) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(record.id), sequence=record.sequence,
            status=DeliveryStatus(record.status), attempts=record.attempts,
            last_error=record.last_error, last_status=record.last_status,
            next_attempt_at=record.next_attempt_at, delivered_at=record.delivered_at,
            created_at=record.created_at,
        )  # fmt: skip


@strawberry.type(description="A URL told of every matching change (its secret is not shown).")
class Webhook:
    id: strawberry.ID
    url: str
    kinds: list[str] = strawberry.field(description="Record types it hears of (empty: all).")
    states: list[str] = strawberry.field(description="USPS codes (empty: any state).")
    categories: list[str] = strawberry.field(description="Category codes (empty: any).")
    active: bool = strawberry.field(description="False while paused by a FAILED delivery.")
    paused_reason: str | None
    created_by: str
    created_at: datetime
    cursor: int = strawberry.field(description="The last change sequence it is done with.")

    @classmethod
    def of(cls, record: WebhookRecord) -> Webhook:
        return cls(
            id=strawberry.ID(record.id), url=record.url, kinds=list(record.kinds),
            states=list(record.states), categories=list(record.categories),
            active=record.active, paused_reason=record.paused_reason,
            created_by=record.created_by, created_at=record.created_at, cursor=record.cursor,
        )  # fmt: skip

    @strawberry.field(description="Its deliveries, newest sequence first.")
    async def deliveries(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WebhookDelivery]:
        info.context.require("admin")
        request = page_request(first, after)
        total, records = await info.context.run(
            delivery_page, info.context.graph, str(self.id), request.offset, request.limit
        )
        nodes = [WebhookDelivery.of(r) for r in records]
        edges = [
            Edge(node=n, cursor=encode_cursor(request.offset + i)) for i, n in enumerate(nodes)
        ]
        page = PageInfo(
            has_next_page=request.offset + len(nodes) < total,
            has_previous_page=request.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return Connection(edges=edges, nodes=nodes, page_info=page, total_count=total)


@strawberry.input(description="A URL to POST changes to, and which changes.")
class RegisterWebhookInput:
    url: str = strawberry.field(description="http:// or https://")
    kinds: list[str] | None = strawberry.field(
        default=None, description="Record types: " + ", ".join(STREAM_LABELS)
    )
    states: list[str] | None = strawberry.field(
        default=None, description="USPS codes: records linked to one of these (deletes pass)."
    )
    categories: list[str] | None = strawberry.field(
        default=None, description="Category codes: records linked to one (deletes pass)."
    )


@strawberry.input(
    description="Given fields are set, fields left out stay as they are; a filter set to "
    "null is cleared (everything passes it)."
)
class UpdateWebhookInput:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")
    url: str | None = strawberry.field(default=strawberry.UNSET, description="http:// or https://")
    kinds: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Record types: " + ", ".join(STREAM_LABELS)
    )
    states: list[str] | None = strawberry.field(default=strawberry.UNSET, description="USPS codes.")
    categories: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Category codes."
    )
    rotate_secret: bool = strawberry.field(
        default=False, description="Sign from now on with a new secret (in the answer, once)."
    )


@strawberry.input
class WebhookIdInput:
    id: strawberry.ID


@strawberry.input
class ReplayDeliveryInput:
    id: strawberry.ID = strawberry.field(description="The delivery's id.")


@strawberry.input
class ReplayWebhookInput:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")
    from_sequence: int = strawberry.field(description="The first change sequence sent again.")


@strawberry.type
class RegisterWebhookPayload:
    webhook: Webhook
    secret: str = strawberry.field(
        description="Signs every body (X-KB-Signature: sha256=HMAC). Shown only here, once."
    )


@strawberry.type
class UpdateWebhookPayload:
    webhook: Webhook
    secret: str | None = strawberry.field(
        description="The new signing secret with rotateSecret (shown only here, once); else null."
    )


@strawberry.type
class DeleteWebhookPayload:
    deleted_id: strawberry.ID


@strawberry.type
class ReplayDeliveryPayload:
    delivery: WebhookDelivery


@strawberry.type
class ReplayWebhookPayload:
    webhook: Webhook


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str, loopback_only: bool) -> str | None:
    """What is wrong with a webhook URL, or None."""
    shown = repr(url[:80])
    if len(url) > MAX_URL:
        return f"{shown}... is longer than {MAX_URL} characters"
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return f"{shown} is not an http(s) URL; expected http://host/path or https://host/path"
    try:
        host, _ = parts.hostname, parts.port
    except ValueError:
        return f"{shown} has a bad port; expected a number 1..65535"
    if not host:
        return f"{shown} has no host"
    if loopback_only and not _loopback(host):
        return (
            f"host {host!r} of {shown} is not a loopback address; with "
            "KB_WEBHOOK_LOOPBACK_ONLY only 127.0.0.0/8, ::1 and localhost are accepted"
        )
    return None


def _values(name: str, values: list[str] | None, problems: list[tuple[str, str]]) -> list[str]:
    if values is None:
        return []
    field = f"input.{name}"
    if not values or len(values) > MAX_VALUES:
        problems.append((field, f"give 1 to {MAX_VALUES} values; for no filter, null"))
        return []
    bad = [v for v in values if not v.strip() or len(v) > MAX_CODE]
    if bad:
        problems.append((field, f"{bad[0][:MAX_CODE]!r} is not a code"))
        return []
    cleaned = [v.strip().upper() if name == "states" else v.strip() for v in values]
    return list(dict.fromkeys(cleaned))


async def _checked(
    info: Info, url: str | None, filters: dict[str, list[str] | None]
) -> tuple[str | None, dict[str, list[str]]]:
    """The URL (None: not given) and the filters given (None: no filter) checked whole:
    InputErrors naming each bad field and value; else the URL stripped and the filters
    cleaned (an absent filter is the empty list)."""
    problems: list[tuple[str, str]] = []
    if url is not None:
        problem = url_problem(url, info.context.settings.webhook_loopback_only)
        if problem:
            problems.append(("input.url", problem))
    cleaned = {name: _values(name, values, problems) for name, values in filters.items()}
    unknown = [k for k in cleaned.get("kinds", []) if k not in STREAM_LABELS]
    if unknown:
        problems.append((
            "input.kinds",
            f"{unknown[0]!r} is not a record type; expected one of " + ", ".join(STREAM_LABELS),
        ))  # fmt: skip
    states, categories = cleaned.get("states", []), cleaned.get("categories", [])
    if states or categories:
        known_states, known_categories = await info.context.run(
            existing_codes, info.context.graph, states, categories
        )
        for name, asked, known, what in (
            ("states", states, known_states, "a state code"),
            ("categories", categories, known_categories, "a category code"),
        ):
            missing = [v for v in asked if v not in known]
            if missing:
                problems.append((f"input.{name}", f"{missing[0]!r} is not {what} of the graph"))
    if problems:
        raise InputErrors(problems)
    return (url.strip() if url is not None else None), cleaned


def _given(value: str | None) -> str | None:
    """``value``, or None when it was left out (UNSET)."""
    return None if value is strawberry.UNSET else value


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Every registered webhook, oldest first (admins only).")
    async def webhooks(self, info: Info) -> list[Webhook]:
        info.context.require("admin")
        return [Webhook.of(r) for r in await info.context.run(list_webhooks, info.context.graph)]

    @strawberry.field(description="A webhook by id (null when there is none; admins only).")
    async def webhook(self, info: Info, id: strawberry.ID) -> Webhook | None:
        info.context.require("admin")
        record = await info.context.run(get_webhook, info.context.graph, str(id))
        return Webhook.of(record) if record is not None else None


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Register a URL to be told of matching changes from now on; the "
        "answer holds its signing secret, shown this once."
    )
    async def register_webhook(
        self, info: Info, input: RegisterWebhookInput
    ) -> RegisterWebhookPayload | None:
        info.context.require_mutation(info.field_name)
        filters = {"kinds": input.kinds, "states": input.states, "categories": input.categories}
        url, cleaned = await _checked(info, input.url, filters)
        try:
            record, secret = await info.context.run(
                create_webhook, info.context.graph, url or "", cleaned["kinds"],
                cleaned["states"], cleaned["categories"], info.context.viewer.author,
            )  # fmt: skip
        except WebhookLimitError as error:
            raise BadInputError(str(error), "input") from None
        return RegisterWebhookPayload(webhook=Webhook.of(record), secret=secret)

    @strawberry.mutation(
        description="Change a webhook's URL or filters, or rotate its secret; its cursor, "
        "deliveries and pause stay as they are."
    )
    async def update_webhook(
        self, info: Info, input: UpdateWebhookInput
    ) -> UpdateWebhookPayload | None:
        info.context.require_mutation(info.field_name)
        if input.url is None:  # given as null; left out is UNSET
            raise BadInputError(
                "url: null is not a URL; give an http(s) URL, or leave url out to keep it",
                "input.url",
            )
        given = {
            name: value
            for name, value in (
                ("kinds", input.kinds), ("states", input.states), ("categories", input.categories)
            )
            if value is not strawberry.UNSET
        }  # fmt: skip
        url, cleaned = await _checked(info, _given(input.url), given)
        changes: dict[str, Any] = {**cleaned, **({"url": url} if url is not None else {})}
        updated = await info.context.run(
            update_webhook, info.context.graph, str(input.id), changes, input.rotate_secret
        )
        if updated is None:
            raise NotFoundError(f"there is no webhook {str(input.id)!r}", "input.id")
        record, secret = updated
        return UpdateWebhookPayload(webhook=Webhook.of(record), secret=secret)

    @strawberry.mutation(description="Delete a webhook and its delivery records.")
    async def delete_webhook(
        self, info: Info, input: WebhookIdInput
    ) -> DeleteWebhookPayload | None:
        info.context.require_mutation(info.field_name)
        if not await info.context.run(delete_webhook, info.context.graph, str(input.id)):
            raise NotFoundError(f"there is no webhook {str(input.id)!r}", "input.id")
        return DeleteWebhookPayload(deleted_id=input.id)

    @strawberry.mutation(
        description="Send a delivery again, before anything newer (it resumes a paused webhook)."
    )
    async def replay_delivery(
        self, info: Info, input: ReplayDeliveryInput
    ) -> ReplayDeliveryPayload | None:
        info.context.require_mutation(info.field_name)
        record = await info.context.run(replay_delivery, info.context.graph, str(input.id))
        if record is None:
            raise NotFoundError(f"there is no webhook delivery {str(input.id)!r}", "input.id")
        return ReplayDeliveryPayload(delivery=WebhookDelivery.of(record))

    @strawberry.mutation(
        description="Send every matching change from `fromSequence` on again, in order "
        "(it resumes a paused webhook)."
    )
    async def replay_webhook(
        self, info: Info, input: ReplayWebhookInput
    ) -> ReplayWebhookPayload | None:
        info.context.require_mutation(info.field_name)
        graph = info.context.graph
        last = await info.context.run(last_sequence, graph)
        if not 1 <= input.from_sequence <= last + 1:
            raise BadInputError(
                f"fromSequence: {input.from_sequence} is not a change sequence; expected "
                f"1..{last + 1} (the change log is at {last})",
                "input.fromSequence",
            )
        record = await info.context.run(replay_webhook, graph, str(input.id), input.from_sequence)
        if record is None:
            raise NotFoundError(f"there is no webhook {str(input.id)!r}", "input.id")
        return ReplayWebhookPayload(webhook=Webhook.of(record))
