"""A screenshot of every page kind at desktop (1280 px) and phone (390 px) width, kept
in ``test-artifacts/pages/`` for people to look at (CI collects the directory): the
whole page, and its first screen (``-screen.png``, what docs/screenshots/ is chosen from).

Each page must answer with its expected status, fit the width (no sideways scroll)
and give a full-page picture exactly as wide as the window.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import pytest

from kb.graph.db import Graph
from kb.graph.tokens import create_token
from tests.web.conftest import ARTIFACTS
from tests.web.forms_support import save_a_search_in_the_browser

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
SHOTS = ARTIFACTS / "pages"

#: kind -> (path, expected status). One page of each kind the site serves.
PAGES: dict[str, tuple[str, int]] = {
    "home": ("/", 200),
    "search": ("/?q=piggyback&kind=lesson", 200),
    "states": ("/states", 200),
    "state": ("/states/UT", 200),
    "alliances": ("/alliances", 200),
    "alliance": ("/alliances/sourcewell", 200),
    "contracts": ("/contracts", 200),
    "contract": ("/contracts/nvp-cloud-solutions", 200),
    "categories": ("/categories", 200),
    "category": ("/categories/920", 200),
    "practices": ("/practices", 200),
    "practice": ("/practices/lead-state-model", 200),
    "lessons": ("/lessons", 200),
    "lesson": ("/lessons/L-0001", 200),
    "path": ("/path?from=state:UT&to=alliance:sourcewell", 200),
    "curricula": ("/curricula", 200),
    "curriculum": ("/curricula/new-buyer-onboarding", 200),
    "glossary": ("/glossary", 200),
    "term": ("/glossary/mpa", 200),
    "signin": ("/signin", 200),
    "not-found": ("/states/ZZ", 404),
}
#: Pages of a signed-in editor.
SIGNED_IN: dict[str, tuple[str, int]] = {
    "home-signed-in": ("/", 200),
    "lesson-form": ("/lessons/new", 200),
    "practice-edit": ("/practices/lead-state-model/edit", 200),
    "builder": ("/curricula/new-buyer-onboarding/builder", 200),
}


#: The innermost elements that reach past the window's right edge (to name in a failure).
WIDE = (
    "w => [...document.querySelectorAll('body *')]"
    ".filter(e => e.getBoundingClientRect().right > w + 1 && !e.querySelector('*'))"
    ".slice(0, 5).map(e => e.outerHTML.slice(0, 120))"
)


def _png_width(path: Any) -> int:
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int(struct.unpack(">I", header[16:20])[0])


@pytest.fixture(scope="module", params=list(WIDTHS))
def size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _window(browser: Any, size: str) -> Any:
    width, height = WIDTHS[size]
    return browser.new_context(viewport={"width": width, "height": height})


@pytest.fixture(scope="module")
def window(browser: Any, size: str) -> Iterator[tuple[str, Any]]:
    context = _window(browser, size)
    yield size, context.new_page()
    context.close()


def _shoot(window: tuple[str, Any], server: str, kind: str, path: str, status: int) -> None:
    _, page = window
    response = page.goto(f"{server}{path}")
    assert response.status == status, f"{path} answered {response.status}"
    width = page.viewport_size["width"]
    overflow = page.evaluate("document.documentElement.scrollWidth") - width
    wide = page.evaluate(WIDE, width) if overflow > 1 else []
    assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {width}px: {wide}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / f"{kind}-{width}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert _png_width(target) == width, f"{target.name} is not {width}px wide"
    # The first screen alone too: what docs/screenshots/ is chosen from.
    page.screenshot(path=str(SHOTS / f"{kind}-{width}-screen.png"))


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_kind_has_a_screenshot(server: str, window: tuple[str, Any], kind: str) -> None:
    _shoot(window, server, kind, *PAGES[kind])


@pytest.fixture(scope="module")
def editor_window(
    server: str, browser: Any, session_graph: Graph, size: str
) -> Iterator[tuple[str, Any]]:
    """A window of its own, signed in as an editor with one saved search."""
    context = _window(browser, size)
    page = context.new_page()
    secret = create_token(session_graph, f"screenshots-{size}", "editor")[1]
    save_a_search_in_the_browser(page, server, secret, "protest")
    yield size, page
    context.close()


@pytest.mark.parametrize("kind", list(SIGNED_IN))
def test_every_signed_in_page_kind_has_a_screenshot(
    server: str, editor_window: tuple[str, Any], kind: str
) -> None:
    _shoot(editor_window, server, kind, *SIGNED_IN[kind])
