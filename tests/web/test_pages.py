"""Every page over HTTP: the right status for good and bad addresses, provenance shown,
accessible structure. Uses the real server process of the module."""

from __future__ import annotations

import re
from itertools import pairwise

import httpx
import pytest

HTML = {"accept": "text/html"}


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
def test_page_renders_with_headings_in_order(server: str, path: str) -> None:
    response = httpx.get(f"{server}{path}", headers=HTML)
    assert response.status_code == 200
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", response.text)]
    assert levels[0] == 1 and levels.count(1) == 1
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
    real = httpx.get(f"{server}/contracts/nvp-aed", headers=HTML).text
    assert "Source:" in real and "Oklahoma RFP SW17300" in real
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
