"""``subscription { changes(after:, where:) }``: the change log as a stream, over WebSocket.

The change log in Neo4j orders every write with a gap-free sequence (see
:mod:`kb.graph.changes`), so the stream is that log read forward: each event carries its
``sequence``, and a client that reconnects with ``after:`` set to the last sequence it saw
receives everything it missed, in order, from whichever process it reaches (two app
processes on one Neo4j read one log). With ``after`` left out the stream starts at the
newest change: only what happens from then on.

The server reads a batch of at most :data:`BATCH` entries, sends them, and reads the next
only once they are sent, so a slow subscriber holds one batch in memory, never a queue
that grows. Subscriptions per process are capped (:data:`MAX_SUBSCRIPTIONS`); reads
follow the same rule as queries (``KB_PUBLIC_READ``), with the token of the WebSocket
handshake's ``Authorization`` header.

Served by Strawberry's own graphql-transport-ws support (:class:`SubscriptionServer`) at
the WebSocket address ``/graphql``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry
from neo4j.exceptions import ClientError, ServiceUnavailable, SessionExpired, TransientError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import Info

from kb.api.auth import viewer_for_token
from kb.api.context import ANONYMOUS, Context
from kb.api.errors import BadInputError
from kb.api.history import ChangeOp
from kb.api.ids import encode_id
from kb.graph.changes import STREAM_LABELS, last_sequence, stream_entries
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.graph.history import native_datetime

log = logging.getLogger(__name__)

#: Entries read (and held) per subscriber at a time.
BATCH = 100
#: How long an idle stream waits before it looks at the change log again (seconds).
POLL = 0.5
#: Open subscriptions per process; the next one is refused with BAD_USER_INPUT.
MAX_SUBSCRIPTIONS = 200
_open = 0


@strawberry.input(description="Which changes to stream; each list narrows, all must hold.")
class ChangesWhere:
    kinds: list[str] | None = strawberry.field(
        default=None, description="Record types: " + ", ".join(STREAM_LABELS)
    )
    states: list[str] | None = strawberry.field(
        default=None,
        description="USPS codes: records linked to one of these states (deletes always pass).",
    )
    categories: list[str] | None = strawberry.field(
        default=None,
        description="Category codes: records linked to one of these (deletes always pass).",
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


def _checked(where: ChangesWhere | None) -> tuple[list[str], set[str], set[str]]:
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
    return kinds, states, categories


def _passes(row: dict[str, Any], states: set[str], categories: set[str]) -> bool:
    if row["op"] == "DELETE":
        return True
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
        global _open
        context: Context = info.context
        context.require_read()
        kinds, states, categories = _checked(where)
        if after is not None and after < 0:
            raise BadInputError(f"after: {after} is not a sequence; expected 0 or more", "after")
        if _open >= MAX_SUBSCRIPTIONS:
            raise BadInputError(
                f"this server has {MAX_SUBSCRIPTIONS} open subscriptions; try again later"
            )
        graph = context.graph
        position = after if after is not None else await asyncio.to_thread(last_sequence, graph)
        _open += 1
        try:
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
            _open -= 1


class SubscriptionServer(GraphQL):
    """Strawberry's WebSocket transport (graphql-transport-ws) with this API's context."""

    def __init__(self, schema: Any) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            keep_alive=True,
            keep_alive_interval=15,
        )

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.state
        viewer = ANONYMOUS
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            found = await viewer_for_token(state.graph, header[7:].strip())
            if found is not None:
                viewer = found
        return Context(state.graph, state.settings, viewer, getattr(state, "search", None))
