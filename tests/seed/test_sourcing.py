"""Issue 15: at least 25 contracts are fully sourced, meaning a reader can open a source
for the contract (and its lead state), for at least one awarded vendor, and for its term
(an end date, or renewal terms given with a source)."""

from __future__ import annotations

from kb.domain.records import Contract, SeedData

GOAL = 25


def _sourced_vendor(contract: Contract, data: SeedData) -> bool:
    return any(
        award.contract == contract.slug and bool(award.source or vendor.provenance.source)
        for vendor in data.vendors
        for award in vendor.awards
    )


def _sourced_term(contract: Contract) -> bool:
    terms = contract.terms
    if contract.ends_on is not None and contract.provenance.source:
        return True
    return bool(terms and terms.provenance.source and (terms.ends_on or terms.renewal))


def fully_sourced(data: SeedData) -> list[str]:
    """The slugs of the contracts whose vendors, term and lead state rest on sources."""
    return [
        c.slug
        for c in data.contracts
        if c.provenance.source
        and not c.provenance.illustrative
        and c.lead_state
        and _sourced_vendor(c, data)
        and _sourced_term(c)
    ]


def test_at_least_25_contracts_have_vendors_term_and_lead_state_from_sources(
    seed_data: SeedData,
) -> None:
    sourced = fully_sourced(seed_data)
    assert len(sourced) >= GOAL, f"only {len(sourced)} fully sourced: {sourced}"


def test_an_illustrative_contract_is_never_counted_as_fully_sourced(seed_data: SeedData) -> None:
    illustrative = {c.slug for c in seed_data.contracts if c.provenance.illustrative}
    assert illustrative and not illustrative & set(fully_sourced(seed_data))
