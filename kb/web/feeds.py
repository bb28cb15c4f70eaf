"""Atom feeds (RFC 4287): a search, a record page or a curriculum, followed in a reader.

Every search URL has a feed at the same query string (``/?q=piggyback&state=UT`` ->
``/feed.xml?q=piggyback&state=UT``), and each state, alliance, contract, category and
curriculum page has one at its address plus ``/feed.xml``. An entry is a lesson,
practice or contract (for a curriculum: the curriculum and the items of its modules);
its ``id`` is a tag URI that never changes (``tag:procurement-kb,2024:lesson/L-0001``),
its ``updated`` and ``published`` the times of its newest and oldest change-log
entries, and the feed lists the newest :data:`FEED_SIZE` first.

Pages link their feed (``<link rel="alternate" type="application/atom+xml">``) through
the template global ``feed_url``. Bad parameters get the same 400 as the search page;
an unknown record a 404; Neo4j down a 503, as an HTML page, never a half-written feed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from kb.api.feeds import DatabaseUnavailableError, FeedEntry, feed_entries, record_title
from kb.api.schema import Schema
from kb.web import search as search_pages
from kb.web.pages import PageError, error_page, run_query, templates

FEED_SIZE = 50
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
TAG = "tag:procurement-kb,2024:"
SITE = "Procurement knowledge graph"

#: Record pages with a feed: URL segment -> (label, what the reader calls it).
RECORDS = {
    "states": ("State", "state"),
    "alliances": ("Alliance", "alliance"),
    "contracts": ("Contract", "contract"),
    "categories": ("Category", "category"),
    "curricula": ("Curriculum", "curriculum"),
}
PATHS = {
    "Lesson": "/lessons/",
    "Practice": "/practices/",
    "Contract": "/contracts/",
    "Curriculum": "/curricula/",
}
KINDS = {"practice": "Practice", "lesson": "Lesson", "contract": "Contract"}
_RECORD_PAGE = re.compile(r"^/(" + "|".join(RECORDS) + r")/([^/]+)$")


def feed_url(request: Request) -> str | None:
    """The feed of the page at ``request`` (a template global), or None."""
    path = request.url.path
    if path == "/":
        query = request.url.query
        return "/feed.xml" + (f"?{query}" if query else "")
    if _RECORD_PAGE.match(path):
        return f"{path}/feed.xml"
    return None


templates.env.globals["feed_url"] = feed_url


def _atom(
    request: Request, feed_id: str, title: str, page: str, entries: list[FeedEntry]
) -> Response:
    base = str(request.base_url).rstrip("/")
    generator = FeedGenerator()
    generator.id(TAG + feed_id)
    generator.title(title)
    generator.link(href=base + page, rel="alternate", type="text/html")
    generator.link(href=str(request.url), rel="self", type="application/atom+xml")
    generator.author({"name": SITE})
    generator.generator(SITE)
    newest = max((e.updated for e in entries), default=None)
    generator.updated(newest or datetime.now(UTC))
    for entry in entries:
        item = generator.add_entry(order="append")
        item.id(f"{TAG}{entry.label.lower()}/{entry.key}")
        item.title(entry.title)
        item.link(href=base + PATHS[entry.label] + entry.key, rel="alternate", type="text/html")
        item.updated(entry.updated)
        item.published(entry.published)
        item.author({"name": entry.author or SITE})
        item.category(term=entry.label.lower(), label=entry.label)
        if entry.summary:
            item.summary(_clip(entry.summary))
    return Response(generator.atom_str(pretty=True), media_type=MEDIA_TYPE)


def _clip(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _unavailable() -> PageError:
    return PageError(
        503,
        "The knowledge base is unavailable",
        "The database does not answer right now. Try again in a minute.",
    )


def _require_read(request: Request) -> None:
    if not request.state.settings.public_read:
        raise PageError(
            401, "Sign-in needed", "Reading needs a token here (KB_PUBLIC_READ is false)."
        )


def search_feed(schema: Schema) -> Callable[[Request], object]:
    """``/feed.xml``: the search at the same query string, newest change first; with no
    query and no filter, the newest lessons, practices and contracts."""

    async def feed(request: Request) -> Response:
        try:
            _require_read(request)
            state = search_pages.SearchState.from_request(request)
            if not state.q and not state.filters:
                entries = await feed_entries(request.state.graph, FEED_SIZE)
                return _atom(request, "newest", f"{SITE}: what is new", "/", entries)
            variables = {"q": state.q, "where": state.where(), "after": None, "first": 100}
            data = await run_query(request, schema, search_pages.SEARCH, variables)
            search_pages.check_filters(state, data)
            hits = [(KINDS[h["kind"]], h["key"]) for h in data["search"]["hits"]]
            entries = await feed_entries(request.state.graph, FEED_SIZE, records=hits)
        except PageError as error:
            return error_page(request, error)
        except DatabaseUnavailableError:
            return error_page(request, _unavailable())
        page = state.url()
        pairs = urlencode(sorted(request.query_params.multi_items()))
        what = f"“{state.q}”" if state.q else "filtered search"
        return _atom(request, f"search?{pairs}", f"{SITE}: {what}", page, entries)

    return feed


def record_feed(segment: str) -> Callable[[Request], object]:
    """``/states/UT/feed.xml`` and the like: what is linked to the record, newest first."""
    label, what = RECORDS[segment]

    async def feed(request: Request) -> Response:
        key = request.path_params["key"]
        try:
            _require_read(request)
            if len(key) > 100:
                raise PageError(400, "That address is too long", "Keys are at most 100 characters.")
            graph = request.state.graph
            title = await record_title(graph, label, key)
            if title is None:
                raise PageError(
                    404, f"No such {what}", f"There is no {what} {key!r} in the knowledge base."
                )
            if label == "Curriculum":
                entries = await feed_entries(graph, FEED_SIZE, curriculum=key)
            else:
                entries = await feed_entries(graph, FEED_SIZE, linked_to=(label, key))
        except PageError as error:
            return error_page(request, error)
        except DatabaseUnavailableError:
            return error_page(request, _unavailable())
        page = f"/{segment}/{key}"
        return _atom(request, f"{segment}/{key}", f"{SITE}: {title}", page, entries)

    return feed


def feed_routes(schema: Schema) -> list[BaseRoute]:
    """``/feed.xml`` and ``/<records>/<key>/feed.xml``."""
    return [
        Route("/feed.xml", search_feed(schema)),
        *(Route(f"/{segment}/{{key}}/feed.xml", record_feed(segment)) for segment in RECORDS),
    ]
