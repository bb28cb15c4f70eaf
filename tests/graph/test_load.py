"""Loading the seed: counts, idempotency, change log."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from kb.graph.batch_writes import BulkWriteError
from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.graph.load import load_seed, seed_size
from kb.graph.stats import graph_stats, is_empty
from kb.seed import SeedData
from tests.seed.test_imports_batched import journal_nodes, locked

DOMAIN = "(n:State OR n:Alliance OR n:Contract OR n:Category OR n:Practice OR n:Lesson)"


def test_seed_loads_every_record(graph: Graph, seed_data: SeedData) -> None:
    report = load_seed(graph, seed_data)
    stats = graph_stats(graph)
    assert stats.nodes["State"] == 56
    assert stats.nodes["Alliance"] == len(seed_data.alliances)
    assert stats.nodes["Contract"] == len(seed_data.contracts) >= 25
    assert stats.nodes["Category"] == len(seed_data.categories) >= 20
    assert stats.nodes["Practice"] == len(seed_data.practices) >= 12
    assert stats.nodes["Lesson"] == len(seed_data.lessons) >= 40
    assert stats.relationships["MEMBER_OF"] == len(seed_data.memberships)
    assert stats.relationships["AWARDED"] == len(seed_data.contracts)
    participants = sum(len(c.participants) for c in seed_data.contracts)
    assert stats.relationships["PARTICIPATES_IN"] == participants
    assert report.total_changed == sum(report.seen.values()) + len(seed_data.memberships)


def test_second_seed_changes_nothing(graph: Graph, seed_data: SeedData) -> None:
    load_seed(graph, seed_data)
    before = graph_stats(graph)
    stamps = graph.read("MATCH (n:Practice) RETURN n.id AS id, n.updatedAt AS at ORDER BY id")
    sequence = last_sequence(graph)

    report = load_seed(graph, seed_data)

    assert report.total_changed == 0
    assert graph_stats(graph) == before
    assert (
        graph.read("MATCH (n:Practice) RETURN n.id AS id, n.updatedAt AS at ORDER BY id") == stamps
    )
    assert last_sequence(graph) == sequence


def test_changed_record_is_rewritten_with_its_links(graph: Graph, seed_data: SeedData) -> None:
    load_seed(graph, seed_data)
    contract = next(c for c in seed_data.contracts if c.slug == "nvp-tires")
    sequence = last_sequence(graph)
    edited = SeedData(
        states=seed_data.states,
        alliances=seed_data.alliances,
        categories=seed_data.categories,
        contracts=[
            c
            if c.slug != contract.slug
            else type(c)(**{**c.__dict__, "participants": c.participants[:2]})
            for c in seed_data.contracts
        ],
    )
    report = load_seed(graph, edited)
    assert report.changed["Contract"] == 1
    rows = graph.read(
        "MATCH (s:State)-[:PARTICIPATES_IN]->(:Contract {slug: 'nvp-tires'}) "
        "RETURN s.code AS code ORDER BY code"
    )
    assert [r["code"] for r in rows] == sorted(p.state for p in contract.participants[:2])
    changes = graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq RETURN c.label AS label, c.id AS id", seq=sequence
    )
    assert changes == [{"label": "Contract", "id": "nvp-tires"}]


def test_every_record_carries_provenance(seeded_graph: Graph) -> None:
    rows = seeded_graph.read(
        "MATCH (n) WHERE (n:State OR n:Alliance OR n:Contract OR n:Category OR n:Practice "
        "OR n:Lesson) "
        "AND n.source IS NULL AND coalesce(n.illustrative, false) = false "
        "RETURN labels(n)[0] AS label, n.id AS id"
    )
    assert rows == []


def test_empty_graph_is_detected(graph: Graph, seed_data: SeedData) -> None:
    assert is_empty(graph)
    load_seed(graph, seed_data)
    assert not is_empty(graph)


def dump(graph: Graph) -> tuple[list[Any], list[Any]]:
    """Every domain node with all its properties, every link between them with its own."""
    nodes = graph.read(
        f"MATCH (n) WHERE {DOMAIN} RETURN labels(n) AS labels, properties(n) AS props "
        "ORDER BY n.id, labels[0]"
    )
    links = graph.read(
        f"MATCH (n)-[x]->(m) WHERE {DOMAIN} RETURN n.id AS a, type(x) AS t, m.id AS b, "
        "properties(x) AS props ORDER BY a, t, b"
    )
    return nodes, links


def test_seed_in_small_batches_writes_every_record(graph: Graph, seed_data: SeedData) -> None:
    steps: list[int] = []

    report = load_seed(graph, seed_data, batch_size=7, progress=steps.append)

    assert sum(steps) == seed_size(seed_data) and max(steps) == len(seed_data.practices)
    assert report.total_changed == sum(report.seen.values()) + len(seed_data.memberships)
    stats = graph_stats(graph)
    assert stats.nodes["Lesson"] == len(seed_data.lessons)
    assert stats.relationships["MEMBER_OF"] == len(seed_data.memberships)
    assert stats.relationships["PARTICIPATES_IN"] == sum(
        len(c.participants) for c in seed_data.contracts
    )
    assert journal_nodes(graph) == 0
    assert load_seed(graph, seed_data, batch_size=7).total_changed == 0


def test_failed_seed_batch_restores_every_record_it_had_changed(
    graph: Graph, seed_data: SeedData
) -> None:
    load_seed(graph, seed_data)
    before = dump(graph)
    first, last = seed_data.lessons[0], seed_data.lessons[-1]
    edited = replace(
        seed_data,
        alliances=[replace(a, description="Edited.") for a in seed_data.alliances],
        memberships=[replace(m, since=date(1999, 1, 1)) for m in seed_data.memberships],
        contracts=[replace(c, participants=c.participants[:1]) for c in seed_data.contracts],
        lessons=[
            replace(x, title=f"Edited {x.title}", state="WY") if x in (first, last) else x
            for x in seed_data.lessons
        ],
    )

    with locked(graph, last.id), pytest.raises(BulkWriteError) as caught:
        load_seed(graph, edited, batch_size=40, batch_timeout=2)

    # The locked lesson is the last one, so the failing batch is the last batch of 40.
    count = len(seed_data.lessons)
    batch = f"Lesson records {(count - 1) // 40 * 40 + 1}-{count}"
    assert "seed failed at batch" in str(caught.value) and batch in str(caught.value)
    assert dump(graph) == before
    assert journal_nodes(graph) == 0


def test_a_changed_membership_records_both_ends(graph: Graph, seed_data: SeedData) -> None:
    """What reads memberships (eligible contracts, members, cached responses) learns of
    a membership change from the change log, whichever end it reads from."""
    load_seed(graph, seed_data)
    sequence = last_sequence(graph)
    first = seed_data.memberships[0]
    edited = replace(
        seed_data,
        memberships=[replace(first, since=date(1999, 1, 1)), *seed_data.memberships[1:]],
    )
    report = load_seed(graph, edited)
    assert report.memberships_changed == 1
    changes = graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq RETURN c.label AS label, c.id AS id ORDER BY c.seq",
        seq=sequence,
    )
    assert changes == [
        {"label": "State", "id": first.state},
        {"label": "Alliance", "id": first.alliance},
    ]
