"""``subscription { changes(after:, where:) }``: the change log as a stream, over WebSocket.

The change log in Neo4j orders every write with a gap-free sequence (see
:mod:`kb.graph.changes`), so the stream is that log read forward: each event carries its
``sequence``, and a client that reconnects with ``after:`` set to the last sequence it saw
receives everything it missed, in order, from whichever process it reaches (two app
processes on one Neo4j read one log). With ``after`` left out the stream starts at the
newest change: only what happens from then on.

The server reads a batch of at most :data:`BATCH` entries, sends them, and reads the next
only once they are sent, so a slow subscriber holds one batch in memory, never a queue
that grows (``tests/api/test_slow_subscriber.py`` measures it). Open subscriptions are
capped per client and per process (:mod:`kb.api.client_limits`); reads follow the same
rule as queries (``KB_PUBLIC_READ``). Filter values are checked against the graph: an
unknown kind, state or category is BAD_USER_INPUT naming it.

A deleted record passes the ``states`` and ``categories`` filters by the links it had
when it was deleted (kept on its change entry, :mod:`kb.graph.tombstones`); a delete
recorded before those were kept passes every filter.

Served by Strawberry's own graphql-transport-ws support at the WebSocket address
``/graphql`` (:mod:`kb.api.subscription_server`: the token, the rate limit).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import strawberry
from neo4j.exceptions import ClientError, ServiceUnavailable, SessionExpired, TransientError
from strawberry.types import Info

from kb.api.client_limits import ClientLimits, client_key
from kb.api.context import Context
from kb.api.errors import BadInputError
from kb.api.history import ChangeOp
from kb.api.ids import encode_id
from kb.graph.changes import STREAM_LABELS, last_sequence, missing_keys, stream_entries
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.graph.history import native_datetime

log = logging.getLogger(__name__)

#: Entries read (and held) per subscriber at a time.
BATCH = 100
#: How long an idle stream waits before it looks at the change log again (seconds).
POLL = 0.5
#: The limits of subscriptions made without a socket (the schema run in-process):
#: the process cap only.
IN_PROCESS = ClientLimits(rate=0, subscriptions=10_000)


@dataclass
class SocketContext(Context):
    """The context of a WebSocket connection: who the limits count for (``client``),
    the app's limits, and the ``connection_init`` payload (Strawberry sets it)."""

    client: str = "address:unknown"
    address: str | None = None
    limits: ClientLimits = field(default_factory=lambda: IN_PROCESS)
    connection_params: dict[str, Any] | None = None


@strawberry.input(description="Which changes to stream; each list narrows, all must hold.")
class ChangesWhere:
    kinds: list[str] | None = strawberry.field(
        default=None, description="Record types: " + ", ".join(STREAM_LABELS)
    )
    states: list[str] | None = strawberry.field(
        default=None,
        description="USPS codes: records linked to one of these states (a deleted record: "
        "linked when it was deleted).",
    )
    categories: list[str] | None = strawberry.field(
        default=None,
        description="Category codes: records linked to one of these (a deleted record: "
        "linked when it was deleted).",
    )


@strawberry.type(description="A record created, updated or deleted, from the change log.")
class ChangeEvent:
    sequence: int = strawberry.field(description="Its place in the change log (gap-free).")
    kind: str = strawberry.field(description="The record's type: Lesson, Practice, ...")
    key: str = strawberry.field(description="The record's natural key (L-0001, UT, ...).")
    id: strawberry.ID = strawberry.field(description="The record's global id (node(id:)).")
    op: ChangeOp
    at: datetime
    author: str | None


