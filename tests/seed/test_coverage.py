"""Coverage of the real seed (issue 3), provenance, and the rules on broken data."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kb.config import PROJECT_ROOT
from kb.domain.records import Provenance
from kb.seed import SeedData, SeedValidationError, read_seed
from kb.seed.coverage import JURISDICTIONS, prerequisite_chains, provenances, seed_coverage

SEED_DIR = PROJECT_ROOT / "seed"
NEITHER = Provenance(source=None, illustrative=False)


def _copy(data: SeedData, **changes: Any) -> SeedData:
    return replace(data, **changes)


def _failures(data: SeedData) -> list[str]:
    return [str(failure) for failure in seed_coverage(data).failures]


# -- the real seed ------------------------------------------------------------------


def test_real_seed_meets_every_coverage_rule(seed_data: SeedData) -> None:
    coverage = seed_coverage(seed_data)
    assert [str(f) for f in coverage.failures] == []
    kinds = [row.kind for row in coverage.rows]
    assert kinds.count("jurisdiction") == JURISDICTIONS == len(seed_data.states)
    assert kinds.count("alliance") == len(seed_data.alliances)
    assert kinds.count("contract") == len(seed_data.contracts)
    assert kinds.count("category") == len(seed_data.categories)


def test_real_seed_has_the_size_issue_3_asks_for(seed_data: SeedData) -> None:
    assert len(seed_data.practices) >= 40
    assert len(seed_data.lessons) >= 150


def test_real_seed_prerequisites_form_training_chains(seed_data: SeedData) -> None:
    chains = prerequisite_chains(seed_data)
    assert chains, "no PREREQUISITE_OF chain at all"
    assert all(2 <= len(chain) <= 4 for chain in chains), chains
    assert any(p.related for p in seed_data.practices)


def test_coverage_counts_each_reference_once_per_record(seed_data: SeedData) -> None:
    rows = {(row.kind, row.key): row for row in seed_coverage(seed_data).rows}
    ut_lessons = sum(x.state == "UT" for x in seed_data.lessons)
    ut_practices = sum("UT" in p.states for p in seed_data.practices)
    assert (rows[("jurisdiction", "UT")].lessons, rows[("jurisdiction", "UT")].practices) == (
        ut_lessons,
        ut_practices,
    )
    nvp = rows[("alliance", "naspo-valuepoint")]
    assert nvp.lessons == sum("naspo-valuepoint" in x.alliances for x in seed_data.lessons)


# -- provenance -----------------------------------------------------------------------


def test_no_record_of_any_kind_has_neither_source_nor_illustrative(seed_data: SeedData) -> None:
    records = list(provenances(seed_data))
    participations = sum(len(c.participants) for c in seed_data.contracts)
    expected = (
        len(seed_data.states)
        + len(seed_data.alliances)
        + len(seed_data.memberships)
        + len(seed_data.categories)
        + len(seed_data.contracts)
        + participations
        + len(seed_data.practices)
        + len(seed_data.lessons)
    )
    assert len(records) == expected
    assert participations > 0 and seed_data.memberships
    assert [who for who, p in records if not p.source and not p.illustrative] == []


def test_coverage_names_a_participation_without_provenance(seed_data: SeedData) -> None:
    contract = next(c for c in seed_data.contracts if c.participants)
    bare = replace(contract.participants[0], provenance=NEITHER)
    broken = replace(contract, participants=(bare, *contract.participants[1:]))
    data = _copy(seed_data, contracts=[broken if c is contract else c for c in seed_data.contracts])
    assert _failures(data) == [
        f"participation of {bare.state!r} in contract {contract.slug!r}: has neither a "
        "source nor illustrative: true (rule: provenance)"
    ]


def test_coverage_names_a_membership_without_provenance(seed_data: SeedData) -> None:
    first = seed_data.memberships[0]
    data = _copy(
        seed_data, memberships=[replace(first, provenance=NEITHER), *seed_data.memberships[1:]]
    )
    assert _failures(data) == [
        f"membership {first.alliance!r}/{first.state!r}: has neither a source nor "
        "illustrative: true (rule: provenance)"
    ]


def _seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def test_seed_files_reject_a_membership_with_neither(tmp_path: Path, seed_data: SeedData) -> None:
    directory = _seed_copy(tmp_path)
    taken = {(m.alliance, m.state) for m in seed_data.memberships}
    state = next(s.code for s in seed_data.states if ("sourcewell", s.code) not in taken)
    path = directory / "memberships.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, f"sourcewell,{state},,,,"]) + "\n")
    with pytest.raises(SeedValidationError) as caught:
        read_seed(directory)
    assert [str(e) for e in caught.value.errors] == [
        f"seed/memberships.csv:{len(lines) + 1}: record 'sourcewell'/{state!r}, field "
        "'source': is missing; give a source or mark the record illustrative: true"
    ]


def test_seed_files_reject_a_participant_mapping_with_neither(tmp_path: Path) -> None:
    directory = _seed_copy(tmp_path)
    path = directory / "contracts.yaml"
    text = path.read_text().rstrip("\n")
    start = len(text.splitlines()) + 1
    path.write_text(
        text + "\n- slug: test-provenance\n  title: Provenance test\n  alliance: naspo\n"
        "  status: ACTIVE\n  categories: ['920']\n  description: A test record.\n"
        "  illustrative: true\n  participants:\n    - {state: WA}\n"
    )
    with pytest.raises(SeedValidationError) as caught:
        read_seed(directory)
    assert [str(e) for e in caught.value.errors] == [
        f"seed/contracts.yaml:{start}: record 'test-provenance' participant 1, field "
        "'source': is missing; give a source or mark the record illustrative: true"
    ]


# -- each rule, broken ------------------------------------------------------------


def test_a_contract_without_lessons_is_named(seed_data: SeedData) -> None:
    contract = seed_data.contracts[0]
    lessons = [
        replace(x, contracts=()) if contract.slug in x.contracts else x for x in seed_data.lessons
    ]
    failures = _failures(_copy(seed_data, lessons=lessons))
    assert failures == [
        f"contract {contract.slug!r} ({contract.title}): has no lesson "
        "(rule: contract has a lesson)"
    ]


def test_an_alliance_without_lessons_is_named(seed_data: SeedData) -> None:
    lessons = [x for x in seed_data.lessons if "wsca" not in x.alliances]
    failures = _failures(_copy(seed_data, lessons=lessons))
    assert (
        "alliance 'wsca' (Western States Contracting Alliance): has no lesson "
        "(rule: alliance has a lesson)"
    ) in failures


def test_a_category_without_practices_is_named(seed_data: SeedData) -> None:
    practices = [
        replace(p, categories=tuple(c for c in p.categories if c != "266"))
        for p in seed_data.practices
    ]
    failures = _failures(_copy(seed_data, practices=practices))
    assert failures == [
        "category '266' (Drugs and pharmaceuticals): has no practice "
        "(rule: category has a practice)"
    ]


def test_a_jurisdiction_in_no_lesson_or_practice_is_named(seed_data: SeedData) -> None:
    practices = [
        replace(p, states=tuple(s for s in p.states if s != "GU")) for p in seed_data.practices
    ]
    lessons = [x for x in seed_data.lessons if x.state != "GU"]
    failures = _failures(_copy(seed_data, practices=practices, lessons=lessons))
    assert "jurisdiction 'GU' (Guam): appears in no lesson or practice" in failures[0]


def test_missing_jurisdictions_are_reported(seed_data: SeedData) -> None:
    failures = _failures(_copy(seed_data, states=seed_data.states[:-1]))
    assert failures[0] == ("states.csv: lists 55 jurisdictions; expected 56 (rule: jurisdictions)")


def _with_prerequisites(data: SeedData, links: dict[str, tuple[str, ...]]) -> SeedData:
    practices = [
        replace(p, prerequisites=links.get(p.slug, p.prerequisites)) for p in data.practices
    ]
    return _copy(data, practices=practices)


def test_a_prerequisite_chain_longer_than_four_is_named(seed_data: SeedData) -> None:
    # needs -> market research -> choosing -> running an RFP; one more makes five.
    data = _with_prerequisites(
        seed_data, {"writing-an-invitation-for-bids": ("running-a-request-for-proposals",)}
    )
    failures = _failures(data)
    assert failures == [
        "practice 'writing-an-invitation-for-bids': ends a prerequisite chain of 5 "
        "practices (needs-assessment-and-requirements-definition -> "
        "market-research-before-solicitation -> choosing-a-solicitation-method -> "
        "running-a-request-for-proposals -> writing-an-invitation-for-bids); expected 2 to 4 "
        "(rule: prerequisite chains)"
    ]


def test_a_prerequisite_cycle_is_named(seed_data: SeedData) -> None:
    data = _with_prerequisites(
        seed_data, {"spend-analysis-and-category-planning": ("strategic-procurement-planning",)}
    )
    failures = _failures(data)
    assert (
        "practice 'spend-analysis-and-category-planning': prerequisites form a cycle: "
        "spend-analysis-and-category-planning -> strategic-procurement-planning -> "
        "spend-analysis-and-category-planning (rule: prerequisites without cycles)"
    ) in failures


def test_a_practice_linked_to_no_other_is_named(seed_data: SeedData) -> None:
    lone = seed_data.practices[0]
    others = [
        replace(
            p,
            related=tuple(s for s in p.related if s != lone.slug),
            prerequisites=tuple(s for s in p.prerequisites if s != lone.slug),
        )
        for p in seed_data.practices[1:]
    ]
    data = _copy(seed_data, practices=[replace(lone, related=(), prerequisites=()), *others])
    assert (
        f"practice {lone.slug!r}: is linked to no other practice (neither related nor a "
        "prerequisite) (rule: practices linked)"
    ) in _failures(data)


def test_a_shared_title_is_named(seed_data: SeedData) -> None:
    first, second = seed_data.lessons[0], seed_data.lessons[1]
    copied = replace(second, title=f"  {first.title.upper()} ")
    data = _copy(seed_data, lessons=[first, copied, *seed_data.lessons[2:]])
    assert _failures(data) == [
        f"lesson {second.id!r}: title {copied.title!r} is also the title of lesson "
        f"{first.id!r} (rule: unique titles)"
    ]
