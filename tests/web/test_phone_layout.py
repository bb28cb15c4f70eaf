"""Every page kind at phone width (390 px): no page wider than the screen, and on the
search page the results come before the filters. At 1280 px the first result is on
the first screen, beside the filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import shot

PHONE = {"width": 390, "height": 844}

#: One path of each page kind (a state and a contract page among them).
PAGES = (
    "/",
    "/?q=protest",
    "/states",
    "/states/UT",
    "/contracts",
    "/contracts/nvp-cloud-solutions",
    "/lessons",
    "/alliances",
    "/practices",
)

#: The top edge of an element in page coordinates (scroll-independent), or None.
TOP = (
    "sel => { const e = document.querySelector(sel); if (!e) return null;"
    " const r = e.getBoundingClientRect(); return r.height ? r.top + window.scrollY : null; }"
)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_page_is_wider_than_a_phone(server: str, phone: Any, path: str) -> None:
    response = phone.goto(f"{server}{path}")
    assert response.status == 200, f"{path} answered {response.status}"
    width = phone.evaluate("document.documentElement.scrollWidth")
    slug = path.strip("/").replace("/", "-").replace("?q=", "q-") or "home"
    shot(phone, f"phone-{slug}")
    assert width <= PHONE["width"], f"{path} is {width}px wide at {PHONE['width']}px"
    # A table fits its box too (the box would scroll, but only as a last resort).
    tables = phone.evaluate(
        "[...document.querySelectorAll('.table-wrap')].map(e => e.scrollWidth - e.clientWidth)"
    )
    assert all(extra <= 1 for extra in tables), f"{path}: a table overflows by {tables}px"


@pytest.mark.parametrize("path", ["/?kind=lesson", "/?q=protest"])
def test_results_come_before_the_filters_on_a_phone(server: str, phone: Any, path: str) -> None:
    phone.goto(f"{server}{path}")
    first_result = phone.evaluate(TOP, "ol.results li.hit")
    first_facet = phone.evaluate(TOP, "a[data-facet]")
    assert first_result is not None, f"{path} shows no result"
    # The filters are still there, folded away or below the results.
    assert phone.locator("a[data-facet]").count() > 0
    assert first_facet is None or first_result < first_facet, (
        f"{path}: first result at {first_result}px, first facet link at {first_facet}px"
    )
    # The first result is on the first screen, not below a screenful of anything else.
    assert first_result < PHONE["height"], f"{path}: first result at {first_result}px"


def test_the_filters_are_one_tap_away_and_fold_on_a_phone(server: str, phone: Any) -> None:
    phone.goto(f"{server}/?q=protest")
    phone.click("a[href='#filters']")  # above the results: a jump to the filters
    facet = phone.locator("a[data-facet^='kind:']").first
    assert facet.is_visible()
    phone.click("details.facets > summary")  # they fold away ...
    assert not facet.is_visible()
    phone.click("details.facets > summary")  # ... and open again
    facet.click()
    phone.wait_for_selector("a[data-facet^='kind:'][aria-pressed=true]")
    assert "kind=" in phone.url


def test_desktop_shows_results_beside_the_filters(server: str, page: Any) -> None:
    # `page` is the 1280 x 900 window of tests/web/conftest.py.
    height = page.viewport_size["height"]
    page.goto(f"{server}/?q=protest")
    hit = page.locator("ol.results li.hit").first.bounding_box()
    facet = page.locator("a[data-facet]").first.bounding_box()
    assert hit is not None and facet is not None
    assert hit["y"] + hit["height"] <= height, f"first result at {hit}"
    assert facet["y"] < height, f"first facet link at {facet}"
    assert facet["x"] + facet["width"] <= hit["x"], "the filters sit left of the results"
    assert not page.locator("a[href='#filters']").is_visible()  # the jump is for phones
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shot(page, "desktop-search")
