"""Curriculum queries: one curriculum, the list, certifications, warnings, order, coverage."""

from __future__ import annotations

from typing import Any

from curricula_support import Result

from kb.api.curricula_types import curriculum_global_id

CURRICULUM = """query($id: ID!) { curriculum(id: $id) {
  id key title audience level description illustrative itemCount
  certifications { code kind framework domains { key } }
  modules { key position title objectives
            items { kind key title module position index
                    node { key ... on Practice { summary } } } }
  warnings { kind message item prerequisite }
  suggestedOrder { key }
} }"""


def test_curriculum_by_key_has_modules_objectives_and_ordered_items(gql: Any) -> None:
    result: Result = gql(CURRICULUM, {"id": "new-buyer-onboarding"}, viewer=None)
    assert result.errors == [] and result.data is not None
    c = result.data["curriculum"]
    assert c["id"] == curriculum_global_id("new-buyer-onboarding")
    assert c["title"] == "New buyer onboarding"
    assert c["level"] == "INTRODUCTORY"
    assert c["illustrative"] is True
    assert [m["key"] for m in c["modules"]] == [
        "know-the-rules",
        "plan-the-purchase",
        "buy-it",
        "after-award",
    ]
    first = c["modules"][0]
    assert first["position"] == 1
    assert first["objectives"][0].startswith("Find the answer")
    assert [(i["kind"], i["key"], i["position"]) for i in first["items"][:2]] == [
        ("PRACTICE", "procurement-policy-manual", 1),
        ("LESSON", "L-0005", 2),
    ]
    assert first["items"][0]["node"]["summary"]
    assert c["itemCount"] == sum(len(m["items"]) for m in c["modules"]) == 23
    assert c["certifications"][0]["code"] == "CPPB"
    assert len(c["certifications"][0]["domains"]) == 5


def test_curriculum_by_global_id_and_unknown_key(gql: Any) -> None:
    found = gql(CURRICULUM, {"id": curriculum_global_id("exam-prep-sourcing-and-solicitation")})
    assert found.data["curriculum"]["key"] == "exam-prep-sourcing-and-solicitation"
    assert gql(CURRICULUM, {"id": "no-such-curriculum"}).data == {"curriculum": None}
    bad = gql(CURRICULUM, {"id": "Not A Key!"})
    assert bad.codes == ["BAD_USER_INPUT"] and "'Not A Key!'" in bad.errors[0]["message"]


def test_seeded_curricula_respect_prerequisites(gql: Any) -> None:
    for key in (
        "new-buyer-onboarding",
        "cooperative-contracts-for-local-governments",
        "exam-prep-sourcing-and-solicitation",
    ):
        c = gql(CURRICULUM, {"id": key}).data["curriculum"]
        assert [w for w in c["warnings"] if w["kind"] == "PREREQUISITE_LATER"] == [], key
        flat = [i["key"] for m in c["modules"] for i in m["items"]]
        assert [i["key"] for i in c["suggestedOrder"]] == flat


