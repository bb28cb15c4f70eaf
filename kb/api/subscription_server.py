"""The WebSocket side of ``/graphql``: graphql-transport-ws with this API's auth and limits.

Strawberry's own transport (:class:`~strawberry.asgi.GraphQL`), held to the rules the
HTTP side keeps (:mod:`kb.api.http`):

- **the token**: ``Authorization: Bearer <token>`` on the handshake, or (browsers cannot
  set headers on a WebSocket) ``{"Authorization": "Bearer <token>"}`` as the
  ``connection_init`` payload. An unknown, revoked or malformed token closes the socket
  with code 4401 and the reason (``Unauthorized: the token is unknown or revoked``),
  before any operation runs; no token is anonymous, as over HTTP.
- **the rate**: every ``subscribe`` message (a subscription, or a query sent over the
  socket) takes one operation from the client's budget (:mod:`kb.api.client_limits`),
  shared with its HTTP requests; over it, the operation gets an ``error`` message whose
  payload is the same RATE_LIMITED error an HTTP request gets with its 429.
- **open subscriptions**: capped per client and per process by the ``changes``
  resolver (:mod:`kb.api.subscriptions`), which holds the count while it streams.

A subscriber that stops reading is not queued for: each send waits until the socket
takes it (uvicorn's flow control), so the stream holds one batch; a subscriber that
reads nothing for uvicorn's ping interval plus timeout (20 + 20 s) is closed (1011,
``keepalive ping timeout``) and resumes with ``after:`` where it stopped.

Example:
    >>> WebSocketRoute("/graphql", SubscriptionServer(schema, ClientLimits(600, 10)))
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLFormattedError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)

from kb.api.auth import viewer_for_token
from kb.api.client_limits import ClientLimits, client_key
from kb.api.context import ANONYMOUS, Viewer
from kb.api.subscriptions import SocketContext
from kb.graph.db import Graph

#: The close code of a refused token (graphql-transport-ws uses it for "Unauthorized").
UNAUTHORIZED = 4401


class TokenRefusedError(Exception):
    """The token of a WebSocket connection is malformed, unknown or revoked."""


async def _viewer(graph: Graph, header: str) -> Viewer:
    """The viewer of an ``Authorization`` value (``''``: anonymous)."""
    if not header:
        return ANONYMOUS
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise TokenRefusedError("Unauthorized: the token must be given as 'Bearer <token>'")
    viewer = await viewer_for_token(graph, secret.strip())
    if viewer is None:
        raise TokenRefusedError("Unauthorized: the token is unknown or revoked")
    return viewer


class LimitedTransportHandler(BaseGraphQLTransportWSHandler[SocketContext, None]):
    """graphql-transport-ws, with the token of ``connection_init`` and the rate limit."""

    context: SocketContext

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload")
        if isinstance(payload, dict) and not self.connection_init_received:
            header = payload.get("Authorization", payload.get("authorization"))
            if header is not None:
                try:
                    viewer = await _viewer(self.context.graph, str(header))
                except TokenRefusedError as error:
                    await self.websocket.close(code=UNAUTHORIZED, reason=str(error))
                    return
                self.context.viewer = viewer
                self.context.client = client_key(viewer.token_id, self.context.address)
        await super().handle_connection_init(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message.get("id") not in self.operations:
            refused = self.context.limits.take(self.context.client)
            if refused is not None:
                error: GraphQLFormattedError = refused.formatted()  # type: ignore[assignment]
                await self.send_message(
                    ErrorMessage(id=message["id"], type="error", payload=[error])
                )
                return
        await super().handle_subscribe(message)


class SubscriptionServer(GraphQL):
    """Strawberry's WebSocket transport (graphql-transport-ws) with this API's context,
    token check and per-client ``limits``."""

    graphql_transport_ws_handler_class = LimitedTransportHandler  # type: ignore[assignment]

    def __init__(self, schema: Any, limits: ClientLimits) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TokenRefusedError as error:
            # get_context runs once the handshake is accepted: close with the reason.
            await WebSocket(scope, receive, send).close(code=UNAUTHORIZED, reason=str(error))

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> SocketContext:
        state = request.state
        viewer = await _viewer(state.graph, request.headers.get("authorization", ""))
        address = request.client.host if request.client else None
        return SocketContext(
            state.graph,
            state.settings,
            viewer,
            getattr(state, "search", None),
            client=client_key(viewer.token_id, address),
            address=address,
            limits=self.limits,
        )
