"""The ``history`` field of every record: its changes from the change log.

``history(first: 20)`` lists a record's newest ``first`` changes, newest first: the
sequence number of the change log, what happened (``CREATE``, ``UPDATE``, ``DELETE``),
when, and who (``token:<name>`` for the API, ``seed`` for ``kb seed``). ``fields`` says what an
API update or link changed (null where the writer did not record it). All parents of one
label asking for the same ``first`` share one Cypher statement per request
(a DataLoader kept beside the request's :class:`~kb.api.loaders.Loaders`).

Example:
    >>> @strawberry.type
    ... class Lesson(Node):
    ...     history = history_field()
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from weakref import WeakKeyDictionary

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from kb.api.context import Context
from kb.api.errors import BadInputError
from kb.api.loaders import Loaders
from kb.api.nodes import Node, label_of
from kb.graph.db import Graph
from kb.graph.history import HistoryEntry, histories

Info = strawberry.Info[Context, None]

DEFAULT_HISTORY = 20
MAX_HISTORY = 100


@strawberry.enum(description="What a change did to its record.")
class ChangeOp(Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


@strawberry.type(description="One change of a record, from the change log.")
class Change:
    sequence: int = strawberry.field(description="Its place in the change log (gap-free).")
    op: ChangeOp = strawberry.field(
        description="CREATE (first write, or first after a delete), UPDATE (properties or "
        "links written, by the API or kb seed), or DELETE."
    )
    at: datetime = strawberry.field(description="When the change was committed.")
    author: str | None = strawberry.field(
        description="Who made it: token:<name> for the API, seed for kb seed."
    )
    fields: list[str] | None = strawberry.field(
        default=None,
        description="What changed, when recorded (API updates and links): properties and "
        "links by their input names, +TYPE / -TYPE for a relationship linked or unlinked. "
        "Null for creates, deletes and kb seed / kb import writes.",
    )


_LOADERS: WeakKeyDictionary[Loaders, dict[tuple[str, int], DataLoader[str, list[HistoryEntry]]]]
_LOADERS = WeakKeyDictionary()


def _loader(
    loaders: Loaders, graph: Graph, label: str, first: int
) -> DataLoader[str, list[HistoryEntry]]:
    mine = _LOADERS.setdefault(loaders, {})
    if (label, first) not in mine:

        async def load(keys: list[str]) -> list[list[HistoryEntry]]:
            found = await run_in_threadpool(histories, graph, label, keys, first)
            return [found.get(key, []) for key in keys]

        mine[(label, first)] = DataLoader(load_fn=load)
    return mine[(label, first)]


async def _history(root: Node, info: Info, first: int | None = DEFAULT_HISTORY) -> list[Change]:
    if first is None:
        first = DEFAULT_HISTORY
    if not 0 <= first <= MAX_HISTORY:
        raise BadInputError(f"first: {first} is out of range; expected 0..{MAX_HISTORY}", "first")
    label = label_of(type(root))
    loader = _loader(info.context.loaders, info.context.graph, label, first)
    entries = await loader.load(root.key)
    return [
        Change(
            sequence=e.seq,
            op=ChangeOp(e.op),
            at=e.at,
            author=e.author,
            fields=None if e.fields is None else list(e.fields),
        )
        for e in entries
    ]


def history_field() -> list[Change]:
    """The ``history`` field of a node type."""
    return strawberry.field(
        resolver=_history,
        description="Its changes from the change log, newest first (at most first, 0..100).",
    )
