"""The `kb` command line: stats, neo4j status, clear failures."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kb.cli import main
from kb.graph.db import Graph
from kb.seed import SeedData


def test_stats_json_counts_nodes_and_relationships(
    seeded_graph: Graph, seed_data: SeedData, test_env: dict[str, str]
) -> None:
    result = CliRunner().invoke(main, ["stats", "--json"], env=test_env)
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["nodes"]["State"] == 56
    assert stats["nodes"]["Practice"] == len(seed_data.practices)
    assert stats["relationships"]["MEMBER_OF"] == len(seed_data.memberships)


def test_stats_table_lists_labels(seeded_graph: Graph, test_env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["stats"], env=test_env)
    assert result.exit_code == 0, result.output
    assert "Lesson" in result.output and "PARTICIPATES_IN" in result.output


def test_seed_twice_reports_no_change(graph: Graph, test_env: dict[str, str]) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["seed"], env=test_env)
    assert first.exit_code == 0, first.output
    second = runner.invoke(main, ["seed"], env=test_env)
    assert second.exit_code == 0, second.output
    assert "0 change(s) written" in second.output
    assert "restored" in second.output


def test_neo4j_status_names_the_bolt_uri(graph: Graph, test_env: dict[str, str]) -> None:
    if "NEO4J_URI" in test_env:
        result = CliRunner().invoke(main, ["neo4j", "status"], env=test_env)
        assert result.exit_code == 1 and "NEO4J_URI is set" in result.output
        return
    result = CliRunner().invoke(main, ["neo4j", "status"], env=test_env)
    assert result.exit_code == 0, result.output
    assert "bolt://127.0.0.1:" in result.output and "Bolt answers" in result.output


def test_bad_configuration_exits_2_naming_the_variable(test_env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["stats"], env={**test_env, "KB_PORT": "eighty"})
    assert result.exit_code == 2
    assert "KB_PORT='eighty' is not an integer" in result.output
