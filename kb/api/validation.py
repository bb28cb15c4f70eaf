"""Checking mutation inputs before any write, with the seed's own field readers.

Every bad field is found at once, as ``input.<field>``; the mutation reports them in one
error, beside what the graph refuses (see :mod:`kb.api.mutations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry

from kb.api.errors import ApiError
from kb.api.ids import decode_id_of
from kb.domain import patterns
from kb.graph.writes import NodeWrite, Ref
from kb.seed.validate import MAX_TITLE, RecordReader, SeedError

KEYS: dict[str, tuple[str, str, str]] = {
    # label: (input field, pattern, what is expected)
    "Practice": ("slug", *patterns.SLUG),
    "Contract": ("slug", *patterns.SLUG),
    "Alliance": ("slug", *patterns.SLUG),
    "Category": ("code", *patterns.CATEGORY_CODE),
    "Lesson": ("key", *patterns.LESSON_ID),
}


@dataclass(frozen=True)
class Spec:
    """One input field: ``kind`` says how it is read; ``target``/``link`` for references."""

    name: str
    kind: str
    required: bool = False
    target: str | None = None
    link: str | None = None


def _refs(name: str, target: str, label: str) -> Spec:
    return Spec(name, "refs", target=target, link=f"{label}.{name}")


def _ref(name: str, target: str, label: str, required: bool = False) -> Spec:
    return Spec(name, "ref", required=required, target=target, link=f"{label}.{name}")


SPECS: dict[str, list[Spec]] = {
    "Practice": [
        Spec("title", "title", True), Spec("summary", "text"), Spec("body", "text", True),
        Spec("focusArea", "enum"), Spec("tags", "tags"), Spec("publishedOn", "day"),
        _refs("states", "State", "Practice"), _refs("alliances", "Alliance", "Practice"),
        _refs("categories", "Category", "Practice"), _refs("contracts", "Contract", "Practice"),
        _refs("related", "Practice", "Practice"), _refs("prerequisites", "Practice", "Practice"),
    ],
    "Lesson": [
        Spec("title", "title", True), Spec("context", "text"), Spec("lesson", "text", True),
        Spec("recommendation", "text"), Spec("recordedOn", "day"), Spec("status", "enum"),
        Spec("tags", "tags"), _ref("state", "State", "Lesson", required=True),
        _ref("practice", "Practice", "Lesson"), _refs("alliances", "Alliance", "Lesson"),
        _refs("contracts", "Contract", "Lesson"), _refs("categories", "Category", "Lesson"),
    ],
    "Contract": [
        Spec("title", "title", True), Spec("number", "short"), Spec("status", "enum", True),
        Spec("startsOn", "day"), Spec("endsOn", "day"), Spec("description", "text"),
        _ref("alliance", "Alliance", "Contract", required=True),
        _ref("leadState", "State", "Contract"),
        _refs("categories", "Category", "Contract"),
    ],
    "Alliance": [
        Spec("name", "title", True), Spec("acronym", "short"), Spec("scope", "enum", True),
        Spec("description", "text"), Spec("founded", "year"), Spec("dissolved", "year"),
        _ref("armOf", "Alliance", "Alliance"),
    ],
    "Category": [
        Spec("name", "title", True), Spec("kind", "enum", True), Spec("description", "text"),
        _ref("parent", "Category", "Category"),
    ],
}  # fmt: skip


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
    for spec in SPECS[label]:
        if spec.name not in values and not (creating and spec.required):
            continue
        value = values.get(spec.name)
        if spec.kind in ("ref", "refs"):
            assert spec.target is not None and spec.link is not None
            if value is None and spec.required:
                problems.append(
                    (f"input.{spec.name}", f"is missing; the ID of a {spec.target} is required")
                )
                continue
            items = [] if value is None else (value if spec.kind == "refs" else [value])
            keys = []
            for i, item in enumerate(items):
                where = f"input.{spec.name}" + (f".{i}" if spec.kind == "refs" else "")
                try:
                    keys.append(decode_id_of(str(item), spec.target, where))
                except ApiError as error:
                    problems.append((where, str(error)))
                    continue
                refs.append(Ref(spec.target, keys[-1], where))
            links[spec.link] = keys
        elif spec.kind in ("title", "short"):
            props[spec.name] = reader.text(spec.name, spec.required, max_len=MAX_TITLE)
        elif spec.kind == "text":
            props[spec.name] = reader.text(spec.name, spec.required)
        elif spec.kind == "day":
            props[spec.name] = reader.day(spec.name, spec.required)
        elif spec.kind == "year":
            props[spec.name] = reader.integer(spec.name, 1800, 2200)
        elif spec.kind == "tags":
            tags = list(reader.text_list(spec.name))
            for tag in tags:
                if len(tag) > 100:
                    reader.error(
                        spec.name, f"tag {tag[:20]!r}... is {len(tag)} characters long; at most 100"
                    )
            props[spec.name] = tags
        elif spec.kind == "enum":
            if value is None and spec.required:
                reader.error(spec.name, "is missing; a value is required")
            props[spec.name] = value
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
