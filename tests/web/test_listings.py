"""The listing pages filter, sort and page through shareable URLs, and every answer is
the seed's: /lessons (state, category, status; newest, oldest, title) and /contracts
(alliance, status, participating state)."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date
from urllib.parse import urljoin

import httpx
import pytest

from kb.seed import SeedData

HTML = {"accept": "text/html"}


def _get(server: str, path: str) -> httpx.Response:
    return httpx.get(f"{server}{path}", headers=HTML, timeout=30)


def _lesson_ids(text: str) -> list[str]:
    block = text.split('<ol class="plain lessons"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li><a href="/lessons/([^"]+)"', block)


def _contract_slugs(text: str) -> list[str]:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td><a href="/contracts/([^"]+)"', body)


def _next(text: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', text)
    return html.unescape(found.group(1)) if found else None


def _descendants(seed: SeedData, code: str) -> set[str]:
    codes, grew = {code}, True
    while grew:
        more = {c.code for c in seed.categories if c.parent in codes} - codes
        codes |= more
        grew = bool(more)
    return codes


def test_contracts_filtered_by_alliance_are_that_alliances(
    server: str, seed_data: SeedData
) -> None:
    expected = sorted(
        (c for c in seed_data.contracts if c.alliance == "sourcewell"), key=lambda c: c.title
    )
    assert 0 < len(expected) < len(seed_data.contracts)
    response = _get(server, "/contracts?alliance=sourcewell")
    assert response.status_code == 200, response.text[-600:]
    assert _contract_slugs(response.text) == [c.slug for c in expected]
    assert f"of {len(expected)} contracts" in response.text
    assert '<option value="sourcewell" selected>' in response.text
    # Unfiltered, every contract once over the pages (50 a page).
    slugs: list[str] = []
    for number in (1, 2, 3):
        page = _get(server, f"/contracts?page={number}")
        if page.status_code == 404:
            break
        slugs += _contract_slugs(page.text)
    assert sorted(slugs) == sorted(c.slug for c in seed_data.contracts)


def test_contracts_filtered_by_status_and_participating_state(
    server: str, seed_data: SeedData
) -> None:
    expected = {
        c.slug
        for c in seed_data.contracts
        if c.status == "ACTIVE" and any(p.state == "UT" for p in c.participants)
    }
    response = _get(server, "/contracts?status=ACTIVE&state=UT")
    assert response.status_code == 200
    assert set(_contract_slugs(response.text)) == expected


def test_lessons_filtered_by_state_and_status_oldest_first(
    server: str, seed_data: SeedData
) -> None:
    status = "LESSON_LEARNED"
    learned = Counter(x.state for x in seed_data.lessons if x.status == status)
    state, count = learned.most_common(1)[0]
    matching = [x for x in seed_data.lessons if x.state == state and x.status == status]
    assert count >= 2 and len(matching) == count
    response = _get(server, f"/lessons?state={state}&status={status}&sort=oldest")
    assert response.status_code == 200
    shown = _lesson_ids(response.text)
    assert set(shown) == {x.id for x in matching}
    dates = {x.id: x.recorded_on or date.min for x in seed_data.lessons}
    assert [dates[i] for i in shown] == sorted(dates[i] for i in shown)


def test_lessons_filtered_by_category_include_its_sub_categories(
    server: str, seed_data: SeedData
) -> None:
    parent = next(c.code for c in seed_data.categories if c.parent is None and any(
        d.parent == c.code for d in seed_data.categories))  # fmt: skip
    codes = _descendants(seed_data, parent)
    expected = {x.id for x in seed_data.lessons if set(x.categories) & codes}
    seen: list[str] = []
    path: str | None = f"/lessons?category={parent}"
    for _ in range(20):  # bounded: at most 20 pages
        if path is None:
            break
        response = _get(server, path)
        assert response.status_code == 200
        seen += _lesson_ids(response.text)
        path = _next(response.text)
    assert sorted(seen) == sorted(expected)


def test_lessons_pages_cover_every_lesson_once_newest_first(
    server: str, seed_data: SeedData
) -> None:
    seen: list[str] = []
    path: str | None = "/lessons"
    pages = 0
    while path is not None and pages < 20:
        response = _get(server, path)
        assert response.status_code == 200
        ids = _lesson_ids(response.text)
        assert len(ids) == 25 or _next(response.text) is None
        seen += ids
        pages += 1
        path = _next(response.text)
        if path is not None:
            assert f"page={pages + 1}" in path
            path = urljoin("/lessons", path)
    assert sorted(seen) == sorted(x.id for x in seed_data.lessons)
    assert len(seen) == len(set(seen))
    dates = {x.id: x.recorded_on or date.min for x in seed_data.lessons}
    assert [dates[i] for i in seen] == sorted((dates[i] for i in seen), reverse=True)
    assert pages == -(-len(seed_data.lessons) // 25)


def test_the_next_page_keeps_the_filters(server: str) -> None:
    response = _get(server, "/lessons?status=LESSON_IDENTIFIED&sort=title")
    link = _next(response.text)
    assert link is not None, "more than one page of identified lessons"
    assert "status=LESSON_IDENTIFIED" in link and "sort=title" in link and "page=2" in link
    second = _get(server, link)
    titles = re.findall(r'<li><a href="/lessons/[^"]+">([^<]+)</a>', second.text)
    assert titles == sorted(titles, key=str.lower) or titles == sorted(titles)


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/lessons?page=0", 400, "is not a page number"),
        ("/lessons?page=two", 400, "is not a page number"),
        ("/lessons?page=999", 404, "past the last page"),
        ("/lessons?state=XX", 400, "state: &#39;XX&#39; is not accepted"),
        ("/lessons?status=DONE", 400, "status: &#39;DONE&#39; is not accepted"),
        ("/lessons?sort=worst", 400, "sort: &#39;worst&#39; is not accepted"),
        ("/contracts?alliance=no-such-alliance", 400, "alliance: &#39;no-such-alliance&#39;"),
        ("/lessons?category=" + "9" * 101, 400, "at most 100 characters"),
    ],
)
def test_bad_listing_addresses_get_a_clear_page(
    server: str, path: str, status: int, text: str
) -> None:
    response = _get(server, path)
    assert response.status_code == status, response.text[:300]
    assert text in response.text
