"""Saved searches for signed-in users: save the search on screen (query and facets),
see them on the home page with how many lessons and practices are new since the last
visit, delete them.

The search page shows a "Save this search" form to anyone with a live session cookie
(:func:`session_csrf`, a template global); the post is checked like every form (live
session, CSRF token, size) and the search like a search page's address (unknown facet
values are a 400), then kept in Neo4j (:mod:`kb.api.saved_searches`), linked to the
token the session signed in with. Saving the same search twice keeps one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kb.api import saved_searches as saved
from kb.web import search as search_pages
from kb.web.forms_common import (
    check_csrf,
    csrf_for,
    not_signed_in,
    read_bounded_form,
    session_key,
    signed_in_of,
)
from kb.web.pages import PageError, error_page, run_query, templates
from kb.web.session import COOKIE, MAX_FIELD, Session, SignedIn

FIELDS = {"csrf": MAX_FIELD, "search": MAX_FIELD, "name": 200}
HOME = "/#saved-searches"


def session_csrf(request: Request) -> str:
    """The CSRF token of the request's session cookie when it is signed and unexpired
    ("" otherwise): a template global, so that pages can offer a form to signed-in
    users without a query. The post re-checks that the token is still live."""
    value = request.cookies.get(COOKIE, "")
    session = Session.decode(value.strip('"'), session_key(request)) if value else None
    if session is None or session.expired:
        return ""
    return session.csrf(session_key(request))


templates.env.globals["session_csrf"] = session_csrf


def describe(query: str, filters: dict[str, tuple[str, ...]]) -> str:
    """A saved search's default name: ``“piggyback” · state UT · kind lesson``."""
    parts = [f"“{query}”"] if query else []
    for dimension in search_pages.DIMENSIONS:
        values = filters.get(dimension, ())
        if values:
            parts.append(f"{dimension} {', '.join(values)}")
    return " · ".join(parts) or "Everything"


def search_url(item: saved.SavedSearch) -> str:
    """The search page of a saved search."""
    state = search_pages.SearchState(item.query, {k: list(v) for k, v in item.filters.items()}, 1)
    return state.url()


async def _state_of(request: Request, text: str) -> search_pages.SearchState:
    """The search a form's ``search`` field names (a search page's query string),
    checked as that page checks it."""
    query = text.removeprefix("/").removeprefix("?")
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": query.encode()}
    state = search_pages.SearchState.from_request(Request(scope))
    if not state.q and not state.filters:
        raise PageError(
            400, "Nothing to save", "Saved searches need a query or a filter; this has neither."
        )
    variables = {"q": state.q, "where": state.where(), "after": None, "first": 1}
    data = await run_query(request, request.app.state.schema, search_pages.SEARCH, variables)
    search_pages.check_filters(state, data)
    return state


async def _checked(request: Request) -> tuple[SignedIn, dict[str, str]]:
    """The signed-in user and the posted form, once session, size and CSRF are checked."""
    who = await signed_in_of(request)
    if who.session is None:
        raise not_signed_in("/", who.expired)
    form = await read_bounded_form(request, FIELDS)
    check_csrf(request, who, form["csrf"])
    return who, form


async def save_search(request: Request) -> Response:
    """``POST /saved-searches``: keep the search, then show it on the home page."""
    try:
        who, form = await _checked(request)
        assert who.session is not None
        state = await _state_of(request, form["search"])
        filters = {k: tuple(v) for k, v in state.filters.items()}
        name = " ".join(form["name"].split()) or describe(state.q, filters)
        try:
            await saved.save(request.state.graph, who.session.token_id, state.q, filters, name)
        except saved.SavedSearchLimitError as error:
            raise PageError(409, "Too many saved searches", f"{error}.") from None
    except PageError as error:
        return error_page(request, error)
    return RedirectResponse(HOME, status_code=303)


async def delete_search(request: Request) -> Response:
    """``POST /saved-searches/<id>/delete``."""
    search = str(request.path_params["id"])[:100]
    try:
        who, _ = await _checked(request)
        assert who.session is not None
        if not await saved.delete(request.state.graph, who.session.token_id, search):
            raise PageError(404, "No such saved search", f"You have no saved search {search!r}.")
    except PageError as error:
        return error_page(request, error)
    return RedirectResponse(HOME, status_code=303)


async def home_extras(request: Request) -> dict[str, Any]:
    """What the home page shows a signed-in user: their saved searches, each with what
    is new since the last visit (this view counts as a visit). Nothing for others."""
    who = await signed_in_of(request)
    if who.session is None:
        return {}
    graph = request.state.graph
    token = who.session.token_id
    items = await saved.listed(graph, token)
    last_visit = await saved.visit(graph, token)
    search = getattr(request.state, "search", None)
    rows = []
    for item in items:
        news = await saved.news(graph, search, item, last_visit) if search else None
        rows.append(
            {
                "id": item.id,
                "name": item.name,
                "url": search_url(item),
                "delete": f"/saved-searches/{quote(item.id)}/delete",
                "new": len(news.new) if news else None,
                "since_saved": news.since_saved if news else False,
            }
        )
    return {"saved_searches": rows, "saved_csrf": csrf_for(request, who), "signed_in": True}


def saved_search_routes() -> list[BaseRoute]:
    """Save and delete (the list is on the home page)."""
    return [
        Route("/saved-searches", save_search, methods=["POST"]),
        Route("/saved-searches/{id}/delete", delete_search, methods=["POST"]),
    ]
