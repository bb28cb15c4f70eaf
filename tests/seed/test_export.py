"""Export: the graph written in the seed's formats, and seeded back as the same graph."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from kb.config import PROJECT_ROOT
from kb.graph.db import Graph
from kb.graph.export import read_graph
from kb.graph.load import load_seed
from kb.graph.stats import graph_stats, is_empty
from kb.seed import SeedData, read_seed
from kb.seed.export import ExportError, write_seed

SEED_DIR = PROJECT_ROOT / "seed"
STAMPS = {"createdAt", "updatedAt", "seedHash"}

_NODES = (
    "MATCH (n) WHERE n:State OR n:Alliance OR n:Contract OR n:Category OR n:Practice OR n:Lesson "
    "RETURN labels(n)[0] AS label, n.id AS id, properties(n) AS props ORDER BY label, id"
)
_RELATIONSHIPS = (
    "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS from, a.id AS a, type(r) AS type, "
    "labels(b)[0] AS to, b.id AS b, properties(r) AS props ORDER BY from, a, type, to, b"
)


def _graph_content(graph: Graph) -> tuple[list[Any], list[Any]]:
    """Every domain node and relationship with its properties, bookkeeping left out."""
    nodes = [
        (row["label"], row["id"], {k: v for k, v in row["props"].items() if k not in STAMPS})
        for row in graph.read(_NODES)
    ]
    rels = [
        (
            *(row[k] for k in ("from", "a", "type", "to", "b")),
            {k: v for k, v in row["props"].items() if k not in STAMPS},
        )
        for row in graph.read(_RELATIONSHIPS)
    ]
    return nodes, rels


def _normal(record: Any) -> Any:
    """A record with the order of its links ignored (the graph keeps none)."""
    assert is_dataclass(record) and not isinstance(record, type)
    changes = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, tuple) and f.name != "tags":
            changes[f.name] = tuple(sorted(value, key=repr))
    return replace(record, **changes)


def _by_key(data: SeedData) -> dict[str, dict[Any, Any]]:
    return {
        "states": {s.code: _normal(s) for s in data.states},
        "alliances": {a.slug: _normal(a) for a in data.alliances},
        "memberships": {(m.alliance, m.state): _normal(m) for m in data.memberships},
        "categories": {c.code: _normal(c) for c in data.categories},
        "contracts": {c.slug: _normal(c) for c in data.contracts},
        "practices": {p.slug: _normal(p) for p in data.practices},
        "lessons": {x.id: _normal(x) for x in data.lessons},
    }


def test_read_graph_returns_the_seed_it_was_loaded_from(
    seeded_graph: Graph, seed_data: SeedData
) -> None:
    assert _by_key(read_graph(seeded_graph)) == _by_key(seed_data)


def test_export_writes_the_seed_layout(seeded_graph: Graph, tmp_path: Path) -> None:
    target = tmp_path / "export"
    written = write_seed(read_graph(seeded_graph), target)
    assert sorted(p.name for p in target.iterdir()) == [
        "alliances.yaml",
        "categories.csv",
        "contract_terms.yaml",
        "contracts.yaml",
        "lessons",
        "memberships.csv",
        "practices",
        "states.csv",
        "vendors.yaml",
    ]
    practices = sorted(p.name for p in (target / "practices").iterdir())
    assert practices == sorted(p.name for p in (SEED_DIR / "practices").glob("*.md"))
    assert set(written) == {p for p in target.rglob("*") if p.is_file()}
    front = (target / "practices" / "lead-state-model.md").read_text()
    assert front.startswith("---\ntitle: The lead-state model of cooperative solicitation\n")
    assert "\n---\n\n## Context\n" in front


def test_seeding_an_empty_graph_from_an_export_reproduces_the_graph(
    seeded_graph: Graph, seed_data: SeedData, tmp_path: Path
) -> None:
    stats = graph_stats(seeded_graph)
    content = _graph_content(seeded_graph)
    write_seed(read_graph(seeded_graph), tmp_path / "export")

    exported = read_seed(tmp_path / "export")
    seeded_graph.write("MATCH (n) DETACH DELETE n")
    assert is_empty(seeded_graph)
    load_seed(seeded_graph, exported)

    assert graph_stats(seeded_graph) == stats
    assert stats.nodes["Lesson"] == len(seed_data.lessons)
    assert stats.relationships["PARTICIPATES_IN"] > 0
    nodes, rels = _graph_content(seeded_graph)
    assert len(nodes) == len(content[0]) and len(rels) == len(content[1])
    assert nodes == content[0]
    assert rels == content[1]


def test_exported_records_match_the_seed_field_by_field(
    seeded_graph: Graph, seed_data: SeedData, tmp_path: Path
) -> None:
    write_seed(read_graph(seeded_graph), tmp_path / "export")
    exported = _by_key(read_seed(tmp_path / "export"))
    original = _by_key(seed_data)
    # A sample first, so that a failure shows one record rather than all of them.
    sample = {
        "practices": ["lead-state-model", "participating-addenda"],
        "lessons": [x.id for x in seed_data.lessons[::25]],
        "contracts": [c.slug for c in seed_data.contracts if c.participants][:3],
        "states": ["UT", "GU", "DC"],
    }
    for kind, keys in sample.items():
        for key in keys:
            assert exported[kind][key] == original[kind][key], (kind, key)
    assert exported == original


def test_a_second_export_is_identical_to_the_first(seeded_graph: Graph, tmp_path: Path) -> None:
    write_seed(read_graph(seeded_graph), tmp_path / "one")
    seeded_graph.write("MATCH (n) DETACH DELETE n")
    load_seed(seeded_graph, read_seed(tmp_path / "one"))
    write_seed(read_graph(seeded_graph), tmp_path / "two")
    one = {p.relative_to(tmp_path / "one"): p.read_text() for p in (tmp_path / "one").rglob("*.*")}
    two = {p.relative_to(tmp_path / "two"): p.read_text() for p in (tmp_path / "two").rglob("*.*")}
    assert one == two


def test_export_refuses_a_directory_that_holds_files(seeded_graph: Graph, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="is not an empty directory"):
        write_seed(read_graph(seeded_graph), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
