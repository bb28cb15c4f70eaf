"""The vendor pages over HTTP: the listing (filters, paging, bad parameters), a vendor's
master agreements, the way there from a contract page, unknown vendors."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from kb.seed import SeedData

HTML = {"accept": "text/html"}


def _get(server: str, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{server}{path}", params=params, headers=HTML, timeout=30)


def _listed(body: str) -> list[str]:
    return re.findall(r'<li><a href="/vendors/([^"]+)">', body)


def test_the_listing_pages_through_every_vendor(server: str, seed_data: SeedData) -> None:
    seen: list[str] = []
    for number in range(1, 20):  # bounded
        response = _get(server, "/vendors", page=str(number))
        assert response.status_code == 200
        seen += _listed(response.text)
        if 'rel="next"' not in response.text:
            break
    assert sorted(seen) == sorted(v.slug for v in seed_data.vendors)
    assert f"{len(seed_data.vendors)} vendors" in _get(server, "/vendors").text


def test_the_listing_filters_by_alliance_and_name(server: str, seed_data: SeedData) -> None:
    alliance_of = {c.slug: c.alliance for c in seed_data.contracts}
    alliance = alliance_of[seed_data.vendors[0].awards[0].contract]
    expected = {
        v.slug
        for v in seed_data.vendors
        if any(alliance_of[a.contract] == alliance for a in v.awards)
    }
    body = _get(server, "/vendors", alliance=alliance).text
    assert set(_listed(body)) == expected
    name = seed_data.vendors[0].name
    assert seed_data.vendors[0].slug in _listed(_get(server, "/vendors", q=name[:6].lower()).text)
    assert "No vendor matches" in _get(server, "/vendors", q="zzzz-no-such-vendor").text


def test_a_vendor_page_shows_its_agreements(server: str, seed_data: SeedData) -> None:
    vendor = max(seed_data.vendors, key=lambda v: len(v.awards))
    response = _get(server, f"/vendors/{vendor.slug}")
    assert response.status_code == 200
    body = response.text
    assert html.unescape(re.findall(r"<h1>(.*?)</h1>", body)[0]) == vendor.name
    linked = set(re.findall(r'<td><a href="/contracts/([^"]+)">', body))
    assert linked == {a.contract for a in vendor.awards}
    for award in vendor.awards:
        if award.number:
            assert f"<td>{html.escape(award.number)}</td>" in body


def test_a_contract_page_links_its_vendors(server: str, seed_data: SeedData) -> None:
    vendor = seed_data.vendors[0]
    body = _get(server, f"/contracts/{vendor.awards[0].contract}").text
    assert f'href="/vendors/{vendor.slug}"' in body
    assert 'href="/vendors"' in body  # the nav


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/vendors/no-such-vendor", {}, 404),
        ("/vendors/" + "x" * 300, {}, 400),
        ("/vendors", {"page": "0"}, 400),
        ("/vendors", {"page": "abc"}, 400),
        ("/vendors", {"page": "9999"}, 400),
        ("/vendors", {"q": "x" * 300}, 400),
    ],
)
def test_bad_addresses_get_a_page_with_the_right_status(
    server: str, path: str, params: dict[str, str], status: int
) -> None:
    response = _get(server, path, **params)
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]
