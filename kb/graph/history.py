"""The history of records: their entries in the change log, newest first.

The change log (:mod:`kb.graph.changes`) records ``UPSERT`` or ``DELETE`` per written
node, with its author and time, and for API updates and links which fields changed. An ``UPSERT``
is told apart here as ``CREATE`` (the first entry of the record, or the first after a
``DELETE``) or ``UPDATE``: each list is read one entry further back than asked for,
so that the oldest entry shown knows the one before it.

Example:
    >>> histories(graph, "Lesson", ["L-0001"], 20)["L-0001"][0].op
    'UPDATE'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kb.graph.db import Graph

_READ = (
    "MATCH (c:Change {label: $label}) WHERE c.id IN $keys "
    "WITH c ORDER BY c.seq DESC "
    "WITH c.id AS key, collect(c {.seq, .op, .author, .at, .fields})[0..$limit] AS entries "
    "RETURN key, entries"
)


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a record: ``op`` is CREATE, UPDATE or DELETE."""

    seq: int
    op: str
    author: str | None
    at: datetime
    fields: tuple[str, ...] | None = None


def histories(
    graph: Graph, label: str, keys: list[str], first: int
) -> dict[str, list[HistoryEntry]]:
    """The newest ``first`` entries of each record of ``label`` named in ``keys``, newest
    first, in one statement (records without entries are left out)."""
    rows = graph.read(_READ, label=label, keys=keys, limit=first + 1)
    return {row["key"]: _entries(row["entries"], first) for row in rows}


def _entries(raw: list[dict[str, Any]], first: int) -> list[HistoryEntry]:
    shown = []
    for i, entry in enumerate(raw[:first]):
        before = raw[i + 1] if i + 1 < len(raw) else None
        op = entry["op"]
        if op == "UPSERT":
            op = "CREATE" if before is None or before["op"] == "DELETE" else "UPDATE"
        fields = entry.get("fields")
        shown.append(
            HistoryEntry(
                int(entry["seq"]),
                op,
                entry["author"],
                native_datetime(entry["at"]),
                None if fields is None else tuple(fields),
            )
        )
    return shown


def native_datetime(value: Any) -> datetime:
    """A Python datetime from the driver's (``neo4j.time.DateTime``)."""
    native: datetime = value.to_native() if hasattr(value, "to_native") else value
    return native
