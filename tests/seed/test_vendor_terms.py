"""``vendors.yaml`` and ``contract_terms.yaml``: read into the records, and every bad
field named with file, line, record and field; a bad file writes nothing. Needs no Neo4j."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.seed import SeedValidationError, read_seed

SEED = Path(__file__).resolve().parents[2] / "seed"
CONTRACT = "nvp-cloud-solutions"
SOURCE = "https://www.naspovaluepoint.org/faq/"


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED, target)
    return target


def _participants(directory: Path) -> tuple[str, str]:
    """One participant of CONTRACT and one state that is not, from the seed itself."""
    contract = next(c for c in read_seed(directory).contracts if c.slug == CONTRACT)
    joined = sorted(p.state for p in contract.participants)
    outside = next(code for code in ("GU", "VI", "AS", "MP", "PR") if code not in joined)
    return joined[0], outside


def _write(directory: Path, vendors: str, terms: str) -> None:
    (directory / "vendors.yaml").write_text(vendors)
    (directory / "contract_terms.yaml").write_text(terms)


GOOD_VENDORS = f"""\
- slug: acme-cloud
  name: Acme Cloud
  website: https://acme.example.org
  source: {SOURCE}
  awards:
    - contract: {CONTRACT}
      number: AR9001
      starts_on: 2016-09-15
      ends_on: 2026-09-15
"""


def _good_terms(state: str) -> str:
    return f"""\
{CONTRACT}:
  solicitation: CH16012
  renewal: Up to ten years in all
  admin_fee: "0.25%"
  portfolio_url: https://www.naspovaluepoint.org/portfolio/
  lead_state_url: https://purchasing.utah.gov/
  open_to: [STATE_AGENCIES, K12]
  source: {SOURCE}
  addenda:
    - {{state: {state}, signed: 2017-01-05, scope: AGENCIES, source: {SOURCE}}}
"""


def test_vendors_and_terms_are_read_into_the_records(seed_copy: Path) -> None:
    inside, _ = _participants(seed_copy)
    _write(seed_copy, GOOD_VENDORS, _good_terms(inside))
    data = read_seed(seed_copy)
    (vendor,) = data.vendors
    assert (vendor.slug, vendor.website) == ("acme-cloud", "https://acme.example.org")
    (award,) = vendor.awards
    assert (award.contract, award.number, str(award.ends_on)) == (CONTRACT, "AR9001", "2026-09-15")
    contract = next(c for c in data.contracts if c.slug == CONTRACT)
    assert contract.terms is not None
    assert contract.terms.open_to == ("STATE_AGENCIES", "K12")
    assert contract.terms.admin_fee == "0.25%"
    addendum = next(p for p in contract.participants if p.state == inside)
    assert (str(addendum.signed), addendum.scope) == ("2017-01-05", "AGENCIES")


def test_the_files_are_optional(seed_copy: Path) -> None:
    (seed_copy / "vendors.yaml").unlink()
    (seed_copy / "contract_terms.yaml").unlink()
    data = read_seed(seed_copy)
    assert data.vendors == []
    assert all(c.terms is None for c in data.contracts)


def _errors(directory: Path) -> str:
    with pytest.raises(SeedValidationError) as caught:
        read_seed(directory)
    return str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (f"contract: {CONTRACT}", "contract: no-such-contract",
         ["vendors.yaml:1", "award 1", "field 'contract'",
          "'no-such-contract' is not a known contract slug"]),
        ("ends_on: 2026-09-15", "ends_on: 2015-01-01",
         ["vendors.yaml:1", "field 'ends_on'", "2015-01-01 is before starts_on (2016-09-15)"]),
        ("starts_on: 2016-09-15", "starts_on: 2016-13-45",
         ["field 'starts_on'", "'2016-13-45' is not a date"]),
        ("website: https://acme.example.org", "website: acme dot org",
         ["field 'website'", "'acme dot org' is not a web address"]),
        ("  source: " + SOURCE, "  source: the founding brief",
         ["record 'acme-cloud'", "field 'source'", "is not a web address"]),
        ("  name: Acme Cloud", "  name: Acme Cloud\n  colour: blue",
         ["field 'colour'", "is not a known field"]),
    ],
    ids=["unknown contract", "end before start", "bad date", "bad website", "bad source",
         "unknown key"],
)  # fmt: skip
def test_a_bad_vendor_is_named(seed_copy: Path, old: str, new: str, expected: list[str]) -> None:
    inside, _ = _participants(seed_copy)
    assert old in GOOD_VENDORS
    _write(seed_copy, GOOD_VENDORS.replace(old, new, 1), _good_terms(inside))
    message = _errors(seed_copy)
    for part in expected:
        assert part in message, f"{part!r} missing from:\n{message}"


def test_a_master_agreement_number_used_twice_is_named(seed_copy: Path) -> None:
    inside, _ = _participants(seed_copy)
    twice = GOOD_VENDORS + GOOD_VENDORS.replace("acme-cloud", "other-cloud").replace(
        "Acme Cloud", "Other Cloud"
    )
    _write(seed_copy, twice, _good_terms(inside))
    message = _errors(seed_copy)
    assert "record 'other-cloud' award 1, field 'number'" in message
    assert "'AR9001' is already the master agreement of vendor 'acme-cloud'" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (f"{CONTRACT}:", "no-such-contract:",
         ["contract_terms.yaml:2", "record 'no-such-contract'", "is not a known contract slug"]),
        ("scope: AGENCIES", "scope: EVERYONE",
         ["addendum 1", "field 'scope'", "'EVERYONE' is not accepted; expected one of AGENCIES"]),
        ("open_to: [STATE_AGENCIES, K12]", "open_to: [STATE_AGENCIES, CITIES]",
         ["field 'open_to'", "'CITIES' is not accepted"]),
        ("signed: 2017-01-05", "signed: soon", ["field 'signed'", "'soon' is not a date"]),
        ("lead_state_url: https://purchasing.utah.gov/", "lead_state_url: purchasing.utah.gov",
         ["field 'lead_state_url'", "is not a web address"]),
        ("  renewal:", "  renewals:", ["field 'renewals'", "is not a known field"]),
        (f"  source: {SOURCE}\n", "", ["field 'source'", "is missing"]),
    ],
    ids=["unknown contract", "bad scope", "bad entity type", "bad date", "bad url",
         "unknown key", "no source"],
)  # fmt: skip
def test_bad_terms_are_named(seed_copy: Path, old: str, new: str, expected: list[str]) -> None:
    inside, _ = _participants(seed_copy)
    terms = _good_terms(inside)
    assert old in terms
    _write(seed_copy, GOOD_VENDORS, terms.replace(old, new, 1))
    message = _errors(seed_copy)
    for part in expected:
        assert part in message, f"{part!r} missing from:\n{message}"


def test_an_addendum_for_a_state_that_is_not_a_participant_is_named(seed_copy: Path) -> None:
    _, outside = _participants(seed_copy)
    _write(seed_copy, GOOD_VENDORS, _good_terms(outside))
    message = _errors(seed_copy)
    assert f"'{outside}' is not a participant of '{CONTRACT}'" in message
    _write(seed_copy, GOOD_VENDORS, _good_terms("XX"))
    assert "'XX' is not a known state code" in _errors(seed_copy)
