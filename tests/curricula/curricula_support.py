"""Helpers for the curriculum tests: run a document through the schema, read codes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from kb.api.context import Context, Viewer
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph

EDITOR = Viewer("test-editor", "editor", "t1")
READER = Viewer("test-reader", "reader", "t2")


@dataclass
class Result:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    @property
    def fields(self) -> list[str | None]:
        return [e.get("extensions", {}).get("field") for e in self.errors]


def execute(
    schema: Schema,
    graph: Graph,
    settings: Settings,
    query: str,
    variables: dict[str, Any] | None = None,
    viewer: Viewer | None = None,
) -> Result:
    """Execute ``query`` as ``viewer`` (anonymous by default) with a fresh context."""
    context = Context(graph, settings, viewer or Viewer())
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
    return Result(result.data, [dict(e.formatted) for e in result.errors or []])


_STATE = (
    "MATCH (c:Curriculum) OPTIONAL MATCH (c)-[h:HAS_MODULE]->(m:Module) "
    "OPTIONAL MATCH (m)-[i:INCLUDES]->(n) "
    "WITH c, h, m, i, n ORDER BY c.id, h.position, i.position "
    "RETURN c.id AS c, c.title AS title, c.updatedAt AS at, m.key AS m, m.title AS mt, "
    "m.objectives AS o, h.position AS hp, n.id AS n, i.position AS ip"
)


def curriculum_state(graph: Graph) -> tuple[Any, ...]:
    """Everything about every curriculum, its modules and items, plus the change log's
    sequence and the prerequisite links: equal before and after a refused write."""
    rows = graph.read(_STATE)
    prereqs = graph.read(
        "MATCH (a)-[:PREREQUISITE_OF]->(b) RETURN a.id AS a, b.id AS b ORDER BY a, b"
    )
    seq = graph.read("OPTIONAL MATCH (s:Sequence {name: 'changes'}) RETURN s.value AS v")
    return rows, prereqs, seq
