"""`kb search` and `kb reindex` against the real test Neo4j."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli import main
from kb.graph.db import Graph


def test_search_json_lists_ranked_hits(
    seeded_graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**test_env, "KB_INDEX_DIR": str(tmp_path / "index")}
    result = CliRunner().invoke(main, ["search", "BAFO", "--kind", "lesson", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {h["id"] for h in data["hits"][:2]} == {"L-0017", "L-0180"}
    assert data["facets"]["kind"] == [{"value": "lesson", "count": data["total"]}]


def test_search_table_and_bad_input(
    seeded_graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**test_env, "KB_INDEX_DIR": str(tmp_path / "index")}
    runner = CliRunner()
    table = runner.invoke(main, ["search", "purchasng card", "--first", "3"], env=env)
    assert table.exit_code == 0, table.output
    assert "Running a purchasing card" in table.output
    assert "did you mean: purchasing card" in table.output
    bad = runner.invoke(main, ["search", "x" * 10_000], env=env)
    assert bad.exit_code == 2 and "at most 500 are accepted" in bad.output


def test_reindex_reports_documents(
    seeded_graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**test_env, "KB_INDEX_DIR": str(tmp_path / "index")}
    result = CliRunner().invoke(main, ["reindex"], env=env)
    assert result.exit_code == 0, result.output
    assert "48 practices, 168 lessons, 60 contracts" in result.output
    assert (tmp_path / "index" / "current").is_symlink()
