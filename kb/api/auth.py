"""Who a token or a session is: the one place outside ``kb/graph`` that looks tokens up.

The GraphQL endpoint (:mod:`kb.api.http`, a bearer secret) and the trainer pages
(:mod:`kb.web.session`, a session holding a token's id) both ask here, so the pages
never reach the graph for sign-in and a revoked token ends both kinds of access alike.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from kb.api.context import Viewer
from kb.graph.db import Graph
from kb.graph.tokens import ApiToken, find_token, live_token


def _viewer(token: ApiToken | None) -> Viewer | None:
    return Viewer(token.name, token.role, token.id) if token is not None else None


async def viewer_for_token(graph: Graph, secret: str) -> Viewer | None:
    """The viewer a live token's ``secret`` stands for; None when it is unknown or revoked."""
    return _viewer(await run_in_threadpool(find_token, graph, secret))


async def viewer_for_token_id(graph: Graph, token_id: str) -> Viewer | None:
    """The viewer of the token with id ``token_id`` (what a session cookie holds); None
    when it is unknown or revoked, so that revoking a token ends its sessions."""
    return _viewer(await run_in_threadpool(live_token, graph, token_id))
