"""The seed is authoritative for what it declares: loading it again puts back every
node, property and relationship the seed files declare, and says what it put back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.config import PROJECT_ROOT
from kb.domain.curricula import CurriculaSeed
from kb.graph.curricula_load import load_curricula
from kb.graph.db import Graph
from kb.graph.load import load_seed
from kb.graph.stats import GraphStats, graph_stats
from kb.seed import SeedData
from kb.seed.curriculum_files import read_curricula

SEED_DIR = PROJECT_ROOT / "seed"
STAMPS = {"createdAt", "updatedAt", "seedHash", "createdBy", "updatedBy"}
TIPS = "tips"

_NODES = (
    "MATCH (n) WHERE n:State OR n:Alliance OR n:Contract OR n:Category OR n:Practice "
    "OR n:Lesson OR n:Certification OR n:Domain OR n:Curriculum OR n:Module "
    "RETURN labels(n)[0] AS label, n.id AS id, properties(n) AS props ORDER BY label, id"
)
_RELATIONSHIPS = (
    "MATCH (a)-[r]->(b) WHERE NOT a:Change AND NOT b:Change "
    "RETURN labels(a)[0] AS from, a.id AS a, type(r) AS type, labels(b)[0] AS to, b.id AS b, "
    "properties(r) AS props ORDER BY from, a, type, to, b"
)


def canonical_dump(graph: Graph) -> tuple[list[Any], list[Any]]:
    """Every declared node and relationship with its properties, timestamps left out."""

    def strip(props: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in props.items() if k not in STAMPS}

    nodes = [(row["label"], row["id"], strip(row["props"])) for row in graph.read(_NODES)]
    rels = [
        (*(row[k] for k in ("from", "a", "type", "to", "b")), strip(row["props"]))
        for row in graph.read(_RELATIONSHIPS)
    ]
    return nodes, rels


def _seed_all(graph: Graph, data: SeedData, curricula: CurriculaSeed) -> tuple[Any, Any]:
    report = load_seed(graph, data)
    return report, load_curricula(graph, curricula)


@dataclass
class Fresh:
    """A freshly seeded graph's curriculum seed, counts and canonical dump."""

    curricula: CurriculaSeed
    stats: GraphStats
    dump: tuple[list[Any], list[Any]]


@pytest.fixture
def fresh(graph: Graph, seed_data: SeedData) -> Fresh:
    curricula = read_curricula(SEED_DIR, seed_data)
    _seed_all(graph, seed_data, curricula)
    return Fresh(curricula, graph_stats(graph), canonical_dump(graph))


def test_seeding_again_after_deleting_an_alliance_restores_all_its_links(
    graph: Graph, seed_data: SeedData, fresh: Fresh
) -> None:
    curricula, fresh_stats, fresh_dump = fresh.curricula, fresh.stats, fresh.dump
    awarded = sum(c.alliance == TIPS for c in seed_data.contracts)
    about = sum(TIPS in x.alliances for x in seed_data.lessons)
    shared = sum(TIPS in p.alliances for p in seed_data.practices)
    members = sum(m.alliance == TIPS for m in seed_data.memberships)
    assert awarded and about and shared and members  # the scenario of issue 14

    graph.write("MATCH (a:Alliance {id: $id}) DETACH DELETE a", id=TIPS)
    damaged = graph_stats(graph)
    assert damaged.relationships["ABOUT"] == fresh_stats.relationships["ABOUT"] - about
    assert damaged.relationships["SHARED_BY"] == fresh_stats.relationships["SHARED_BY"] - shared

    report, _ = _seed_all(graph, seed_data, curricula)

    assert graph_stats(graph) == fresh_stats
    assert canonical_dump(graph) == fresh_dump
    assert report.drift is not None
    assert report.drift.created == {"Alliance": 1}
    assert report.drift.links_added == {
        "AWARDED": awarded,
        "ABOUT": about,
        "SHARED_BY": shared,
        "MEMBER_OF": members,
    }
    # The records whose links were lost are restored, nothing else is touched.
    assert report.drift.restored == {"Contract": awarded, "Lesson": about, "Practice": shared}


def test_seeding_again_restores_deleted_properties_relationships_and_nodes(
    graph: Graph, seed_data: SeedData, fresh: Fresh
) -> None:
    curricula, fresh_stats, fresh_dump = fresh.curricula, fresh.stats, fresh.dump
    included = curricula.curricula[0].modules[0].items
    lesson = next(i.key for i in included if i.label == "Lesson")
    graph.write(
        "MATCH (p:Practice {id: 'lead-state-model'}) REMOVE p.summary SET p.title = 'Changed'"
    )
    graph.write("MATCH (:Contract)-[r:COVERS]->(:Category) WITH r LIMIT 5 DELETE r")
    graph.write("MATCH (:State {id: 'UT'})-[m:MEMBER_OF]->() SET m.since = date('1900-01-01')")
    graph.write("MATCH (n:Lesson {id: $id}) DETACH DELETE n", id=lesson)
    graph.write("MATCH ()-[t:TEACHES]->() WITH t LIMIT 3 DELETE t")
    graph.write("MATCH (c:Certification {id: 'CPPB'}) REMOVE c.name")
    graph.write("MATCH (d:Domain) WITH d LIMIT 1 DETACH DELETE d")
    assert canonical_dump(graph) != fresh_dump

    report, curricula_report = _seed_all(graph, seed_data, curricula)

    assert graph_stats(graph) == fresh_stats
    assert canonical_dump(graph) == fresh_dump
    assert report.drift is not None and curricula_report.drift is not None
    assert report.drift.created == {"Lesson": 1}
    assert report.drift.links_added["COVERS"] == 5
    assert curricula_report.drift.links_added["TEACHES"] >= 3
    assert curricula_report.drift.restored["Curriculum"] >= 1
    assert curricula_report.drift.restored["Certification"] >= 1
    # Restored, the graph matches the seed: a third load changes nothing.
    again, curricula_again = _seed_all(graph, seed_data, curricula)
    assert again.total_changed == 0 and curricula_again.total_changed == 0
    assert again.drift is not None and not again.drift.restored and not again.drift.links_added


def test_seeding_leaves_records_the_seed_does_not_declare(
    graph: Graph, seed_data: SeedData
) -> None:
    load_seed(graph, seed_data)
    graph.write(
        "MATCH (s:State {id: 'UT'}) CREATE (l:Lesson {id: 'L-9999', title: 'Mine', "
        "lesson: 'Kept', illustrative: true})-[:FROM]->(s)"
    )
    report = load_seed(graph, seed_data)
    assert report.total_changed == 0
    assert graph.read("MATCH (l:Lesson {id: 'L-9999'})-[:FROM]->(s) RETURN s.id AS s") == [
        {"s": "UT"}
    ]


def test_kb_seed_prints_what_it_restored(
    graph: Graph, seed_data: SeedData, test_env: dict[str, str]
) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["seed"], env=test_env).exit_code == 0
    graph.write("MATCH (a:Alliance {id: $id}) DETACH DELETE a", id=TIPS)
    result = runner.invoke(main, ["seed"], env=test_env)
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    about = sum(TIPS in x.alliances for x in seed_data.lessons)
    cells = [cell.strip() for cell in lines["ABOUT"].split("│")[1:-1]]
    assert cells[2] == str(about)
    cells = [cell.strip() for cell in lines["Alliance"].split("│")[1:-1]]
    assert cells[:3] == ["Alliance", str(len(seed_data.alliances)), "1"]
