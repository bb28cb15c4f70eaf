"""Constraints and indexes from ``schema/*.cypher``, applied idempotently."""

from __future__ import annotations

import re
from pathlib import Path
from typing import LiteralString

from kb.config import PROJECT_ROOT
from kb.graph.db import Graph, Tx

SCHEMA_DIR = PROJECT_ROOT / "schema"


def schema_statements(directory: Path = SCHEMA_DIR) -> list[str]:
    """The statements of every ``*.cypher`` file, in file-name order, comments removed."""
    statements: list[str] = []
    for path in sorted(directory.glob("*.cypher")):
        text = re.sub(r"//[^\n]*", "", path.read_text())
        statements.extend(part.strip() for part in text.split(";") if part.strip())
    return statements


def apply_schema(graph: Graph, directory: Path = SCHEMA_DIR) -> int:
    """Create every constraint and index that is missing. Returns how many statements ran.

    Schema statements cannot share a transaction with data writes, so each runs alone;
    all use ``IF NOT EXISTS``, so a second run changes nothing.
    """
    statements = schema_statements(directory)
    for statement in statements:
        # The statements come from files in the repository, never from user input
        # (mypy treats LiteralString as str, so no cast is needed here).
        def run(tx: Tx, query: LiteralString = statement) -> None:
            tx.run(query)

        graph.execute_write(run)
    graph.write("CALL db.awaitIndexes(60)")
    return len(statements)


def constraint_names(graph: Graph) -> set[str]:
    """Names of the constraints that exist in the database."""
    return {row["name"] for row in graph.read("SHOW CONSTRAINTS YIELD name RETURN name")}
