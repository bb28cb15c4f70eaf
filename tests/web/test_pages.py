"""Every page over HTTP: the right status for good and bad addresses, provenance shown,
accessible structure. Uses the real server process of the module."""

from __future__ import annotations

import html
import re
from itertools import pairwise

import httpx
import pytest

from kb.seed import SeedData

HTML = {"accept": "text/html"}


#: The one <h1> of each list page.
LIST_TITLES = {
    "/": "Procurement practices, lessons learned and cooperative contracts",
    "/?q=rfp": "Search practices, lessons and contracts",
    "/states": "States, districts and territories",
    "/alliances": "Purchasing alliances",
    "/contracts": "Cooperative contracts",
    "/categories": "Procurement categories",
    "/practices": "Practices",
    "/lessons": "Lessons learned",
}

#: The list pages that are one table under their <h1>, with no section headings.
ONLY_H1 = {"/states", "/alliances", "/contracts", "/practices", "/lessons"}


def expected_title(path: str, seed: SeedData) -> str:
    """The <h1> a page must show, from the seed record the address names."""
    if path in LIST_TITLES:
        return LIST_TITLES[path]
    _, section, key = path.split("/")
    if section == "states":
        state = next(s for s in seed.states if s.code == key)
        return f"{state.name} ({state.code})"
    if section == "alliances":
        alliance = next(a for a in seed.alliances if a.slug == key)
        acronym = alliance.acronym
        return alliance.name + (f" ({acronym})" if acronym and acronym != alliance.name else "")
    if section == "categories":
        category = next(c for c in seed.categories if c.code == key)
        return (f"{category.code} " if category.kind == "CLASS" else "") + category.name
    records: dict[str, dict[str, str]] = {
        "contracts": {c.slug: c.title for c in seed.contracts},
        "practices": {p.slug: p.title for p in seed.practices},
        "lessons": {lesson.id: lesson.title for lesson in seed.lessons},
    }
    return records[section][key]


@pytest.mark.parametrize(
    ("path", "h1"),
    [
        ("/states/UT", "Utah (UT)"),
        ("/categories/920", "920 Data processing and software services"),
        ("/practices/lead-state-model", "The lead-state model of cooperative solicitation"),
    ],
)
def test_expected_titles_follow_the_seed(seed_data: SeedData, path: str, h1: str) -> None:
    # The helper above is checked against a few titles read by hand from seed/.
    assert expected_title(path, seed_data) == h1


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?q=rfp",
        "/states",
        "/alliances",
        "/contracts",
        "/categories",
        "/practices",
        "/lessons",
        "/states/UT",
        "/states/GU",
        "/alliances/naspo-valuepoint",
        "/alliances/12aspo",
        "/contracts/nvp-cloud-solutions",
        "/categories/IT",
        "/categories/920",
        "/practices/lead-state-model",
        "/lessons/L-0001",
    ],
)
def test_page_renders_with_headings_in_order(server: str, seed_data: SeedData, path: str) -> None:
    # A generous timeout: the detail pages draw a graph, on a machine shared with others.
    response = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    headings = re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", response.text, re.DOTALL)
    levels = [int(level) for level, _ in headings]
    # The page is the one asked for: its single <h1>, first, names the record.
    assert levels[:1] == [1] and levels.count(1) == 1, levels
    title = html.unescape(re.sub(r"<[^>]+>", "", headings[0][1])).strip()
    assert title == expected_title(path, seed_data)
    # In order: a page may go back up any number of levels but never skips one down.
    # Only the plain lists have nothing under their <h1>; every other page has sections.
    assert (len(levels) == 1) == (path in ONLY_H1), levels
    assert all(b - a <= 1 for a, b in pairwise(levels)), levels
    assert "fonts.googleapis" not in response.text and "cdn" not in response.text.lower()


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/states/XX", 404, "There is no state &#39;XX&#39;"),
        ("/practices/no-such-practice", 404, "No such practice"),
        ("/lessons/L-9999", 404, "No such lesson"),
        ("/nowhere/at/all", 404, "Page not found"),
        ("/?q=rfp&page=0", 400, "No such results page"),
        ("/?q=rfp&page=-3", 400, "No such results page"),
        ("/?q=rfp&page=99999999999", 400, "No such results page"),
        ("/?q=rfp&page=400", 404, "past the last one"),
        ("/?q=rfp&state=ZZ", 400, "is not a known state"),
        ("/?q=rfp&kind=spaceship", 400, "spaceship"),
        ("/?q=rfp&year=twenty", 400, "twenty"),
        ("/?q=" + "x" * 2000, 400, "That search is too long"),
        ("/practices/" + "y" * 300, 400, "too long"),
    ],
)
def test_bad_addresses_get_a_friendly_page(server: str, path: str, status: int, text: str) -> None:
    response = httpx.get(f"{server}{path}", headers=HTML)
    assert response.status_code == status
    assert text in response.text
    assert "<h1>" in response.text and "Traceback" not in response.text


def test_provenance_is_shown(server: str) -> None:
    real = httpx.get(f"{server}/contracts/nvp-cloud-solutions", headers=HTML).text
    assert "Source:" in real and "statescoop.com/35-states-join" in real
    made_up = httpx.get(f"{server}/alliances/12aspo", headers=HTML).text
    assert 'class="badge"' in made_up and "Illustrative" in made_up


def test_the_search_box_is_labelled(server: str) -> None:
    text = httpx.get(f"{server}/", headers=HTML).text
    assert re.search(r'<label for="q"[^>]*>[^<]+</label>', text)
    assert 'id="q"' in text


def test_graph_picture_links_every_neighbour(server: str) -> None:
    text = httpx.get(f"{server}/contracts/nvp-tires", headers=HTML).text
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert 'href="/states/IA"' in svg and 'href="/alliances/naspo-valuepoint"' in svg
    assert 'role="img"' in svg
