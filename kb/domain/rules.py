"""The field rules of each kind of record, written once: which fields it has, how each is
read, which are required, their limits and what they refer to.

The seed builders (:mod:`kb.seed.build`, also used by ``kb import``) and the mutation
inputs (:mod:`kb.api.validation`) both read a record through these rules with the same
:class:`~kb.domain.field_readers.RecordReader`, so the same bad value gets the same
message wherever it comes from. A field has two names: ``seed`` (snake_case, as in the
seed files) and ``api`` (camelCase, as in the GraphQL inputs).

Example:
    >>> errors = []
    >>> reader = RecordReader(errors, "input", None, "'L-0001'", {"status": "OPEN"})
    >>> read_value(reader, field_rule("Lesson", "status"), "status")
    >>> errors[0].message
    "'OPEN' is not accepted; expected one of LESSON_IDENTIFIED, LESSON_LEARNED, OBSERVATION"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb.domain import patterns
from kb.domain import records as r
from kb.domain.field_readers import MAX_TEXT, MAX_TITLE, KnownKeys, RecordReader

#: The longest tag (characters).
MAX_TAG = 100
#: The years an alliance may be founded or dissolved in.
YEARS = (1800, 2100)


@dataclass(frozen=True)
class FieldRule:
    """One field of a kind of record.

    ``kind`` says how it is read: ``text`` (``max_len``), ``choice`` (one of
    ``choices``), ``day``, ``year``, ``tags``, ``ref`` or ``refs`` (keys of ``target``
    records, ``known`` naming the :class:`KnownKeys` set, ``what`` how errors name one).
    """

    seed: str
    api: str
    kind: str
    required: bool = False
    max_len: int = MAX_TEXT
    choices: tuple[str, ...] = ()
    target: str = ""
    known: str = ""
    what: str = ""


@dataclass(frozen=True)
class KeyRule:
    """The key of a kind of record: its field names and the pattern it must match."""

    seed: str
    api: str
    pattern: patterns.KeyPattern


def _text(seed: str, api: str, required: bool = False, max_len: int = MAX_TEXT) -> FieldRule:
    return FieldRule(seed, api, "text", required, max_len)


def _choice(seed: str, api: str, choices: tuple[str, ...], required: bool = False) -> FieldRule:
    return FieldRule(seed, api, "choice", required, choices=choices)


def _ref(seed: str, api: str, target: str, required: bool = False, many: bool = False) -> FieldRule:
    known, what = _TARGETS[target]
    return FieldRule(
        seed, api, "refs" if many else "ref", required, target=target, known=known, what=what
    )


_TARGETS = {
    "State": ("states", "state code"),
    "Alliance": ("alliances", "alliance slug"),
    "Category": ("categories", "category code"),
    "Contract": ("contracts", "contract slug"),
    "Practice": ("practices", "practice slug"),
}

KEYS: dict[str, KeyRule] = {
    "State": KeyRule("code", "code", patterns.STATE_CODE),
    "Alliance": KeyRule("slug", "slug", patterns.SLUG),
    "Category": KeyRule("code", "code", patterns.CATEGORY_CODE),
    "Contract": KeyRule("slug", "slug", patterns.SLUG),
    "Practice": KeyRule("slug", "slug", patterns.SLUG),
    "Lesson": KeyRule("id", "key", patterns.LESSON_ID),
}

# Optional fields are optional everywhere: a lesson needs a title, the lesson itself and
# the state it comes from; a practice a title and a body. What the API may leave out,
# the seed files may too, so that a record made through the API exports and seeds again.
RULES: dict[str, tuple[FieldRule, ...]] = {
    "Alliance": (
        _text("name", "name", True, MAX_TITLE),
        _text("acronym", "acronym", max_len=40),
        _choice("scope", "scope", r.ALLIANCE_SCOPES, True),
        _text("description", "description"),
        FieldRule("founded", "founded", "year"),
        FieldRule("dissolved", "dissolved", "year"),
        _ref("arm_of", "armOf", "Alliance"),
    ),
    "Category": (
        _text("name", "name", True, MAX_TITLE),
        _choice("kind", "kind", r.CATEGORY_KINDS, True),
        _ref("parent", "parent", "Category"),
        _text("description", "description"),
    ),
    "Contract": (
        _text("title", "title", True, MAX_TITLE),
        _text("number", "number", max_len=80),
        _choice("status", "status", r.CONTRACT_STATUSES, True),
        FieldRule("starts_on", "startsOn", "day"),
        FieldRule("ends_on", "endsOn", "day"),
        _text("description", "description"),
        _ref("alliance", "alliance", "Alliance", required=True),
        _ref("lead_state", "leadState", "State"),
        _ref("categories", "categories", "Category", many=True),
    ),
    "Practice": (
        _text("title", "title", True, MAX_TITLE),
        _text("summary", "summary", max_len=2000),
        _text("body", "body", True),
        _choice("focus_area", "focusArea", r.FOCUS_AREAS),
        FieldRule("tags", "tags", "tags"),
        FieldRule("published", "publishedOn", "day"),
        _ref("states", "states", "State", many=True),
        _ref("alliances", "alliances", "Alliance", many=True),
        _ref("categories", "categories", "Category", many=True),
        _ref("contracts", "contracts", "Contract", many=True),
        _ref("related", "related", "Practice", many=True),
        _ref("prerequisites", "prerequisites", "Practice", many=True),
    ),
    "Lesson": (
        _text("title", "title", True, MAX_TITLE),
        _text("context", "context"),
        _text("lesson", "lesson", True),
        _text("recommendation", "recommendation"),
        FieldRule("recorded", "recordedOn", "day"),
        _choice("status", "status", r.LESSON_STATUSES),
        _ref("state", "state", "State", required=True),
        # One key, or a list of them, in the seed files.
        _ref("alliance", "alliances", "Alliance", many=True),
        _ref("contract", "contracts", "Contract", many=True),
        _ref("categories", "categories", "Category", many=True),
        _ref("practice", "practice", "Practice"),
        FieldRule("tags", "tags", "tags"),
    ),
}


def field_rule(label: str, name: str) -> FieldRule:
    """The rule of field ``name`` (its seed or API name) of ``label``."""
    for rule in RULES[label]:
        if name in (rule.seed, rule.api):
            return rule
    raise KeyError(f"{label} has no field {name!r}")


def read_value(
    reader: RecordReader, rule: FieldRule, name: str, known: KnownKeys | None = None
) -> Any:
    """Read field ``name`` of ``reader``'s record by ``rule`` (an error recorded for a bad
    value). References are checked against ``known`` when given; without it (mutation
    inputs, whose references are global IDs) ``ref``/``refs`` fields are not read here."""
    if rule.kind == "text":
        return reader.text(name, rule.required, max_len=rule.max_len)
    if rule.kind == "choice":
        return reader.choice(name, rule.choices, rule.required)
    if rule.kind == "day":
        return reader.day(name, rule.required)
    if rule.kind == "year":
        return reader.integer(name, *YEARS)
    if rule.kind == "tags":
        tags = reader.text_list(name)
        for tag in tags:
            if len(tag) > MAX_TAG:
                reader.error(
                    name, f"tag {tag[:20]!r}... is {len(tag)} characters long; at most {MAX_TAG}"
                )
        return tags
    if known is None:
        raise ValueError(f"the references of {name!r} need the known keys")
    keys = getattr(known, rule.known)
    if rule.kind == "ref":
        return reader.ref(name, keys, rule.what, required=rule.required)
    return reader.refs(name, keys, rule.what)


def read_fields(
    reader: RecordReader, label: str, known: KnownKeys, key: str | None = None
) -> dict[str, Any]:
    """Every field of a seed record of ``label`` by its rules, by seed name; ``key``
    (the record's key, when known) is used to refuse a reference to itself."""
    values = {rule.seed: read_value(reader, rule, rule.seed, known) for rule in RULES[label]}
    check_record(reader, label, values, key, seed=True)
    return values


def check_record(
    reader: RecordReader,
    label: str,
    values: dict[str, Any],
    key: str | None,
    seed: bool,
) -> None:
    """The rules across fields, on the values read (by seed names when ``seed``, else by
    API names; fields absent from ``values`` are not checked): an end before its start,
    a record that refers to itself."""
    for start, end in _ORDERED.get(label, ()):
        first, last = (field_rule(label, name) for name in (start, end))
        a = values.get(first.seed if seed else first.api)
        b = values.get(last.seed if seed else last.api)
        name_a, name_b = (rule.seed if seed else rule.api for rule in (first, last))
        if a is not None and b is not None and b < a:
            reader.error(name_b, f"{b} is before {name_a} ({a})")
    if key is None:
        return
    for rule in RULES[label]:
        if rule.target != label:
            continue
        value = values.get(rule.seed if seed else rule.api)
        refs = value if isinstance(value, tuple | list) else (value,)
        if key in refs:
            reader.error(rule.seed if seed else rule.api, f"{key!r} refers to itself")


#: Pairs of fields the second of which may not be before the first.
_ORDERED = {
    "Alliance": [("founded", "dissolved")],
    "Contract": [("starts_on", "ends_on")],
}
