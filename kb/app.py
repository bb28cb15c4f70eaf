"""The Starlette application factory: composes the API (``kb.api``) and the pages
(``kb.web``), which do not know each other, with health and readiness.

The graph is opened in the lifespan (starting the managed Neo4j if needed) and handed to
handlers through ``request.state.graph``.

Example:
    >>> app = create_app(Settings.from_env())
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from kb.api.cache import ResponseCache
from kb.api.client_limits import ClientLimits
from kb.api.fast_path import FastPath
from kb.api.http import handle
from kb.api.safety import install as install_safety_net
from kb.api.schema import build_schema
from kb.api.subscription_server import SubscriptionServer
from kb.api.webhook_delivery import DeliveryWorker
from kb.bootstrap import prepare
from kb.config import Settings
from kb.domain.glossary import default_glossary
from kb.graph.async_reads import AsyncReads
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.search.runtime import SearchRuntime
from kb.web.curriculum_pages import curriculum_routes
from kb.web.feeds import feed_routes
from kb.web.glossary_pages import glossary_routes
from kb.web.pages import http_error_page, page_routes
from kb.web.path_page import path_routes
from kb.web.record_forms import record_form_routes
from kb.web.saved_searches import saved_search_routes
from kb.web.search import search_page
from kb.web.vendor_pages import vendor_routes

log = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    """The process is up (says nothing about Neo4j)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Neo4j answers a query now; 503 with the reason otherwise. The response cache's
    counters (hits, misses, entries dropped by changes) come along when it is on, and
    the webhook worker's (attempts delivered, retrying, failed) when it runs."""
    graph: Graph = request.state.graph
    try:
        await run_in_threadpool(graph.ping)
    except DatabaseUnavailableError as error:
        return JSONResponse({"status": "unavailable", "reason": str(error)}, status_code=503)
    body: dict[str, object] = {"status": "ready"}
    cache: ResponseCache | None = request.app.state.response_cache
    if cache is not None:
        body["responseCache"] = cache.counters()
    webhooks: DeliveryWorker | None = getattr(request.app.state, "webhook_worker", None)
    if webhooks is not None:
        body["webhooks"] = webhooks.counters()
    return JSONResponse(body)


def create_app(
    settings: Settings,
    graph: Graph | None = None,
    search: bool = True,
    report: Callable[[str], None] | None = None,
) -> Starlette:
    """Build the application: health, GraphQL at ``/graphql`` and the HTML pages.

    With ``graph`` given, it is used as is and not closed. With ``search``, the
    process keeps its own search index (``KB_INDEX_DIR``) in step with the change log.
    ``report`` is told, in a line, when the index is being brought up to date and when
    it is (``kb serve`` prints it).
    """
    say = report or (lambda message: None)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, object]]:
        owned = graph is None
        opened = await run_in_threadpool(prepare, settings) if graph is None else graph
        runtime = None
        webhooks = None
        # The planner's reads from this event loop (None: from worker threads).
        reads = AsyncReads.open(opened) if settings.async_reads else None
        try:
            if search:
                say(f"Search index: catching up with the graph's change log ({settings.index_dir})")
                began = time.monotonic()
                runtime = await run_in_threadpool(SearchRuntime.start, opened, settings.index_dir)
                if cache is not None:
                    runtime.indexer.change_listeners.append(cache.apply_changes)
                applied = runtime.indexer.applied_version
                change = f"at change {applied[1]}" if applied else "not yet up to date"
                say(f"Search index: {change} ({time.monotonic() - began:.1f} s)")
            if settings.webhook_worker:  # KB_WEBHOOKS: this process delivers webhooks
                webhooks = DeliveryWorker(opened, settings)
                webhooks.start()
                app.state.webhook_worker = webhooks  # /readyz shows its counters
            yield {"graph": opened, "settings": settings, "search": runtime, "reads": reads}
        finally:
            if reads is not None:
                await reads.close()
            if webhooks is not None:
                app.state.webhook_worker = None
                await webhooks.stop()
            if runtime is not None:
                runtime.stop()
            if owned:
                opened.close()

    default_glossary()  # a broken glossary file is refused now, naming file and line
    schema = build_schema(production=settings.production)
    cache = ResponseCache(settings.response_cache) if settings.response_cache else None
    # One budget per client for both transports (kb/api/client_limits.py).
    limits = ClientLimits(settings.rate_limit, settings.subscriptions_per_client)
    fast = FastPath(schema)  # fully planned reads without Strawberry's execution

    async def graphql(request: Request) -> Response:
        state = request.state
        return await handle(
            request,
            schema,
            state.graph,
            state.settings,
            state.search,
            cache,
            limits,
            fast,
            state.reads,
        )

    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        WebSocketRoute("/graphql", SubscriptionServer(schema, limits)),  # subscriptions
        *record_form_routes(),
        *path_routes(schema),  # before page_routes: /lessons/new is not a lesson id
        *page_routes(schema, search_page(schema)),
        *curriculum_routes(),
        *glossary_routes(schema),
        *vendor_routes(schema),
        *feed_routes(schema),
        *saved_search_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    install_safety_net(app, http_error_page)  # no plain-text error, ever
    app.state.schema = schema
    app.state.response_cache = cache
    return app
