"""/states, /alliances, /categories and /practices filter by the facets they show, sort
and page through shareable URLs; each answer is computed here from the seed."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from kb.seed import SeedData

HTML = {"accept": "text/html"}


def _get(server: str, path: str) -> httpx.Response:
    response = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert response.status_code == 200, (path, response.text[-600:])
    return response


def _links(text: str, section: str) -> list[str]:
    main = text.split("<main", 1)[1].split("</main>", 1)[0]
    form_end = main.find("</form>")
    return re.findall(rf'<a href="/{section}/([^"/]+)"', main[form_end:])


def test_states_filtered_by_kind_and_region(server: str, seed_data: SeedData) -> None:
    expected = sorted(
        (s for s in seed_data.states if s.kind == "STATE" and s.region == "West"),
        key=lambda s: s.name,
    )
    assert 0 < len(expected) < len(seed_data.states)
    response = _get(server, "/states?kind=STATE&region=West")
    codes = re.findall(r"<tr><td>([A-Z]{2})</td>", response.text)
    assert codes == [s.code for s in expected]
    assert f"of {len(expected)} jurisdictions" in response.text
    assert '<option value="West" selected>' in response.text


def test_states_filtered_by_alliance_are_its_current_members(
    server: str, seed_data: SeedData
) -> None:
    today = date.today()
    expected = {
        m.state
        for m in seed_data.memberships
        if m.alliance == "naspo-valuepoint" and (m.until is None or m.until >= today)
    }
    response = _get(server, "/states?alliance=naspo-valuepoint&sort=code")
    codes = re.findall(r"<tr><td>([A-Z]{2})</td>", response.text)
    assert codes == sorted(expected)


def test_alliances_filtered_by_scope_and_member(server: str, seed_data: SeedData) -> None:
    national = sorted(
        (a for a in seed_data.alliances if a.scope == "NATIONAL"), key=lambda a: a.name
    )
    assert 0 < len(national) < len(seed_data.alliances)
    response = _get(server, "/alliances?scope=NATIONAL")
    assert _links(response.text, "alliances") == [a.slug for a in national]
    today = date.today()
    of_utah = {
        m.alliance
        for m in seed_data.memberships
        if m.state == "UT" and (m.until is None or m.until >= today)
    }
    response = _get(server, "/alliances?member=UT")
    assert set(_links(response.text, "alliances")) == of_utah


def test_alliances_sorted_oldest_first(server: str, seed_data: SeedData) -> None:
    response = _get(server, "/alliances?sort=founded")
    founded = {a.slug: a.founded for a in seed_data.alliances}
    years = [founded[slug] for slug in _links(response.text, "alliances")]
    known = [year for year in years if year is not None]
    assert len(years) == len(seed_data.alliances) and known == sorted(known)


def test_categories_filtered_by_group(server: str, seed_data: SeedData) -> None:
    expected = sorted(c.code for c in seed_data.categories if c.parent == "IT")
    assert expected
    response = _get(server, "/categories?group=IT")
    shown = [code for code in _links(response.text, "categories") if code != "IT"]
    assert shown == expected
    groups = _get(server, "/categories?kind=GROUP")
    assert set(_links(groups.text, "categories")) == {
        c.code for c in seed_data.categories if c.kind == "GROUP"
    }


def test_practices_filtered_by_focus_area_and_state(server: str, seed_data: SeedData) -> None:
    def focus(name: str | None) -> str:
        return (name or "").upper().replace(" ", "_")

    expected = sorted(
        (p for p in seed_data.practices if focus(p.focus_area) == "SOURCING_AND_SOLICITATION"),
        key=lambda p: p.title,
    )
    assert 0 < len(expected) < len(seed_data.practices)
    response = _get(server, "/practices?focus=SOURCING_AND_SOLICITATION")
    assert _links(response.text, "practices") == [p.slug for p in expected]
    by_utah = {p.slug for p in seed_data.practices if "UT" in p.states}
    assert by_utah
    assert set(_links(_get(server, "/practices?state=UT").text, "practices")) == by_utah


def test_practices_page_two_keeps_the_order(server: str, seed_data: SeedData) -> None:
    newest = sorted(seed_data.practices, key=lambda p: p.published_on or date.min, reverse=True)
    first = _get(server, "/practices?sort=newest")
    assert 'rel="next" href="/practices?sort=newest&amp;page=2"' in first.text
    second = _get(server, "/practices?sort=newest&page=2")
    slugs = _links(first.text, "practices") + _links(second.text, "practices")
    assert len(slugs) == len(set(slugs)) == min(50, len(newest))
    dates = {p.slug: p.published_on for p in seed_data.practices}
    shown = [d for s in slugs if (d := dates[s]) is not None]
    assert shown == sorted(shown, reverse=True)


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/states?kind=COUNTY", 400, "kind: &#39;COUNTY&#39; is not accepted; expected one of"),
        ("/states?region=Pacific", 400, "region: &#39;Pacific&#39; is not accepted"),
        ("/states?sort=size", 400, "sort: &#39;size&#39; is not accepted"),
        ("/alliances?member=ZZ", 400, "member: &#39;ZZ&#39; is not accepted"),
        ("/categories?group=920", 400, "group: &#39;920&#39; is not accepted"),
        ("/practices?focus=Gardening", 400, "focus: &#39;Gardening&#39; is not accepted"),
        ("/practices?page=-1", 400, "is not a page number"),
        ("/practices?page=40", 404, "past the last page"),
    ],
)
def test_bad_facet_values_get_a_page_naming_what_is_accepted(
    server: str, path: str, status: int, text: str
) -> None:
    response = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert response.status_code == status, response.text[:300]
    assert text in response.text
