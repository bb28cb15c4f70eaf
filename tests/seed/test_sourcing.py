"""Issue 15: at least 25 contracts are fully sourced, meaning a reader can open a source
for the contract (and its lead state), for at least one awarded vendor, and for its term
(an end date, or renewal terms given with a source)."""

from __future__ import annotations

from kb.domain.records import SeedData
from kb.seed.coverage import fully_sourced

GOAL = 25


def test_at_least_25_contracts_have_vendors_term_and_lead_state_from_sources(
    seed_data: SeedData,
) -> None:
    sourced = fully_sourced(seed_data)
    assert len(sourced) >= GOAL, f"only {len(sourced)} fully sourced: {sourced}"


def test_an_illustrative_contract_is_never_counted_as_fully_sourced(seed_data: SeedData) -> None:
    illustrative = {c.slug for c in seed_data.contracts if c.provenance.illustrative}
    assert illustrative and not illustrative & set(fully_sourced(seed_data))
