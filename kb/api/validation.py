"""Checking mutation inputs before any write, by the seed's own rules
(:mod:`kb.domain.rules`: the same fields, limits and messages as the seed files).

Every bad field is found at once, as ``input.<field>``; the mutation reports them in one
error, beside what the graph refuses (see :mod:`kb.api.mutations`).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from kb.api.errors import ApiError
from kb.api.ids import decode_id_of
from kb.domain import rules
from kb.domain.field_readers import RecordReader, SeedError
from kb.graph.writes import NodeWrite, Ref

KEYS: dict[str, tuple[str, str, str]] = {
    # label: (input field, pattern, what is expected), from the one set of rules
    label: (rule.api, *rule.pattern)
    for label, rule in rules.KEYS.items()
    if label in rules.RULES
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def provided(data: Any) -> dict[str, Any]:
    """The fields of an input object that were given (camelCase names, enum values)."""
    values = {}
    for name, value in vars(data).items():
        if value is strawberry.UNSET:
            continue
        values[_camel(name)] = value.value if isinstance(value, Enum) else value
    return values


def plan_node(
    label: str, values: dict[str, Any], key: str, creating: bool
) -> tuple[NodeWrite, list[tuple[str, str]]]:
    """Read ``values`` (given input fields) into a :class:`NodeWrite` and every problem
    found in them, as ``(field, message)``. With problems, the write only serves to ask
    the graph what it would refuse too (missing references, a taken key)."""
    errors: list[SeedError] = []
    problems: list[tuple[str, str]] = []
    reader = RecordReader(errors, "input", None, key, dict(values))
    props: dict[str, Any] = {}
    links: dict[str, list[str]] = {}
    refs: list[Ref] = []
    if creating:
        key_field, pattern, expected = KEYS[label]
        reader.data[key_field] = key
        props[key_field if label != "Lesson" else "id"] = reader.pattern(
            key_field, pattern, expected
        )
    read: dict[str, Any] = {}
    for rule in rules.RULES[label]:
        name = rule.api
        if name not in values and not (creating and rule.required):
            continue
        if rule.kind not in ("ref", "refs"):
            props[name] = read[name] = rules.read_value(reader, rule, name)
            if rule.kind == "tags":
                props[name] = list(props[name])
            continue
        value = values.get(name)
        if value is None and rule.required:
            problems.append((f"input.{name}", f"is missing; the ID of a {rule.target} is required"))
            continue
        items = [] if value is None else (value if rule.kind == "refs" else [value])
        keys = []
        for i, item in enumerate(items):
            where = f"input.{name}" + (f".{i}" if rule.kind == "refs" else "")
            try:
                keys.append(decode_id_of(str(item), rule.target, where))
            except ApiError as error:
                problems.append((where, str(error)))
                continue
            refs.append(Ref(rule.target, keys[-1], where))
        links[f"{label}.{name}"] = read[name] = keys
    rules.check_record(reader, label, read, key, seed=False)
    _provenance(reader, values, props, creating)
    problems += [(f"input.{e.field}" if e.field else "input", e.message) for e in errors]
    return NodeWrite(label, key, props, links, refs), problems


def _provenance(
    reader: RecordReader, values: dict[str, Any], props: dict[str, Any], creating: bool
) -> None:
    if "source" in values or creating:
        props["source"] = reader.text("source", required=False, max_len=2000)
    if "illustrative" in values or creating:
        props["illustrative"] = bool(values.get("illustrative"))
    if creating and not props.get("source") and not props.get("illustrative"):
        reader.error("source", "is missing; give a source or mark the record illustrative: true")
