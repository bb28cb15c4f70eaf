"""The ``WHERE`` condition of each label's lists, over the node ``n`` and the map ``$w``.

Every condition is fixed text; the values come in the ``$w`` parameter, and a name that
is absent (or null) in ``$w`` does not filter. The names per label:

- State: text, kinds, regions, naspoRegions, memberOf (alliance slug)
- Alliance: text, scopes, hasMember (state code), armOf (alliance slug)
- Contract: text, statuses, leadState, participatingState, alliance, category (code,
  sub-categories included), startsFrom, startsTo, endsFrom, endsTo, endsBefore,
  openTo (an entity type the terms list), vendor (slug)
- Category: text, kinds, parent (code), topLevel (boolean)
- Practice: text, focusAreas, tag, state, alliance, category, contract,
  publishedFrom, publishedTo
- Lesson: text, statuses, tag, state, alliance, contract, category, practice,
  recordedFrom, recordedTo

Date bounds are inclusive. ``text`` matches a fragment of the name or title, ignoring case.
A name that follows a relationship (``memberOf``, ``leadState``, ``category`` ...) is
built by :func:`linked` from its line in :mod:`kb.domain.relationships`.

:data:`FILTERS` is one fixed condition per label, every name guarded by
``$w.name IS NULL OR``: one statement serves every filter, but Neo4j cannot use an
index through such a guard. :func:`list_match` writes the ``MATCH ... WHERE`` of a list
for the names actually given, so that a key names an index seek (a linked node, found by
its key, from which ``n`` is reached) and a status, a date bound or a focus area an
index seek or range scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, LiteralString

from kb.domain import relationships as table
from kb.domain.relationships import Direction, Edge, Relationship

_CURRENT: LiteralString = "(m.until IS NULL OR m.until > date())"


@dataclass(frozen=True)
class Condition:
    """The test of one filter name over ``n`` and ``$w.<name>`` (without the null guard).

    ``anchor`` is, for a name that links ``n`` to a node found by its key, the ``MATCH``
    that reaches ``n`` from that node (and ``anchor_where`` what its edge must satisfy):
    the same test, led by an index seek on the key.
    """

    name: LiteralString
    test: LiteralString
    anchor: LiteralString | None = None
    anchor_where: LiteralString | None = None

    @property
    def guarded(self) -> LiteralString:
        """The test in :data:`FILTERS` form: no filter when ``$w.<name>`` is null."""
        return "($w." + self.name + " IS NULL OR " + self.test + ")"


def _link(
    label: LiteralString, rel: Relationship, name: LiteralString, subcategories: bool = False
) -> Condition:
    if rel.type is None or rel.direction is Direction.EITHER:
        raise ValueError(f"{rel} has no stored direction to filter by")
    edge: LiteralString = (
        "[m:" + rel.type + "]" if rel.edge is Edge.PERIOD else "[:" + rel.type + "]"
    )
    target: LiteralString = "(:" + rel.target + " {id: $w." + name + "})"
    if subcategories:
        target = "(:" + rel.target + ")-[:CHILD_OF*0..5]->" + target
    node: LiteralString = "(n:" + label + ")"
    if rel.direction is Direction.OUT:
        path, anchor = "(n)-" + edge + "->" + target, node + "-" + edge + "->" + target
    else:
        path, anchor = target + "-" + edge + "->(n)", target + "-" + edge + "->" + node
    if rel.edge is Edge.PERIOD:
        return Condition(
            name,
            "EXISTS { MATCH " + path + " WHERE " + _CURRENT + " }",
            "MATCH " + anchor,
            _CURRENT,
        )
    return Condition(name, "EXISTS { " + path + " }", "MATCH " + anchor)


def linked(rel: Relationship, name: LiteralString, subcategories: bool = False) -> LiteralString:
    """The condition "``n`` is linked by ``rel`` to the node whose key is ``$w[name]``"
    (no filter when ``$w[name]`` is null), built from the relationship table. A dated
    edge counts only while current; with ``subcategories``, a link to a category under
    the named one counts too (up to five levels down).

    Example:
        >>> linked(table.LESSON_PRACTICE, "practice")
        '($w.practice IS NULL OR EXISTS { (n)-[:PART_OF]->(:Practice {id: $w.practice}) })'
    """
    return _link(rel.parent, rel, name, subcategories).guarded


def _is(name: LiteralString, test: LiteralString) -> Condition:
    return Condition(name, test)


CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "State": (
        _is(
            "text",
            "toLower(n.name) CONTAINS toLower($w.text) OR n.code = toUpper($w.text)",
        ),
        _is("kinds", "n.kind IN $w.kinds"),
        _is("regions", "n.region IN $w.regions"),
        _is("naspoRegions", "n.naspoRegion IN $w.naspoRegions"),
        _link("State", table.STATE_ALLIANCES, "memberOf"),
    ),
    "Alliance": (
        _is(
            "text",
            "toLower(n.name) CONTAINS toLower($w.text) OR toLower(n.acronym) CONTAINS toLower($w.text)",
        ),
        _is("scopes", "n.scope IN $w.scopes"),
        _link("Alliance", table.ALLIANCE_MEMBERS, "hasMember"),
        _link("Alliance", table.ALLIANCE_PARENT, "armOf"),
    ),
    "Contract": (
        _is(
            "text",
            "toLower(n.title) CONTAINS toLower($w.text)"
            " OR toLower(coalesce(n.number, '')) CONTAINS toLower($w.text)",
        ),
        _is("statuses", "n.status IN $w.statuses"),
        _link("Contract", table.CONTRACT_LEAD_STATE, "leadState"),
        _link("Contract", table.CONTRACT_PARTICIPANTS, "participatingState"),
        _link("Contract", table.CONTRACT_ALLIANCE, "alliance"),
        _link("Contract", table.CONTRACT_CATEGORIES, "category", subcategories=True),
        _is("startsFrom", "n.startsOn >= $w.startsFrom"),
        _is("startsTo", "n.startsOn <= $w.startsTo"),
        _is("endsFrom", "n.endsOn >= $w.endsFrom"),
        _is("endsTo", "n.endsOn <= $w.endsTo"),
        _is("endsBefore", "n.endsOn < $w.endsBefore"),
        _is("openTo", "$w.openTo IN coalesce(n.openTo, [])"),
        Condition(
            "vendor",
            "EXISTS { (:Vendor {id: $w.vendor})-[:AWARDED_UNDER]->(n) }",
            "MATCH (:Vendor {id: $w.vendor})-[:AWARDED_UNDER]->(n:Contract)",
        ),
    ),
    "Category": (
        _is("text", "toLower(n.name) CONTAINS toLower($w.text) OR n.code = $w.text"),
        _is("kinds", "n.kind IN $w.kinds"),
        _link("Category", table.CATEGORY_PARENT, "parent"),
        _is("topLevel", "$w.topLevel = (NOT EXISTS { (n)-[:CHILD_OF]->() })"),
    ),
    "Practice": (
        _is(
            "text",
            "toLower(n.title) CONTAINS toLower($w.text)"
            " OR toLower(coalesce(n.summary, '')) CONTAINS toLower($w.text)",
        ),
        _is("focusAreas", "n.focusArea IN $w.focusAreas"),
        _is("tag", "$w.tag IN n.tags"),
        _link("Practice", table.PRACTICE_STATES, "state"),
        _link("Practice", table.PRACTICE_ALLIANCES, "alliance"),
        _link("Practice", table.PRACTICE_CATEGORIES, "category", subcategories=True),
        _link("Practice", table.PRACTICE_CONTRACTS, "contract"),
        _is("publishedFrom", "n.publishedOn >= $w.publishedFrom"),
        _is("publishedTo", "n.publishedOn <= $w.publishedTo"),
    ),
    "Lesson": (
        _is("text", "toLower(n.title) CONTAINS toLower($w.text)"),
        _is("statuses", "n.status IN $w.statuses"),
        _is("tag", "$w.tag IN n.tags"),
        _link("Lesson", table.LESSON_STATE, "state"),
        _link("Lesson", table.LESSON_ALLIANCES, "alliance"),
        _link("Lesson", table.LESSON_CONTRACTS, "contract"),
        _link("Lesson", table.LESSON_CATEGORIES, "category", subcategories=True),
        _link("Lesson", table.LESSON_PRACTICE, "practice"),
        _is("recordedFrom", "n.recordedOn >= $w.recordedFrom"),
        _is("recordedTo", "n.recordedOn <= $w.recordedTo"),
    ),
}
"""Each label's filter names, in order, with their tests."""

