"""The committed SDL matches the code; `kb schema` prints it."""

from __future__ import annotations

from click.testing import CliRunner

from kb.api.schema import schema_sdl
from kb.cli import main
from kb.config import PROJECT_ROOT

SCHEMA_FILE = PROJECT_ROOT / "schema" / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == schema_sdl(), (
        "schema/schema.graphql is out of date; run: kb schema > schema/schema.graphql"
    )


def test_kb_schema_prints_the_sdl() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.output == schema_sdl()
    assert "type Query" in result.output and "interface Node" in result.output
