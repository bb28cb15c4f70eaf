"""The generated function that turns a planned operation's rows into the response's dicts.

One function per object or connection of the plan, each one dict display, compiled once
per shape of response: turning the rows into the response costs no call per field.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

from kb.api.ids import encode_id
from kb.api.pagination import encode_cursor


class ShapeSource:
    """The Python source of the function that shapes a planned operation's results:
    one function per object or connection of the plan, each one dict display, so that
    turning the rows into the response costs no call per field."""

    def __init__(self) -> None:
        self.functions: list[str] = []

    def function(self, expr: str) -> str:
        name = f"f{len(self.functions)}"
        self.functions.append(f"def {name}(v, O):\n    return {expr}\n")
        return name

    def nullable(self, expr: str) -> str:
        name = f"f{len(self.functions)}"
        self.functions.append(f"def {name}(v, O=None):\n    return None if v is None else {expr}\n")
        return name

    def connection(self, body: str, slot: int, counted: bool) -> str:
        """A connection from ``[total, items]`` when ``counted``, else from ``items``."""
        name = f"f{len(self.functions)}"
        unpack = "total, items = v" if counted else "items = v"
        self.functions.append(
            f"def {name}(v, O):\n    {unpack}\n    off = O[{slot}]\n    return {body}\n"
        )
        return name


@lru_cache(maxsize=256)
def _cursor(offset: int) -> str:
    return encode_cursor(offset)


def _datetime(value: Any) -> Any:
    # As plain execution: kb.graph.records makes Python datetimes of Neo4j's.
    return None if value is None else value.to_native().isoformat()


_GLOBALS: dict[str, Any] = {
    "_id": encode_id,
    "_cur": _cursor,
    "_dt": _datetime,
    "__builtins__": {"len": len, "enumerate": enumerate},
}


@lru_cache(maxsize=256)
def compile_shape(source: str) -> Callable[..., dict[str, Any]]:
    """The shaping function of ``source`` (kept: a document's shape is compiled once)."""
    namespace: dict[str, Any] = dict(_GLOBALS)
    exec(compile(source, "<kb.api.planner>", "exec"), namespace)  # our own generated text
    return cast(Callable[..., dict[str, Any]], namespace["shape"])
