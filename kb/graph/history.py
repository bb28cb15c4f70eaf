"""The history of records: their entries in the change log, newest first.

The change log (:mod:`kb.graph.changes`) records ``UPSERT`` or ``DELETE`` per written
node, with its author and time, and for API updates and links which fields changed and
their values before and after (:class:`FieldDiff`, long values cut to
:data:`MAX_VALUE` characters with their full length kept). An ``UPSERT``
is told apart here as ``CREATE`` (the first entry of the record, or the first after a
``DELETE``) or ``UPDATE``: each list is read one entry further back than asked for,
so that the oldest entry shown knows the one before it.

Example:
    >>> histories(graph, "Lesson", ["L-0001"], 20)["L-0001"][0].op
    'UPDATE'
    >>> encode_diffs([field_diff("title", "Salt", "Salt early")])
    '[{"field": "title", "old": "Salt", "new": "Salt early", "oldLength": 4, "newLength": 10}]'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kb.domain.curricula import CurriculumPlan, ModulePlan
from kb.graph.db import Graph

#: The longest value a change keeps, in characters; longer ones are cut (their full
#: length is kept, so that readers are told).
MAX_VALUE = 300

_READ = (
    "MATCH (c:Change {label: $label}) WHERE c.id IN $keys "
    "AND ($before IS NULL OR c.seq < $before) "
    "WITH c ORDER BY c.seq DESC "
    "WITH c.id AS key, collect(c {.seq, .op, .author, .at, .fields, .diff})[0..$limit] AS entries "
    "RETURN key, entries"
)


@dataclass(frozen=True)
class FieldDiff:
    """One field's value before and after a change, as text (None: it had none).

    ``old_length`` and ``new_length`` are the lengths of the full values: larger than
    the text kept when the value was cut to :data:`MAX_VALUE` characters.
    """

    field: str
    old: str | None
    new: str | None
    old_length: int = 0
    new_length: int = 0

    @property
    def truncated(self) -> bool:
        """Whether either value was cut."""
        return self.old_length > len(self.old or "") or self.new_length > len(self.new or "")


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a record: ``op`` is CREATE, UPDATE or DELETE."""

    seq: int
    op: str
    author: str | None
    at: datetime
    fields: tuple[str, ...] | None = None
    diff: tuple[FieldDiff, ...] | None = None


def histories(
    graph: Graph, label: str, keys: list[str], first: int, before: int | None = None
) -> dict[str, list[HistoryEntry]]:
    """The newest ``first`` entries of each record of ``label`` named in ``keys`` (only
    those older than sequence ``before`` when given), newest first, in one statement
    (records without entries are left out)."""
    rows = graph.read(_READ, label=label, keys=keys, limit=first + 1, before=before)
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
                decode_diffs(entry.get("diff")),
            )
        )
    return shown


def native_datetime(value: Any) -> datetime:
    """A Python datetime from the driver's (``neo4j.time.DateTime``)."""
    native: datetime = value.to_native() if hasattr(value, "to_native") else value
    return native


# -- values before and after -----------------------------------------------------------


def display(value: Any) -> str | None:
    """A property value as the history shows it: lists joined with ", ", dates in ISO
    8601, booleans as true/false; None (and an empty list) as None."""
    if hasattr(value, "to_native"):
        value = value.to_native()
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        parts = [text for text in (display(v) for v in value) if text is not None]
        return ", ".join(parts) if parts else None
    return str(value)


def _cut(text: str | None) -> tuple[str | None, int]:
    if text is None:
        return None, 0
    return (text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"), len(text)


def field_diff(name: str, old: Any, new: Any) -> FieldDiff:
    """The change of field ``name`` from ``old`` to ``new``, values cut to size."""
    old_text, old_length = _cut(display(old))
    new_text, new_length = _cut(display(new))
    return FieldDiff(name, old_text, new_text, old_length, new_length)


def property_diffs(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_links: Mapping[str, Sequence[str]] | None = None,
    new_links: Mapping[str, Sequence[str]] | None = None,
) -> list[FieldDiff]:
    """What an update changed: each property of ``new`` whose value differs from
    ``old``, then each link whose keys differ (compared as sets, shown sorted), each
    group by name. Names are the input names (camelCase properties, link fields)."""
    diffs = [
        field_diff(name, old.get(name), new[name])
        for name in sorted(new)
        if display(old.get(name)) != display(new[name])
    ]
    before, after = old_links or {}, new_links or {}
    for name in sorted(after):
        keys = after[name]
        was = sorted(set(before.get(name, ())))
        now = sorted(set(keys))
        if was != now:
            diffs.append(field_diff(name, was, now))
    return diffs


def plan_diffs(
    old: CurriculumPlan,
    new: CurriculumPlan,
    props: Callable[[CurriculumPlan], Mapping[str, Any]],
) -> list[FieldDiff]:
    """What an edit of a curriculum changed: its node's ``props``, its certifications,
    the order of its modules, and each module's title, objectives and items
    (``modules.<key>.items``)."""
    diffs = property_diffs(_plan_fields(old, props), _plan_fields(new, props))
    was = {m.key: m for m in old.modules}
    now = {m.key: m for m in new.modules}
    for key in [*now, *(k for k in was if k not in now)]:
        before, after = was.get(key), now.get(key)
        for part in ("title", "objectives", "items"):
            old_value = _module_part(before, part)
            new_value = _module_part(after, part)
            if display(old_value) != display(new_value):  # an empty list is none
                diffs.append(field_diff(f"modules.{key}.{part}", old_value, new_value))
    return diffs


def _plan_fields(
    plan: CurriculumPlan, props: Callable[[CurriculumPlan], Mapping[str, Any]]
) -> dict[str, Any]:
    return {
        **props(plan),
        "certifications": list(plan.certifications),
        "modules": [m.key for m in plan.modules],
    }


def _module_part(module: ModulePlan | None, part: str) -> list[str] | str | None:
    if module is None:
        return None
    if part == "items":
        return [f"{i.label} {i.key}" for i in module.items]
    value = getattr(module, part)
    return list(value) if isinstance(value, tuple) else str(value)


def encode_diffs(diffs: Sequence[FieldDiff] | None) -> str | None:
    """The JSON text a change entry keeps (Neo4j properties hold no maps)."""
    if diffs is None:
        return None
    return json.dumps(
        [
            {"field": d.field, "old": d.old, "new": d.new}
            | {"oldLength": d.old_length, "newLength": d.new_length}
            for d in diffs
        ],
        ensure_ascii=False,
    )


def decode_diffs(text: str | None) -> tuple[FieldDiff, ...] | None:
    """The diffs of a change entry (None for entries that recorded none)."""
    if text is None:
        return None
    return tuple(
        FieldDiff(d["field"], d["old"], d["new"], int(d["oldLength"]), int(d["newLength"]))
        for d in json.loads(text)
    )