FILTERS: dict[str, LiteralString] = {
    label: " AND ".join(c.guarded for c in conditions) for label, conditions in CONDITIONS.items()
}
STATE, ALLIANCE, CONTRACT = FILTERS["State"], FILTERS["Alliance"], FILTERS["Contract"]
CATEGORY, PRACTICE, LESSON = FILTERS["Category"], FILTERS["Practice"], FILTERS["Lesson"]


def given(label: str, where: Mapping[str, Any]) -> tuple[Condition, ...]:
    """The conditions of ``label`` whose name has a value (not null) in ``where``."""
    return tuple(c for c in CONDITIONS[label] if where.get(c.name) is not None)


def list_match(label: LiteralString, conditions: Iterable[Condition]) -> LiteralString:
    """``MATCH`` and ``WHERE`` binding each node ``n`` of ``label`` that passes every one
    of ``conditions`` once, then ``WITH n, null AS r``. The first linked condition leads
    (its anchor starts from an index seek on the linked node's key); the other tests
    stand as plain predicates, so Neo4j can seek a status or a date in a range index.

    Example:
        >>> list_match("Lesson", given("Lesson", {"state": "UT", "statuses": ["OBSERVATION"]}))
        'MATCH (n:Lesson)-[:FROM]->(:State {id: $w.state}) WHERE (n.status IN $w.statuses) WITH DISTINCT n, null AS r'
    """
    rest = list(conditions)
    lead = next((c for c in rest if c.anchor is not None), None)
    if lead is None or lead.anchor is None:
        match: LiteralString = "MATCH (n:" + label + ")"
        tests: list[LiteralString] = []
        distinct: LiteralString = "WITH n, null AS r"
    else:
        rest.remove(lead)
        match = lead.anchor
        tests = [lead.anchor_where] if lead.anchor_where is not None else []
        # Several edges (or sub-categories) can lead to the same node: each node once.
        distinct = "WITH DISTINCT n, null AS r"
    tests += ["(" + c.test + ")" for c in rest]
    where: LiteralString = " WHERE " + " AND ".join(tests) if tests else ""
    return match + where + " " + distinct
