"""/path explains how two items are connected in words, every item linked."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from kb.seed import SeedData

HTML = {"accept": "text/html"}


def _words(server: str, query: str) -> tuple[str, list[str]]:
    response = httpx.get(f"{server}/path?{query}", headers=HTML, timeout=30)
    assert response.status_code == 200, response.text[-500:]
    found = re.search(r'<p class="path-words" id="path">(.*?)</p>', response.text, re.DOTALL)
    assert found is not None, response.text[-800:]
    links = re.findall(r'<a href="([^"]+)"', found.group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))), links


def test_a_lesson_and_its_category_in_words(server: str, seed_data: SeedData) -> None:
    lesson = next(item for item in seed_data.lessons if item.id == "L-0001")
    code = lesson.categories[0]
    text, links = _words(server, f"from=lesson:L-0001&to=category:{code}")
    assert text.startswith(f"Lesson L-0001 ({lesson.title}) is about category {code} "), text
    assert links == ["/lessons/L-0001", f"/categories/{code}"]
    assert "->" not in text and "ABOUT" not in text


def test_a_two_step_path_reads_as_one_sentence(server: str) -> None:
    text, links = _words(server, "from=state:UT&to=alliance:sourcewell")
    assert links[0] == "/states/UT" and links[-1] == "/alliances/sourcewell"
    assert text.startswith("State Utah (UT) ") and text.endswith(".")
    assert len(links) >= 2 and (len(links) == 2 or ", which " in text)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("from=UT&to=state:CO", "from: &#39;UT&#39; is not an item; expected kind:key"),
        ("from=planet:mars&to=state:CO", "kind one of state, alliance"),
        ("from=state:UT&to=state:ZZ", "ZZ"),
    ],
)
def test_bad_items_get_a_clear_page(server: str, query: str, text: str) -> None:
    response = httpx.get(f"{server}/path?{query}", headers=HTML, timeout=30)
    assert 400 <= response.status_code < 500, response.status_code
    assert text in response.text


def test_the_empty_form(server: str) -> None:
    response = httpx.get(f"{server}/path", headers=HTML, timeout=30)
    assert response.status_code == 200 and 'name="from"' in response.text
