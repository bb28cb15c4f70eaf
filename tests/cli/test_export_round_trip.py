"""`kb export DIR`, `kb seed --dir DIR` on an empty graph, `kb export DIR2`: the same
files, byte for byte, records made through the GraphQL API included."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kb.api.context import Context, Viewer
from kb.api.ids import encode_id
from kb.api.schema import build_schema
from kb.bootstrap import seed_graph
from kb.cli import main
from kb.config import PROJECT_ROOT, Settings
from kb.graph.curricula_load import load_curricula
from kb.graph.db import Graph
from kb.graph.load import load_seed
from kb.graph.stats import graph_stats
from kb.seed import SeedData
from kb.seed.curriculum_files import read_curricula

SEED_DIR = PROJECT_ROOT / "seed"
EDITOR = Viewer("round-trip-editor", "editor", "t-rt")

CREATE_PRACTICE = """mutation($input: CreatePracticeInput!) {
  createPractice(input: $input) { practice { key } } }"""
CREATE_LESSON = """mutation($input: CreateLessonInput!) {
  createLesson(input: $input) { lesson { key } } }"""
CREATE_CURRICULUM = """mutation($input: CreateCurriculumInput!) {
  createCurriculum(input: $input) { curriculum { key } } }"""
STAMPS = (
    "MATCH (n) WHERE n.id IN $ids AND (n:Lesson OR n:Practice OR n:Curriculum) "
    "RETURN n.id AS id, n.createdAt AS createdAt, "
    "n.createdBy AS createdBy, n.updatedAt AS updatedAt, n.updatedBy AS updatedBy ORDER BY id"
)
OUR_RECORDS = ["L-0990", "cold-storage-for-vaccines", "api-made-course"]


def _mutate(graph: Graph, settings: Settings, query: str, data: dict[str, Any]) -> None:
    context = Context(graph, settings, EDITOR)
    schema = build_schema()
    result = asyncio.run(
        schema.execute(query, variable_values={"input": data}, context_value=context)
    )
    assert not result.errors, result.errors


def _make_records_through_the_api(graph: Graph, settings: Settings) -> None:
    """A practice and a lesson with only the fields the API requires (no summary, focus
    area or date; no context, recommendation, status or date), and a curriculum."""
    practice = "cold-storage-for-vaccines"
    _mutate(
        graph,
        settings,
        CREATE_PRACTICE,
        {
            "slug": practice,
            "title": "Cold storage for vaccines",
            "body": "## Context\nFreezers fail in heat waves.",
            "illustrative": True,
        },
    )
    _mutate(
        graph,
        settings,
        CREATE_LESSON,
        {
            "key": "L-0990",
            "title": "A freezer alarm nobody answered",
            "lesson": "Name who answers the alarm before the contract starts.",
            "state": encode_id("State", "MN"),
            "practice": encode_id("Practice", practice),
            # Two alliances: the seed's one-key form does not hold them, a list does.
            "alliances": [encode_id("Alliance", "tips"), encode_id("Alliance", "mmcap")],
            "source": "https://example.org/freezer-alarm",
        },
    )
    _mutate(
        graph,
        settings,
        CREATE_CURRICULUM,
        {
            "key": "api-made-course",
            "title": "A course assembled through the API",
            "audience": "New buyers",
            "level": "INTRODUCTORY",
            "modules": [
                {
                    "title": "Cold chain",
                    "items": [encode_id("Practice", practice), encode_id("Lesson", "L-0990")],
                },
                {"title": "To be written"},
            ],
        },
    )


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


@pytest.fixture
def api_graph(graph: Graph, seed_data: SeedData, settings: Settings) -> Graph:
    load_seed(graph, seed_data)
    load_curricula(graph, read_curricula(SEED_DIR, seed_data))
    _make_records_through_the_api(graph, settings)
    return graph


def test_export_seed_export_gives_identical_files(
    api_graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    stats = graph_stats(api_graph)
    stamps = api_graph.read(STAMPS, ids=OUR_RECORDS)
    first, second = tmp_path / "one", tmp_path / "two"
    result = runner.invoke(main, ["export", str(first)], env=test_env)
    assert result.exit_code == 0, result.output

    exported = _files(first)
    for name in ("certifications.yaml", "teaches.csv", "curricula.yaml", "history.csv"):
        assert exported[name].strip(), name
    assert "recorded: 0001-01-01" not in exported["lessons/undated.yaml"].decode()
    assert b"alliance: [mmcap, tips]" in exported["lessons/undated.yaml"]
    assert b"id: api-made-course" in exported["curricula.yaml"]
    assert b"token:round-trip-editor" in exported["history.csv"]
    check = runner.invoke(main, ["check-seed", "--dir", str(first)], env=test_env)
    assert check.exit_code != 2, check.output  # every record valid (coverage is another matter)

    api_graph.write("MATCH (n) DETACH DELETE n")
    result = runner.invoke(main, ["seed", "--dir", str(first)], env=test_env)
    assert result.exit_code == 0, result.output
    assert graph_stats(api_graph) == stats
    assert api_graph.read(STAMPS, ids=OUR_RECORDS) == stamps

    result = runner.invoke(main, ["export", str(second)], env=test_env)
    assert result.exit_code == 0, result.output
    again = _files(second)
    assert sorted(again) == sorted(exported)
    for name, content in exported.items():
        assert again[name] == content, name


def test_auto_seed_of_an_export_keeps_authors_and_times(
    api_graph: Graph, settings: Settings, test_env: dict[str, str], tmp_path: Path
) -> None:
    """The start-up seed of an empty graph (kb/bootstrap.py) honours history.csv as
    `kb seed --dir` does: records made through the API keep who made them, and when."""
    stamps = api_graph.read(STAMPS, ids=OUR_RECORDS)
    assert [s["createdBy"] for s in stamps] == ["token:round-trip-editor"] * 3
    result = CliRunner().invoke(main, ["export", str(tmp_path)], env=test_env)
    assert result.exit_code == 0, result.output

    api_graph.write("MATCH (n) DETACH DELETE n")
    seed_graph(api_graph, dataclasses.replace(settings, seed_dir=tmp_path))
    assert api_graph.read(STAMPS, ids=OUR_RECORDS) == stamps
