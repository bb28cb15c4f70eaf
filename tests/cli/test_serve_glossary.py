"""`kb serve` refuses a broken glossary before it starts anything, naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.domain import glossary as glossary_module
from kb.domain.glossary import default_glossary


def test_serve_refuses_a_glossary_with_an_empty_term(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "glossary.yaml"
    bad.write_text(
        "terms:\n  - term: ''\n    expansion: x\n    kind: goods\n    definition: y.\n"
        "    source: https://example.org/z\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(glossary_module, "GLOSSARY_FILE", bad)
    default_glossary.cache_clear()
    try:
        # No Neo4j is reachable at this address: the glossary must be refused first.
        env = {"KB_DATA_DIR": str(tmp_path / "data"), "NEO4J_URI": "bolt://127.0.0.1:9"}
        result = CliRunner().invoke(main, ["serve"], env=env)
    finally:
        monkeypatch.undo()
        default_glossary.cache_clear()
    assert result.exit_code == 2, result.output
    assert f"{bad}:2: entry 1: 'term' is empty; expected text" in " ".join(result.output.split())
