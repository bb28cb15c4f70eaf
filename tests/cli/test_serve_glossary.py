"""`kb serve` refuses a broken glossary before it starts anything, naming file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from kb.cli import main


def test_serve_refuses_a_glossary_with_an_empty_term(
    tmp_path: Path, packaged_glossary_is: Callable[[str], Path]
) -> None:
    bad = packaged_glossary_is(
        "terms:\n  - term: ''\n    expansion: x\n    kind: goods\n    definition: y.\n"
        "    source: https://example.org/z\n"
    )
    # No Neo4j is reachable at this address: the glossary must be refused first.
    env = {"KB_DATA_DIR": str(tmp_path / "data"), "NEO4J_URI": "bolt://127.0.0.1:9"}
    result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 2, result.output
    assert f"{bad}:2: entry 1: 'term' is empty; expected text" in " ".join(result.output.split())
