"""The ``history`` field of every record: its changes from the change log.

``history(first: 20, before: null)`` lists a record's newest ``first`` changes (those
older than change ``before`` when given, to page back), newest first: the sequence
number of the change log, what happened (``CREATE``, ``UPDATE``, ``DELETE``), when, and
who (``token:<name>`` for the API, ``seed`` for ``kb seed``). ``fields`` says what an API
update or link changed and ``diff`` the values before and after (null where the writer
did not record them). All parents of one label asking for the same page share one
Cypher statement per request (a DataLoader kept beside the request's
:class:`~kb.api.loaders.Loaders`).

Example:
    >>> @strawberry.type
    ... class Lesson(Node):
    ...     history = history_field()
    >>> history_field("Curriculum")  # a type that is no registered Node
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from weakref import WeakKeyDictionary

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from kb.api.context import Context
from kb.api.errors import BadInputError
from kb.api.loaders import Loaders
from kb.api.nodes import label_of
from kb.graph.db import Graph
from kb.graph.history import MAX_VALUE, FieldDiff, HistoryEntry, histories

Info = strawberry.Info[Context, None]

DEFAULT_HISTORY = 20
MAX_HISTORY = 100


@strawberry.enum(description="What a change did to its record.")
class ChangeOp(Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


@strawberry.type(
    description=f"One field's value before and after a change, as text. Values longer "
    f"than {MAX_VALUE} characters are cut (ending in …); truncated and note say so."
)
class FieldChange:
    field: str = strawberry.field(
        description="The property or link by its input name (title, categories, ...), "
        "the relationship type for a link or unlink (ABOUT, MEMBER_OF, ...), or for a "
        "curriculum modules.<key>.title|objectives|items."
    )
    old: str | None = strawberry.field(
        description="The value before (lists joined with ', ', links as the keys linked "
        "or 'Label key' for the other end of a link); null when there was none."
    )
    new: str | None = strawberry.field(description="The value after; null when there is none.")
    truncated: bool = strawberry.field(description="Whether old or new was cut.")
    note: str | None = strawberry.field(
        description="What was cut, with the full length: 'old value cut to 300 of 2345 "
        "characters'; null when nothing was."
    )


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
        description="What changed, when recorded (API updates, links, curriculum edits): "
        "properties and "
        "links by their input names, +TYPE / -TYPE for a relationship linked or unlinked. "
        "Null for creates, deletes and kb seed / kb import writes.",
    )
    diff: list[FieldChange] | None = strawberry.field(
        default=None,
        description="The values before and after of what changed, one per field, when "
        "recorded (API updates, links and curriculum edits); null otherwise.",
    )


def _note(d: FieldDiff) -> str | None:
    cut = [
        f"{which} value cut to {MAX_VALUE} of {length} characters"
        for which, text, length in (("old", d.old, d.old_length), ("new", d.new, d.new_length))
        if length > len(text or "")
    ]
    return "; ".join(cut) or None


def to_field_change(d: FieldDiff) -> FieldChange:
    return FieldChange(field=d.field, old=d.old, new=d.new, truncated=d.truncated, note=_note(d))


def to_change(e: HistoryEntry) -> Change:
    return Change(
        sequence=e.seq,
        op=ChangeOp(e.op),
        at=e.at,
        author=e.author,
        fields=None if e.fields is None else list(e.fields),
        diff=None if e.diff is None else [to_field_change(d) for d in e.diff],
    )


_Page = tuple[str, int, int | None]
_LOADERS: WeakKeyDictionary[Loaders, dict[_Page, DataLoader[str, list[HistoryEntry]]]]
_LOADERS = WeakKeyDictionary()


def _loader(
    loaders: Loaders, graph: Graph, label: str, first: int, before: int | None
) -> DataLoader[str, list[HistoryEntry]]:
    mine = _LOADERS.setdefault(loaders, {})
    page = (label, first, before)
    if page not in mine:

        async def load(keys: list[str]) -> list[list[HistoryEntry]]:
            found = await run_in_threadpool(histories, graph, label, keys, first, before)
            return [found.get(key, []) for key in keys]

        mine[page] = DataLoader(load_fn=load)
    return mine[page]


async def _changes(
    root: Any, info: Info, label: str, first: int | None, before: int | None
) -> list[Change]:
    if first is None:
        first = DEFAULT_HISTORY
    if not 0 <= first <= MAX_HISTORY:
        raise BadInputError(f"first: {first} is out of range; expected 0..{MAX_HISTORY}", "first")
    if before is not None and before < 1:
        raise BadInputError(
            f"before: {before} is not a change sequence; expected 1 or more", "before"
        )
    loader = _loader(info.context.loaders, info.context.graph, label, first, before)
    return [to_change(e) for e in await loader.load(root.key)]


_DESCRIPTION = (
    "Its changes from the change log, newest first (at most first, 0..100); before: only "
    "changes older than that sequence (the oldest one shown, to page back)."
)


def history_field(label: str | None = None) -> list[Change]:
    """The ``history`` field of a node type (of records of ``label``, when the type is
    no registered :class:`~kb.api.nodes.Node`, e.g. ``Curriculum``)."""

    async def history(
        root: strawberry.Parent[Any],
        info: Info,
        first: int | None = DEFAULT_HISTORY,
        before: int | None = None,
    ) -> list[Change]:
        return await _changes(root, info, label or label_of(type(root)), first, before)

    field: list[Change] = strawberry.field(resolver=history, description=_DESCRIPTION)
    return field