async def _checked(
    graph: Graph, where: ChangesWhere | None
) -> tuple[list[str], set[str], set[str]]:
    kinds = list(where.kinds) if where and where.kinds else list(STREAM_LABELS)
    unknown = [k for k in kinds if k not in STREAM_LABELS]
    if unknown:
        raise BadInputError(
            f"where.kinds: {unknown[0]!r} is not a record type; expected one of "
            + ", ".join(STREAM_LABELS),
            "where.kinds",
        )
    for name, values in (
        ("states", where.states if where else None),
        ("categories", where.categories if where else None),
    ):
        if values is not None and (not values or any(not v or len(v) > 20 for v in values)):
            raise BadInputError(
                f"where.{name}: give one or more short codes, or leave the filter out",
                f"where.{name}",
            )
    states = set(where.states or ()) if where else set()
    categories = set(where.categories or ()) if where else set()
    for argument, label, asked in (
        ("states", "State", states),
        ("categories", "Category", categories),
    ):
        if asked:
            missing = await asyncio.to_thread(missing_keys, graph, label, sorted(asked))
            if missing:
                what = "state code" if label == "State" else "category code"
                raise BadInputError(
                    f"where.{argument}: {missing[0]!r} is not a known {what}"
                    + (f" (nor {', '.join(repr(m) for m in missing[1:4])})" if missing[1:] else ""),
                    f"where.{argument}",
                )
    return kinds, states, categories


def _passes(row: dict[str, Any], states: set[str], categories: set[str]) -> bool:
    if row["op"] == "DELETE" and row["links"] is None:
        return True  # deleted before its links were kept: nobody knows where it was
    if states and not states & set(row["states"]):
        return False
    return not categories or bool(categories & set(row["categories"]))


_RETRIED = (DatabaseUnavailableError, ServiceUnavailable, SessionExpired, TransientError)


async def _read_batch(graph: Graph, position: int, kinds: list[str]) -> list[dict[str, Any]]:
    """The next batch; while Neo4j is down or too slow to answer, wait and try again
    (a subscription outlives a database restart: it resumes where it was)."""
    wait = POLL
    while True:
        try:
            return await asyncio.to_thread(stream_entries, graph, position, kinds, BATCH)
        except (
            DatabaseUnavailableError,
            ServiceUnavailable,
            SessionExpired,
            TransientError,
        ) as error:
            problem = str(error)
        except ClientError as error:
            if "TransactionTimedOut" not in (error.code or ""):
                raise
            problem = "the read timed out"
        log.warning("change stream after %s: %s; retrying in %.1f s", position, problem, wait)
        await asyncio.sleep(wait)
        wait = min(wait * 2, 10.0)


@strawberry.type
class Subscription:
    @strawberry.subscription(  # type: ignore[untyped-decorator]
        description="Created, updated and deleted records in change-log order. Give "
        "`after` the last `sequence` you saw to miss nothing across a reconnect; leave it "
        "out to start with the next change."
    )
    async def changes(
        self, info: Info, after: int | None = None, where: ChangesWhere | None = None
    ) -> AsyncGenerator[ChangeEvent, None]:
        context: Context = info.context
        context.require_read()
        if after is not None and after < 0:
            raise BadInputError(f"after: {after} is not a sequence; expected 0 or more", "after")
        graph = context.graph
        kinds, states, categories = await _checked(graph, where)
        if isinstance(context, SocketContext):
            limits, client = context.limits, context.client
        else:
            limits, client = IN_PROCESS, client_key(context.viewer.token_id, "in-process")
        refused = limits.open_subscription(client)
        if refused is not None:
            raise refused
        try:
            position = after if after is not None else await asyncio.to_thread(last_sequence, graph)
            while True:
                rows = await _read_batch(graph, position, kinds)
                for row in rows:
                    position = int(row["seq"])
                    if _passes(row, states, categories):
                        yield ChangeEvent(
                            sequence=position,
                            kind=str(row["label"]),
                            key=str(row["id"]),
                            id=strawberry.ID(encode_id(str(row["label"]), str(row["id"]))),
                            op=ChangeOp(row["op"]),
                            at=native_datetime(row["at"]),
                            author=row["author"],
                        )
                if len(rows) < BATCH:
                    await asyncio.sleep(POLL)
        finally:
            limits.close_subscription(client)
