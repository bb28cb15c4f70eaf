"""The pages in a real browser: search, facets, a result, its state, what it could join."""

from __future__ import annotations

import re
from typing import Any

from kb.seed import SeedData
from tests.web.conftest import shot


def test_search_facet_result_state_and_eligible_contracts(server: str, page: Any) -> None:
    page.goto(f"{server}/")
    page.fill("input[name=q]", "participating addendum local government")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.results li.hit")
    assert "q=participating+addendum+local+government" in page.url
    total = int(re.match(r"(\d+)", page.inner_text("#results-heading")).group(1))  # type: ignore[union-attr]
    assert total > 0
    shot(page, "01-search")

    page.click("a[data-facet='kind:lesson']")
    page.wait_for_selector("a[data-facet='kind:lesson'][aria-pressed=true]")
    assert "kind=lesson" in page.url
    kinds = [k.lower() for k in page.locator("ol.results .kind").all_inner_texts()]
    assert kinds and set(kinds) == {"lesson"}
    filtered = int(re.match(r"(\d+)", page.inner_text("#results-heading")).group(1))  # type: ignore[union-attr]
    assert filtered < total
    marks = page.locator("ol.results mark").count()
    assert marks > 0  # matching words are highlighted
    shot(page, "02-facet")

    page.click("ol.results li.hit a.hit-title >> nth=0")
    page.wait_for_selector("h2:has-text('What we learned')")
    assert "/lessons/L-" in page.url
    shot(page, "03-lesson")

    page.click("dl.meta a[href^='/states/']")
    page.wait_for_selector("#eligible")
    assert re.search(r"/states/[A-Z]{2}$", page.url)
    eligible = page.locator("#eligible-contracts li")
    assert eligible.count() > 0
    assert page.locator("svg.graphview a").count() > 1
    shot(page, "04-state")

    eligible.first.locator("a[href^='/contracts/']").first.click()
    page.wait_for_selector("#participants")
    assert "/contracts/" in page.url
    shot(page, "05-contract")


def test_did_you_mean_and_back_to_a_shareable_url(server: str, page: Any) -> None:
    page.goto(f"{server}/?q=partcipating+addendumm")
    link = page.locator("#suggestion")
    assert link.count() == 1
    link.click()
    page.wait_for_selector("ol.results li.hit")
    assert "q=participating" in page.url


def test_pages_work_without_javascript(server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server}/?q=snow+removal&kind=contract")
        titles = page.locator("a.hit-title").all_inner_texts()
        assert any("Snow" in t for t in titles)
        page.goto(f"{server}/practices/lead-state-model")
        assert page.locator("#related-items li").count() > 0
    finally:
        context.close()


def test_phone_width_has_no_horizontal_scroll(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        for path in ("/?q=rfp", "/states/UT", "/practices/running-a-request-for-proposals"):
            page.goto(f"{server}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px"
        shot(page, "06-phone")
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_and_the_search_box(server: str, page: Any) -> None:
    page.goto(f"{server}/?q=cloud")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.focus("input[name=q]")
    page.keyboard.press("End")
    page.keyboard.type(" security")
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.results")
    assert "q=cloud+security" in page.url


def test_lessons_filter_form_narrows_the_list_to_a_shareable_url(
    server: str, browser: Any, seed_data: SeedData
) -> None:
    learned = sum(1 for x in seed_data.lessons if x.status == "LESSON_LEARNED")
    # Without JavaScript, as a GET form must work; and at phone width without scrolling.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{server}/lessons")
        assert f"of {len(seed_data.lessons)} lessons" in page.inner_text("#count")
        page.select_option("select[name=status]", "LESSON_LEARNED")
        page.select_option("select[name=sort]", "oldest")
        page.click("form.filters button[type=submit]")
        page.wait_for_url(re.compile(r"status=LESSON_LEARNED"))
        assert "sort=oldest" in page.url
        assert f"of {learned} lessons" in page.inner_text("#count")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"/lessons scrolls sideways by {overflow}px"
        shot(page, "07-lessons-phone")
        page.goto(page.url)  # the address alone brings the same list back
        assert f"of {learned} lessons" in page.inner_text("#count")
        assert page.locator("select[name=status] option[selected]").inner_text() == "Lesson learned"
    finally:
        context.close()
