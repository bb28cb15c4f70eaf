"""``State.couldJoin``: only contracts open to new participants, each with the reason it
is listed and the steps to join, from the graph; and the new contract filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from api_support import Run, execute

from kb.api.schema import Schema
from kb.config import Settings
from kb.domain.joining import PA_SOURCE, SUBDIVISIONS_SOURCE
from kb.graph.db import Graph
from kb.seed import SeedData

QUERY = """query($code: String!, $openTo: EntityType) { state(code: $code) {
  couldJoin(openTo: $openTo) { reason steps { text url }
    contract { slug status endsOn openTo leadState { code }
      participants(first: 100) { nodes { code } } } } } }"""


def _options(run: Run, code: str, open_to: str | None = None) -> list[dict[str, Any]]:
    result = run(QUERY, {"code": code, "openTo": open_to})
    assert not result.errors, result.errors
    return result.data["state"]["couldJoin"]  # type: ignore[index,no-any-return]


def _slugs(options: list[dict[str, Any]]) -> set[str]:
    return {o["contract"]["slug"] for o in options}


def test_a_member_sees_open_contracts_with_reason_and_steps(run: Run) -> None:
    options = _options(run, "UT")
    assert options
    assert "nvp-training-services" not in _slugs(options)  # still SOLICITING
    for option in options:
        contract = option["contract"]
        assert contract["status"] == "ACTIVE"
        assert contract["endsOn"] is None or date.fromisoformat(contract["endsOn"]) >= date.today()
        assert "UT" not in {p["code"] for p in contract["participants"]["nodes"]}
        assert (contract["leadState"] or {}).get("code") != "UT"
        assert option["reason"].startswith("Utah is a member of ")
        assert "Utah has not signed a participating addendum" in option["reason"]
        urls = [step["url"] for step in option["steps"]]
        assert PA_SOURCE in urls and SUBDIVISIONS_SOURCE in urls
        assert "chief procurement official" in option["steps"][0]["text"]
        assert any("Political subdivisions" in step["text"] for step in option["steps"])


def test_a_state_outside_an_alliance_is_not_offered_its_contracts(
    run: Run, seed_data: SeedData
) -> None:
    members = {m.state for m in seed_data.memberships if m.alliance == "mhec" and not m.until}
    assert "UT" not in members and "IA" in members
    mhec = {c.slug for c in seed_data.contracts if c.alliance == "mhec" and c.status == "ACTIVE"}
    assert not mhec & _slugs(_options(run, "UT"))
    joined = {c.slug for c in seed_data.contracts for p in c.participants if p.state == "IA"}
    assert _slugs(_options(run, "IA")) & mhec == mhec - joined


def test_a_territory_member_of_the_parent_alliance_is_told_through_which_arm(run: Run) -> None:
    options = _options(run, "GU")
    cloud = next(o for o in options if o["contract"]["slug"] == "nvp-cloud-solutions")
    assert cloud["reason"].startswith("Guam is a member of ")
    assert "NASPO ValuePoint" in cloud["reason"]


def test_a_participant_is_not_offered_what_it_joined(run: Run, seed_data: SeedData) -> None:
    cloud = next(c for c in seed_data.contracts if c.slug == "nvp-cloud-solutions")
    joined = sorted(p.state for p in cloud.participants)
    assert "nvp-cloud-solutions" not in _slugs(_options(run, joined[0]))
    assert "nvp-cloud-solutions" in _slugs(_options(run, "GU"))  # not a participant


def test_open_to_keeps_contracts_whose_terms_list_the_entity_type(
    run: Run, seed_data: SeedData
) -> None:
    cloud = next(c for c in seed_data.contracts if c.slug == "nvp-cloud-solutions")
    assert cloud.terms is not None
    listed = set(cloud.terms.open_to)
    for entity in ("POLITICAL_SUBDIVISIONS", "K12", "FEDERAL"):
        found = _options(run, "GU", entity)
        assert ("nvp-cloud-solutions" in _slugs(found)) == (entity in listed), entity
        assert all(entity in (o["contract"]["openTo"] or []) for o in found)


def test_an_expired_contract_is_not_offered(
    schema: Schema, seeded_graph: Graph, settings: Settings
) -> None:
    def slugs() -> set[str]:
        result = execute(schema, seeded_graph, settings, QUERY, {"code": "GU"})
        return _slugs(result.data["state"]["couldJoin"])  # type: ignore[index]

    assert "nvp-cloud-solutions" in slugs()
    match = "MATCH (n:Contract {slug: 'nvp-cloud-solutions'}) "
    (before,) = seeded_graph.read(match + "RETURN n.endsOn AS ends")
    seeded_graph.write(match + "SET n.endsOn = date() - duration('P1D')")
    try:
        assert "nvp-cloud-solutions" not in slugs()
        assert "wsca-computer-equipment" not in slugs()  # EXPIRED
    finally:  # the graph is shared with the read-only tests, which do not see this write
        seeded_graph.write(match + "SET n.endsOn = $ends", ends=before["ends"])


def test_contracts_filter_by_vendor_and_end(run: Run, seed_data: SeedData) -> None:
    vendor = seed_data.vendors[0]
    result = run(
        """query($v: String!) { contracts(where: {vendor: $v}, first: 100) { nodes { slug } }
           ended: contracts(where: {endsBefore: "2027-01-01"}, first: 100) {
             nodes { slug endsOn } } }""",
        {"v": vendor.slug},
    )
    assert not result.errors, result.errors
    data = result.data or {}
    assert {n["slug"] for n in data["contracts"]["nodes"]} == {a.contract for a in vendor.awards}
    ends = {n["slug"]: n["endsOn"] for n in data["ended"]["nodes"]}
    expected = {
        c.slug
        for c in seed_data.contracts
        if c.effective_ends_on and c.effective_ends_on < date(2027, 1, 1)
    }
    assert set(ends) == expected and expected


def test_participants_carry_the_addendum(run: Run, seed_data: SeedData) -> None:
    cloud = next(c for c in seed_data.contracts if c.slug == "nvp-cloud-solutions")
    signed = [p for p in cloud.participants if p.scope or p.signed]
    assert signed
    result = run(
        '{ contract(slug: "nvp-cloud-solutions") { solicitation renewal portfolioUrl termsSource '
        "participants(first: 100) { edges { signed scope source node { code } } } } }"
    )
    assert not result.errors, result.errors
    contract = result.data["contract"]  # type: ignore[index]
    assert cloud.terms is not None
    assert contract["portfolioUrl"] == cloud.terms.portfolio_url
    assert contract["termsSource"] == cloud.terms.provenance.source
    edges = {e["node"]["code"]: e for e in contract["participants"]["edges"]}
    for p in signed:
        assert edges[p.state]["scope"] == p.scope
        assert edges[p.state]["source"] == (p.addendum_source or p.provenance.source)
