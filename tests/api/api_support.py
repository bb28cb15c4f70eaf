"""Helpers for the API tests: run a document through the schema, read codes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.api.context import Context, Viewer
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph


@dataclass
class Result:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]


Run = Callable[..., Result]

EDITOR = Viewer("test-editor", "editor", "t1")
READER = Viewer("test-reader", "reader", "t2")


def execute(
    schema: Schema, graph: Graph, settings: Settings, query: str,
    variables: dict[str, Any] | None = None, viewer: Viewer | None = None,
) -> Result:  # fmt: skip
    """Execute ``query`` as ``viewer`` (anonymous by default) with a fresh context."""
    context = Context(graph, settings, viewer or Viewer())
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
    return Result(result.data, [dict(e.formatted) for e in result.errors or []])
