"""The glossary pages over HTTP and in a browser: the alphabetical list with its letter
index, a term with its definition, source and the records that use it, bad addresses."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from kb.domain.glossary import default_glossary
from tests.web.conftest import shot

HTML = {"accept": "text/html"}


def _get(server: str, path: str) -> httpx.Response:
    return httpx.get(f"{server}{path}", headers=HTML, timeout=30)


def _h1(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<h1[^>]*>(.*?)</h1>", body, re.S)]


def test_glossary_lists_every_term_under_its_letter(server: str) -> None:
    response = _get(server, "/glossary")
    assert response.status_code == 200
    body = response.text
    assert _h1(body) == ["Glossary of the trade"]
    glossary = default_glossary()
    letters = sorted({t.name[0].upper() for t in glossary})
    index = re.findall(r'<a href="#letter-(.)">', body)
    assert index == letters
    headings = re.findall(r'<h2 id="letter-(.)">', body)
    assert headings == letters
    links = [html.unescape(n) for n in re.findall(r'<dt><a href="/glossary/[^"]+">(.*?)</a>', body)]
    assert links == [t.name for t in glossary]
    # Each term sits in the section of its own letter.
    for letter, section in re.findall(r'<h2 id="letter-(.)">.\s*</h2>(.*?)</section>', body, re.S):
        names = re.findall(r'<dt><a href="/glossary/[^"]+">(.*?)</a>', section)
        assert names and all(html.unescape(n)[0].upper() == letter for n in names)


def test_a_term_shows_its_definition_source_and_the_records_that_use_it(server: str) -> None:
    response = _get(server, "/glossary/mpa")
    assert response.status_code == 200
    body = response.text
    mpa = default_glossary().find("MPA")
    assert mpa is not None
    assert _h1(body) == ["MPA"]
    assert html.escape(mpa.definition, quote=False) in body
    assert f'href="{html.escape(mpa.source)}"' in body
    assert '<a href="/glossary/MA">MA</a>' in body  # searched with
    practices = re.search(r'id="practices".*?</ul>', body, re.S)
    assert practices is not None
    assert "/practices/master-agreements-and-order-of-precedence" in practices.group(0)
    lessons = re.search(r'id="lessons".*?</ul>', body, re.S)
    assert lessons is not None and "/lessons/L-" in lessons.group(0)


def test_a_term_with_spaces_in_its_name_has_an_address(server: str) -> None:
    response = _get(server, "/glossary/" + quote("sole source"))
    assert response.status_code == 200
    assert _h1(response.text) == ["sole source"]


@pytest.mark.parametrize(
    ("path", "status"), [("/glossary/no-such-term", 404), ("/glossary/" + "x" * 101, 400)]
)
def test_bad_term_addresses_get_a_page_with_the_right_status(
    server: str, path: str, status: int
) -> None:
    response = _get(server, path)
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]
    assert "Traceback" not in response.text


def test_every_page_links_to_the_glossary(server: str) -> None:
    for path in ("/", "/states", "/glossary/RFP"):
        assert '<a href="/glossary">Glossary</a>' in _get(server, path).text, path


def test_browse_from_the_nav_to_a_letter_to_a_term(server: str, page: Any) -> None:
    page.goto(f"{server}/states")
    page.click("nav a[href='/glossary']")
    page.wait_for_selector("h1:has-text('Glossary of the trade')")
    page.click("nav.letters a[href='#letter-P']")
    assert page.url.endswith("#letter-P")
    page.click("#letter-P ~ dl a:text-is('piggyback')")
    page.wait_for_selector("h1:has-text('piggyback')")
    assert page.locator("a.source").count() == 1
    shot(page, "glossary-piggyback")
    # Its practices and lessons link to their pages (not followed here: a practice page
    # draws its graph, which on a loaded shared machine can outrun the request budget).
    practices = page.locator("#practices ~ ul a")
    assert practices.count() > 0
    assert all(h.startswith("/practices/") for h in practices.evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"))  # fmt: skip
    assert page.locator("#lessons ~ ul a[href^='/lessons/L-']").count() > 0
