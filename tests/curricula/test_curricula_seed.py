"""The curriculum seed: certifications, domains, TEACHES and curricula load, once."""

from __future__ import annotations

from kb.domain.curricula import CurriculaSeed
from kb.graph.changes import last_sequence
from kb.graph.curricula_load import load_curricula
from kb.graph.curriculum_store import read_curricula
from kb.graph.db import Graph
from kb.graph.load import load_seed
from kb.seed import SeedData


def test_seed_writes_certifications_domains_and_curricula(
    seeded_graph: Graph, curricula_seed: CurriculaSeed
) -> None:
    report = load_curricula(seeded_graph, curricula_seed)
    assert report.changed == {
        "Certification": 4,
        "TEACHES": len(curricula_seed.teachings),
        "Curriculum": 3,
    }
    domains = seeded_graph.read(
        "MATCH (f:Certification)-[h:HAS_DOMAIN]->(d:Domain) "
        "RETURN f.id AS f, d.name AS d ORDER BY f, h.position"
    )
    uppcc = [r["d"] for r in domains if r["f"] == "UPPCC-BOK"]
    assert uppcc == [
        "Legal Framework",
        "Procurement Planning & Analysis",
        "Sourcing & Solicitation",
        "Contract Development & Management",
        "Business Principles",
    ]
    assert len([r for r in domains if r["f"] == "NIGP-GBP"]) == 7
    based = seeded_graph.read(
        "MATCH (c:Certification)-[:BASED_ON]->(f) RETURN c.id AS c, f.id AS f ORDER BY c"
    )
    assert based == [{"c": "CPPB", "f": "UPPCC-BOK"}, {"c": "CPPO", "f": "UPPCC-BOK"}]
    # Every practice teaches its own NIGP focus area, without a teaches.csv row.
    focus = seeded_graph.read(
        "MATCH (p:Practice) OPTIONAL MATCH (p)-[:TEACHES]->(d:Domain {focusArea: p.focusArea}) "
        "RETURN count(p) AS practices, count(d) AS taught"
    )[0]
    assert focus["practices"] == focus["taught"] == 48
    records = read_curricula(seeded_graph, ["new-buyer-onboarding"])
    plan = records["new-buyer-onboarding"].plan
    assert [m.key for m in plan.modules] == [
        "know-the-rules",
        "plan-the-purchase",
        "buy-it",
        "after-award",
    ]
    assert plan.modules[0].items[1].key == "L-0005"
    assert plan.certifications == ("CPPB",)
    assert plan == curricula_seed.curricula[0]


def test_second_load_changes_nothing(seeded_graph: Graph, curricula_seed: CurriculaSeed) -> None:
    load_curricula(seeded_graph, curricula_seed)
    stamps = seeded_graph.read(
        "MATCH (n) WHERE n:Curriculum OR n:Module OR n:Certification OR n:Domain "
        "RETURN n.id AS id, n.updatedAt AS at ORDER BY id"
    )
    sequence = last_sequence(seeded_graph)

    report = load_curricula(seeded_graph, curricula_seed)

    assert report.total_changed == 0
    assert last_sequence(seeded_graph) == sequence
    assert (
        seeded_graph.read(
            "MATCH (n) WHERE n:Curriculum OR n:Module OR n:Certification OR n:Domain "
            "RETURN n.id AS id, n.updatedAt AS at ORDER BY id"
        )
        == stamps
    )


def test_reloading_the_main_seed_keeps_curricula_and_teaches(
    seeded_graph: Graph, seed_data: SeedData, curricula_seed: CurriculaSeed
) -> None:
    load_curricula(seeded_graph, curricula_seed)
    before = seeded_graph.read("MATCH ()-[r:TEACHES|INCLUDES]->() RETURN count(r) AS n")
    seeded_graph.write("MATCH (p:Practice) SET p.seedHash = null")  # force a rewrite
    load_seed(seeded_graph, seed_data)
    assert seeded_graph.read("MATCH ()-[r:TEACHES|INCLUDES]->() RETURN count(r) AS n") == before
