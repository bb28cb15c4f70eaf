"""The contract page in a real browser: vendors with their master agreements, terms,
the lead state, the portfolio link and the states that signed an addendum; the state
page's "could join" with its reason and steps."""

from __future__ import annotations

from typing import Any

from kb.seed import SeedData
from tests.web.conftest import shot


def test_contract_page_shows_vendors_terms_and_addenda(
    server: str, page: Any, seed_data: SeedData
) -> None:
    contract = next(c for c in seed_data.contracts if c.slug == "nvp-cloud-solutions")
    vendors = [v for v in seed_data.vendors if any(a.contract == contract.slug for a in v.awards)]
    assert vendors and contract.terms is not None
    page.goto(f"{server}/contracts/{contract.slug}")
    page.wait_for_selector("#vendors")
    listed = page.locator("#vendor-list li")
    assert listed.count() == len(vendors)
    text = page.inner_text("#vendor-list")
    for vendor in vendors:
        assert vendor.name in text
        for award in vendor.awards:
            if award.contract == contract.slug and award.number:
                assert award.number in text
    if contract.terms.renewal:
        assert page.inner_text("#renewal") == contract.terms.renewal
    if contract.terms.portfolio_url:
        assert page.get_attribute("#portfolio", "href") == contract.terms.portfolio_url
    assert page.locator("#addenda li").count() == len(contract.participants)
    scoped = [p for p in contract.participants if p.scope]
    for p in scoped:
        item = page.locator(f"#addenda li:has(a[href='/states/{p.state}'])")
        assert (p.scope or "").replace("_", " ").lower() in item.inner_text()
    unsourced = [p for p in contract.participants if not (p.provenance.source or p.addendum_source)]
    assert page.locator("#addenda li:has-text('illustrative')").count() == len(unsourced)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    shot(page, "08-contract-vendors")


def test_state_page_says_why_and_how_to_join(server: str, page: Any) -> None:
    page.goto(f"{server}/states/GU")
    page.wait_for_selector("#eligible")
    first = page.locator("#eligible-contracts > li").first
    assert first.locator("p.reason").inner_text().startswith("Guam is a member of ")
    steps = first.locator("ol.steps > li")
    assert steps.count() == 4
    assert "chief procurement official" in steps.nth(0).inner_text()
    assert "Political subdivisions" in steps.nth(3).inner_text()
    assert first.locator("ol.steps a[href^='https://']").count() >= 2
    soliciting = page.locator("#eligible-contracts a[href='/contracts/nvp-training-services']")
    assert soliciting.count() == 0  # still soliciting


def test_contract_and_state_pages_over_http(server: str, seed_data: SeedData) -> None:
    """The same facts without a browser (the pages are server-rendered)."""
    import html

    import httpx

    headers = {"accept": "text/html"}
    contract = next(c for c in seed_data.contracts if c.slug == "nvp-cloud-solutions")
    text = html.unescape(
        httpx.get(f"{server}/contracts/{contract.slug}", headers=headers, timeout=30).text
    )
    for vendor in seed_data.vendors:
        for award in vendor.awards:
            if award.contract == contract.slug:
                assert vendor.name in text
                assert f"master agreement {award.number or 'number not stated'}" in text
    assert contract.terms is not None and contract.terms.renewal
    assert " ".join(contract.terms.renewal.split()) in " ".join(text.split())
    assert "States that signed a participating addendum" in text
    state = html.unescape(httpx.get(f"{server}/states/GU", headers=headers, timeout=30).text)
    assert "Guam is a member of " in state
    assert "chief procurement official" in state
    could_join = state.split('id="eligible"')[1].split("</section>")[0]
    assert "/contracts/nvp-cloud-solutions" in could_join
    assert "/contracts/nvp-training-services" not in could_join  # still soliciting
