"""The home page: a search box, what is new (lessons and practices by date, never a
contract still being solicited), the ways in by state, alliance and category, and the
curricula for trainers; at 1280 and 390 px wide."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from kb.seed import SeedData
from tests.web.conftest import shot

HTML = {"accept": "text/html"}


def _home(server: str, path: str = "/") -> str:
    response = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert response.status_code == 200
    return response.text


def _section(text: str, ident: str) -> str:
    start = text.index(f'id="{ident}"')
    return text[start : text.index("</ol>" if "recent" in ident else "</ul>", start)]


@pytest.mark.parametrize("path", ["/", "/?q=", "/?q=+++"])
def test_the_empty_query_is_the_home_page_not_every_record_by_date(server: str, path: str) -> None:
    text = _home(server, path)
    assert "Procurement practices, lessons learned and cooperative contracts" in text
    assert not re.search(r"\d+ results", text)
    assert 'id="q"' in text and 'role="search"' in text


def test_whats_new_is_the_newest_lessons_and_practices(server: str, seed_data: SeedData) -> None:
    text = _home(server)
    lessons = re.findall(r'href="/lessons/([^"]+)"', _section(text, "recent-lessons"))
    dated = sorted(
        (lesson for lesson in seed_data.lessons if lesson.recorded_on),
        key=lambda lesson: (lesson.recorded_on, lesson.id),
        reverse=True,
    )
    newest = dated[0].recorded_on
    assert lessons, "no lesson under 'New lessons learned'"
    assert next(x for x in seed_data.lessons if x.id == lessons[0]).recorded_on == newest
    dates = re.findall(r'datetime="([^"]+)"', _section(text, "recent-lessons"))
    assert dates == sorted(dates, reverse=True)
    practices = _section(text, "recent-practices")
    dates = re.findall(r'datetime="([^"]+)"', practices)
    assert dates and dates == sorted(dates, reverse=True)
    # What's new is lessons and practices: no contract (a solicitation is not news).
    new = text[text.index('id="new-lessons"') : text.index('id="browse-states"')]
    assert "/contracts/" not in new


def test_every_way_in_is_linked(server: str, seed_data: SeedData) -> None:
    text = _home(server)
    states = set(re.findall(r'href="/states/([^"]+)"', _section(text, "browse-by-state")))
    assert states == {s.code for s in seed_data.states}
    alliances = set(re.findall(r'href="/alliances/([^"]+)"', _section(text, "browse-by-alliance")))
    assert alliances == {a.slug for a in seed_data.alliances}
    categories = re.findall(r'href="/categories/([^"]+)"', _section(text, "browse-by-category"))
    top = {c.code for c in seed_data.categories if not c.parent}
    assert set(categories) == top
    curricula = re.findall(r'href="/curricula/([^"]+)"', _section(text, "curricula"))
    assert curricula, "no curriculum for trainers on the home page"


def test_a_filter_alone_still_searches(server: str) -> None:
    text = _home(server, "/?kind=lesson")
    assert re.search(r"\d+ results?", text)


@pytest.mark.parametrize("width", [1280, 390])
def test_home_in_a_browser(server: str, browser: Any, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/")
        shot(page, f"home-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # The search box is on the first screen, and searching from it finds something.
        box = page.locator("#q").bounding_box()
        assert box is not None and box["y"] < 400
        page.fill("#q", "cooperative contract")
        page.press("#q", "Enter")
        page.wait_for_selector("ol.results li.hit")
        assert "q=cooperative+contract" in page.url
        page.go_back()
        page.click("#browse-by-state a[href='/states/UT']")
        page.wait_for_selector("h1:has-text('Utah')")
    finally:
        context.close()