def test_curricula_list_pages_and_filters(gql: Any) -> None:
    query = """query($first: Int, $after: String, $where: CurriculumWhere) {
      curricula(first: $first, after: $after, where: $where) {
        totalCount pageInfo { hasNextPage endCursor } nodes { key title } } }"""
    page = gql(query, {"first": 2}).data["curricula"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    assert [n["title"] for n in page["nodes"]] == [
        "Cooperative contracts for local governments",
        "Exam preparation: sourcing and solicitation",
    ]
    rest = gql(query, {"first": 2, "after": page["pageInfo"]["endCursor"]}).data["curricula"]
    assert [n["key"] for n in rest["nodes"]] == ["new-buyer-onboarding"]
    cppo = gql(query, {"where": {"certification": "CPPO"}}).data["curricula"]
    assert [n["key"] for n in cppo["nodes"]] == ["exam-prep-sourcing-and-solicitation"]
    advanced = gql(query, {"where": {"level": "INTRODUCTORY"}}).data["curricula"]
    assert [n["key"] for n in advanced["nodes"]] == ["new-buyer-onboarding"]
    assert gql(query, {"first": 101}).codes == ["BAD_USER_INPUT"]


def test_certifications_have_domains_and_teaching_practices(gql: Any) -> None:
    result = gql("""{ certifications { code kind name body since source illustrative framework
                        domains { key name frameworkName practices { slug } } }
                      certification(code: "cppo") { name since } }""")
    assert result.errors == []
    by_code = {c["code"]: c for c in result.data["certifications"]}
    assert set(by_code) == {"UPPCC-BOK", "CPPB", "CPPO", "NIGP-GBP"}
    assert by_code["CPPB"]["since"] == 1991 and by_code["CPPB"]["framework"] == "UPPCC-BOK"
    assert all(c["source"] for c in by_code.values())
    nigp = [d["name"] for d in by_code["NIGP-GBP"]["domains"]]
    assert nigp == [
        "Strategy",
        "Policy and Legislation",
        "Planning and Analysis",
        "Sourcing and Solicitation",
        "Contract Administration",
        "Leadership",
        "Business Principles",
    ]
    legal = by_code["CPPB"]["domains"][0]
    assert legal["name"] == "Legal Framework"
    assert {"slug": "handling-bid-protests"} in legal["practices"]
    assert result.data["certification"] == {
        "name": "Certified Public Procurement Officer",
        "since": 1964,
    }


COVERAGE = """query($id: ID!) { curriculum(id: $id) { coverage { gaps
  domains { key name group covered coveredBy suggestions { slug } }
  categories { key covered coveredBy suggestions { slug } }
  alliances { key covered suggestions { slug } } } } }"""


def test_coverage_names_covered_and_missed_domains_with_practices_to_fill_gaps(gql: Any) -> None:
    coverage = gql(COVERAGE, {"id": "exam-prep-sourcing-and-solicitation"}).data["curriculum"][
        "coverage"
    ]
    domains = {d["key"]: d for d in coverage["domains"]}
    # It targets CPPB and CPPO, which share the UPPCC domains: only those are measured.
    assert set(domains) == {
        "uppcc-legal-framework",
        "uppcc-procurement-planning-and-analysis",
        "uppcc-sourcing-and-solicitation",
        "uppcc-contract-development-and-management",
        "uppcc-business-principles",
    }
    sourcing = domains["uppcc-sourcing-and-solicitation"]
    assert sourcing["covered"] and "running-a-request-for-proposals" in sourcing["coveredBy"]
    assert sourcing["suggestions"] == []
    assert domains["uppcc-legal-framework"]["coveredBy"] == ["handling-bid-protests"]
    business = domains["uppcc-business-principles"]
    assert business["covered"] is False and business["coveredBy"] == []
    assert business["group"] == "UPPCC body of knowledge (2021)"
    assert 1 <= len(business["suggestions"]) <= 3
    teaching = {
        "cooperative-contracts-for-cost-savings",
        "fleet-vehicle-procurement",
        "office-products-and-furniture-aggregation",
        "total-cost-of-ownership-analysis",
        "pharmacy-purchasing-through-a-cooperative",
        "procurement-leadership-and-workforce-development",
        "procurement-certification-and-professional-development",
        "reducing-administrative-cost-with-cooperative-contracts",
    }
    assert {s["slug"] for s in business["suggestions"]} <= teaching
    categories = {c["key"]: c for c in coverage["categories"]}
    assert categories["IT"]["covered"]  # negotiating-after-best-and-final-offers applies to 920
    assert categories["HEALTH"]["covered"] is False
    # practices that apply to HEALTH or its classes 266 and 465
    assert {s["slug"] for s in categories["HEALTH"]["suggestions"]} == {
        "pharmacy-purchasing-through-a-cooperative",
        "emergency-procurement-and-disaster-readiness",
        "speeding-procurement-with-cooperative-contracts",
    }
    missed = [
        e
        for section in ("domains", "categories", "alliances")
        for e in coverage[section]
        if not e["covered"]
    ]
    assert coverage["gaps"] == len(missed) > 0


def test_coverage_without_target_certification_measures_every_domain(gql: Any) -> None:
    create = """mutation($input: CreateCurriculumInput!) { createCurriculum(input: $input) {
      curriculum { coverage { domains { key covered } alliances { key covered coveredBy } } } } }"""
    result = gql(
        create,
        {
            "input": {
                "key": "mmcap-intro",
                "title": "Pharmacy",
                "audience": "Buyers",
                "level": "INTRODUCTORY",
                "modules": [
                    {
                        "title": "One",
                        "items": [_gid("Practice", "pharmacy-purchasing-through-a-cooperative")],
                    }
                ],
            }
        },
    )
    assert result.errors == []
    coverage = result.data["createCurriculum"]["curriculum"]["coverage"]
    assert len(coverage["domains"]) == 12
    covered = {d["key"] for d in coverage["domains"] if d["covered"]}
    assert covered == {"uppcc-business-principles", "nigp-business-principles"}
    alliances = {a["key"]: a for a in coverage["alliances"]}
    assert alliances["mmcap"]["coveredBy"] == ["pharmacy-purchasing-through-a-cooperative"]


def test_coverage_of_a_page_of_curricula_is_batched(gql: Any, curricula_graph: Any) -> None:
    before = curricula_graph.query_count
    result = gql("""{ curricula { nodes { key coverage { gaps } certifications { code } } } }""")
    assert result.errors == []
    assert len(result.data["curricula"]["nodes"]) == 3
    # list (2) + certifications (1) + coverage index (5), whatever the page size
    assert curricula_graph.query_count - before <= 8


def _gid(label: str, key: str) -> str:
    from kb.api.ids import encode_id

    return encode_id(label, key)
