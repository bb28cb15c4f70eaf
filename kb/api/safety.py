"""The last resort: no request is ever answered by Starlette's plain-text errors.

- :class:`SafetyNet`, an ASGI middleware, catches any exception a handler let escape,
  logs it once with an incident id and answers in the client's terms: a GraphQL error
  (``extensions.code`` INTERNAL, message masked, ``extensions.errorId``) under
  ``/graphql``, an HTML page elsewhere. Reaching it is a bug; the log says where.
- :func:`http_exception_handler` answers Starlette's own HTTP errors (405 for a method a
  route lacks, 400 for a form that cannot be parsed, 404 for no route) the same way:
  GraphQL errors under ``/graphql``, the pages' ``page_error`` elsewhere.

Example:
    >>> install(app, page_error=http_error_page)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kb.api.errors import BAD_USER_INPUT, FORBIDDEN, INTERNAL, NOT_FOUND, UNAUTHENTICATED

log = logging.getLogger(__name__)

GRAPHQL_PATH = "/graphql"
#: Paths answered in JSON (the API and the probes); every other path serves pages.
JSON_PATHS = (GRAPHQL_PATH, "/healthz", "/readyz")

PageError = Callable[[Request, HTTPException], Awaitable[Response]]

# Kept free of templates and of anything that could fail in turn.
_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Something went wrong · Procurement knowledge graph</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><main id="content"><h1>Something went wrong</h1>
<p>The page could not be built. Quote incident {incident} when you report it.</p>
<p><a href="/">Search the knowledge base</a></p></main></body>
</html>
"""


def _is_json_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in JSON_PATHS)


def graphql_error(status: int, message: str, code: str, **extra: str) -> JSONResponse:
    """A GraphQL-over-HTTP error response: ``{"errors": [{message, extensions}]}``."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **extra}}]}
    return JSONResponse(body, status_code=status)


class SafetyNet:
    """ASGI middleware answering unexpected exceptions (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            incident = uuid.uuid4().hex[:12]
            path = scope.get("path", "")
            log.error(
                "unexpected error %s on %s %s", incident, scope.get("method"), path, exc_info=error
            )
            if started:
                raise  # too late to answer: the server closes the connection
            response: Response
            if _is_json_path(path):
                message = f"Unexpected error (id {incident})."
                response = graphql_error(500, message, INTERNAL, errorId=incident)
            else:
                response = HTMLResponse(_PAGE.format(incident=incident), status_code=500)
            await response(scope, receive, send)


_CODES = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}


def http_exception_handler(page_error: PageError) -> Callable[..., Awaitable[Response]]:
    """A Starlette handler for :class:`HTTPException`: JSON under the API's paths,
    ``page_error`` (an HTML page) elsewhere."""

    async def handle(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if not _is_json_path(request.url.path):
            return await page_error(request, error)
        code = _CODES.get(error.status_code, BAD_USER_INPUT)
        message = f"{request.method} {request.url.path}: {error.detail}"
        response = graphql_error(error.status_code, message, code)
        response.headers.update(error.headers or {})
        return response

    return handle


def install(app: Starlette, page_error: PageError) -> None:
    """Give ``app`` the safety net and the HTTP error handler."""
    app.add_middleware(SafetyNet)
    app.add_exception_handler(HTTPException, http_exception_handler(page_error))
