"""Server-rendered pages for people who never write GraphQL.

Every page gets its data by executing a GraphQL document in-process through the same
schema the API serves, so the pages and other applications see one behaviour. Errors
become friendly pages with the right status: an unknown slug is a 404, bad input a 400,
Neo4j down a 503; never a 500 with a trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from kb.api.context import ANONYMOUS, Context
from kb.api.schema import Schema
from kb.web import queries
from kb.web.neighbourhood import (
    alliance_graph,
    category_graph,
    contract_graph,
    lesson_graph,
    practice_graph,
    state_graph,
)

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# Practice bodies are Markdown written by editors: raw HTML in them is not rendered.
markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

Handler = Callable[[Request], Awaitable[Response]]


class PageError(Exception):
    """A page cannot be shown: ``status`` and a sentence for the reader."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


_STATUS = {
    "NOT_FOUND": 404,
    "BAD_USER_INPUT": 400,
    "QUERY_TOO_COMPLEX": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "RATE_LIMITED": 429,
    "DATABASE_UNAVAILABLE": 503,
}


async def run_query(
    request: Request, schema: Schema, document: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Execute ``document`` in-process; GraphQL errors become :class:`PageError`."""
    context = Context(
        request.state.graph,
        request.state.settings,
        ANONYMOUS,
        getattr(request.state, "search", None),
    )
    result = await schema.execute(document, variable_values=variables, context_value=context)
    if result.errors:
        error = result.errors[0]
        code = (error.extensions or {}).get("code", "INTERNAL")
        status = _STATUS.get(code, 500)
        if status == 500:
            incident = uuid.uuid4().hex[:12]
            log.error("page query failed (%s): %s", incident, error.message)
            message = f"The page could not be built. Quote incident {incident} when you report it."
            raise PageError(500, "Something went wrong", message)
        if status == 503:
            message = "The database does not answer right now. Try again in a minute."
            raise PageError(503, "The knowledge base is unavailable", message)
        raise PageError(status, "That request cannot be answered", error.message)
    assert result.data is not None
    return result.data


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status)


def error_page(request: Request, error: PageError) -> HTMLResponse:
    return render(request, "error.html", error.status, title=error.title, message=error.message)


def _found(data: dict[str, Any], field: str, what: str, key: str) -> dict[str, Any]:
    item = data.get(field)
    if item is None:
        raise PageError(
            404, f"No such {what}", f"There is no {what} {key!r} in the knowledge base."
        )
    assert isinstance(item, dict)
    return item


def _detail(
    schema: Schema,
    document: str,
    field: str,
    param: str,
    template: str,
    picture: Callable[[dict[str, Any]], str],
) -> Handler:
    from kb.web.history_section import history_section  # it builds on this module

    async def page(request: Request) -> Response:
        key = request.path_params[param]
        if len(key) > 100:
            error = PageError(400, "That address is too long", "Keys are at most 100 characters.")
            return error_page(request, error)
        try:
            data = await run_query(request, schema, document, {param: key})
            item = _found(data, field, field, key)
            extra: dict[str, Any] = {
                "history": await history_section(request, schema, field, param, key)
            }
        except PageError as error:
            return error_page(request, error)
        if field == "practice" and item.get("body"):
            extra["body_html"] = markdown.render(item["body"])
        title = item.get("title") or item.get("name") or key
        return render(request, template, item=item, graph_svg=picture(item), title=title, **extra)

    return page


#: Detail pages: path, GraphQL document, root field, key parameter, template, picture.
DETAILS = (
    ("/states/{code}", queries.STATE, "state", "code", "state.html", state_graph),
    ("/alliances/{slug}", queries.ALLIANCE, "alliance", "slug", "alliance.html", alliance_graph),
    ("/contracts/{slug}", queries.CONTRACT, "contract", "slug", "contract.html", contract_graph),
    ("/categories/{code}", queries.CATEGORY, "category", "code", "category.html", category_graph),
    ("/practices/{slug}", queries.PRACTICE, "practice", "slug", "practice.html", practice_graph),
    ("/lessons/{id}", queries.LESSON, "lesson", "id", "lesson.html", lesson_graph),
)


def page_routes(schema: Schema, search_page: Handler | None = None) -> list[BaseRoute]:
    """The HTML routes, the static files, and (when given) the search page at ``/``."""
    from kb.web.listings import LISTINGS, listing_page  # they build on this module

    routes: list[BaseRoute] = []
    if search_page is not None:
        routes.append(Route("/", search_page))
    for path, listing in LISTINGS.items():
        routes.append(Route(path, listing_page(schema, listing)))
    for path, document, field, param, template, picture in DETAILS:
        handler = _detail(schema, document, field, param, template, picture)
        routes.append(Route(path, handler))
    routes.append(Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))
    return routes


async def not_found(request: Request, exc: Exception) -> Response:
    """A friendly 404 for unknown addresses (HTML for browsers, JSON otherwise)."""
    if "text/html" in request.headers.get("accept", ""):
        error = PageError(404, "Page not found", f"Nothing lives at {request.url.path}.")
        return error_page(request, error)
    return JSONResponse({"error": "not found", "path": request.url.path}, status_code=404)


_HTTP_TITLES = {
    400: "That request cannot be answered",
    405: "That cannot be done here",
    413: "That request is too large",
}


async def http_error_page(request: Request, exc: HTTPException) -> Response:
    """Starlette's HTTP errors as pages: a 405 for a method a page lacks, a 400 for a
    form that cannot be read, a 404 (see :func:`not_found`)."""
    if exc.status_code == 404:
        return await not_found(request, exc)
    if exc.status_code == 405:
        message = f"{request.url.path} does not accept {request.method} requests."
    else:
        message = f"{exc.detail}" if exc.status_code < 500 else "The request failed."
    title = _HTTP_TITLES.get(exc.status_code, "That request cannot be answered")
    response = error_page(request, PageError(exc.status_code, title, message))
    response.headers.update(exc.headers or {})
    return response
