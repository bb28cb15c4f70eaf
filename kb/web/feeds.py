"""Atom feeds (RFC 4287): a search, a record page or a curriculum, followed in a reader.

Every search URL has a feed at the same query string (``/?q=piggyback&state=UT`` ->
``/feed.xml?q=piggyback&state=UT``), and each state, alliance, contract, category and
curriculum page has one at its address plus ``/feed.xml``. An entry is a lesson,
practice or contract (for a curriculum: the curriculum and the items of its modules);
its ``id`` is a tag URI that never changes (``tag:procurement-kb,2024:lesson/L-0001``),
its ``updated`` and ``published`` the times of its newest and oldest change-log
entries, and the feed lists the newest :data:`FEED_SIZE` first (``?first=`` asks for 1
to :data:`MAX_FEED_SIZE`). A record deleted since keeps its entry (same ``id``) in the
newest-changes feed and in the feeds of the records it was linked to, titled
``Deleted: ...``, with the category ``deleted`` and ``updated`` at the delete.

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
MAX_FEED_SIZE = 100
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
TAG = "tag:procurement-kb,2024:"
SITE = "Procurement knowledge graph"
#: The category term of a deleted record's entry.
DELETED = "deleted"

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
        item.updated(entry.updated)
        item.published(entry.published)
        item.author({"name": entry.author or SITE})
        item.category(term=entry.label.lower(), label=entry.label)
        if entry.deleted:
            # Same id as while it lived, so a reader replaces the entry; no link, as the
            # page is gone (Atom then wants content, RFC 4287 4.1.1.1).
            what = entry.label.lower()
            item.title(f"Deleted: {entry.title}")
            item.category(term=DELETED, label="Deleted")
            when = entry.updated.strftime("%Y-%m-%d %H:%M UTC")
            item.content(f"The {what} {entry.key} was deleted on {when}.", type="text")
            continue
        item.title(entry.title)
        item.link(href=base + PATHS[entry.label] + entry.key, rel="alternate", type="text/html")
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


def _size(request: Request) -> int:
    """The entries asked for with ``?first=`` (default :data:`FEED_SIZE`)."""
    raw = request.query_params.get("first")
    if raw is None:
        return FEED_SIZE
    # ASCII digits only: isdigit() also holds for '²', which int() refuses.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not (
        1 <= int(raw) <= MAX_FEED_SIZE
    ):
        raise PageError(
            400,
            "No such feed size",
            f"first={raw[:20]!r} is not a number of entries; expected 1 to {MAX_FEED_SIZE}.",
        )
    return int(raw)


def search_feed(schema: Schema) -> Callable[[Request], object]:
    """``/feed.xml``: the search at the same query string, newest change first; with no
    query and no filter, the newest lessons, practices and contracts."""

    async def feed(request: Request) -> Response:
        try:
            _require_read(request)
            size = _size(request)
            state = search_pages.SearchState.from_request(request)
            if not state.q and not state.filters:
                entries = await feed_entries(request.state.graph, size)
                return _atom(request, "newest", f"{SITE}: what is new", "/", entries)
            for kind in state.filters.get("kind", []):
                if kind not in KINDS:  # before the query, whose enum would refuse it less clearly
                    raise PageError(400, "Unknown filter", f"kind={kind!r} is not a known kind.")
            variables = {"q": state.q, "where": state.where(), "after": None, "first": 100}
            data = await run_query(request, schema, search_pages.SEARCH, variables)
            search_pages.check_filters(state, data)
            hits = [(KINDS[h["kind"]], h["key"]) for h in data["search"]["hits"]]
            entries = await feed_entries(request.state.graph, size, records=hits)
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
            size = _size(request)
            if len(key) > 100:
                raise PageError(400, "That address is too long", "Keys are at most 100 characters.")
            graph = request.state.graph
            title = await record_title(graph, label, key)
            if title is None:
                raise PageError(
                    404, f"No such {what}", f"There is no {what} {key!r} in the knowledge base."
                )
            if label == "Curriculum":
                entries = await feed_entries(graph, size, curriculum=key)
            else:
                entries = await feed_entries(graph, size, linked_to=(label, key))
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
