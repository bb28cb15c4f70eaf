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
"""

from __future__ import annotations

from typing import LiteralString

from kb.domain import relationships as table
from kb.domain.relationships import Direction, Edge, Relationship

_CURRENT: LiteralString = "(m.until IS NULL OR m.until > date())"


def linked(rel: Relationship, name: LiteralString, subcategories: bool = False) -> LiteralString:
    """The condition "``n`` is linked by ``rel`` to the node whose key is ``$w[name]``"
    (no filter when ``$w[name]`` is null), built from the relationship table. A dated
    edge counts only while current; with ``subcategories``, a link to a category under
    the named one counts too (up to five levels down).

    Example:
        >>> linked(table.LESSON_PRACTICE, "practice")
        '($w.practice IS NULL OR EXISTS { (n)-[:PART_OF]->(:Practice {id: $w.practice}) })'
    """
    if rel.type is None or rel.direction is Direction.EITHER:
        raise ValueError(f"{rel} has no stored direction to filter by")
    edge: LiteralString = (
        "[m:" + rel.type + "]" if rel.edge is Edge.PERIOD else "[:" + rel.type + "]"
    )
    target: LiteralString = "(:" + rel.target + " {id: $w." + name + "})"
    if subcategories:
        target = "(:" + rel.target + ")-[:CHILD_OF*0..5]->" + target
    if rel.direction is Direction.OUT:
        path = "(n)-" + edge + "->" + target
    else:
        path = target + "-" + edge + "->(n)"
    if rel.edge is Edge.PERIOD:
        path = "MATCH " + path + " WHERE " + _CURRENT
    return "($w." + name + " IS NULL OR EXISTS { " + path + " })"


STATE: LiteralString = (
    "($w.text IS NULL OR toLower(n.name) CONTAINS toLower($w.text) OR n.code = toUpper($w.text))"
    " AND ($w.kinds IS NULL OR n.kind IN $w.kinds)"
    " AND ($w.regions IS NULL OR n.region IN $w.regions)"
    " AND ($w.naspoRegions IS NULL OR n.naspoRegion IN $w.naspoRegions)"
    " AND " + linked(table.STATE_ALLIANCES, "memberOf")
)

ALLIANCE: LiteralString = (
    "($w.text IS NULL OR toLower(n.name) CONTAINS toLower($w.text)"
    " OR toLower(n.acronym) CONTAINS toLower($w.text))"
    " AND ($w.scopes IS NULL OR n.scope IN $w.scopes)"
    " AND "
    + linked(table.ALLIANCE_MEMBERS, "hasMember")
    + " AND "
    + linked(table.ALLIANCE_PARENT, "armOf")
)

CONTRACT: LiteralString = (
    "($w.text IS NULL OR toLower(n.title) CONTAINS toLower($w.text)"
    " OR toLower(coalesce(n.number, '')) CONTAINS toLower($w.text))"
    " AND ($w.statuses IS NULL OR n.status IN $w.statuses)"
    " AND "
    + linked(table.CONTRACT_LEAD_STATE, "leadState")
    + " AND "
    + linked(table.CONTRACT_PARTICIPANTS, "participatingState")
    + " AND "
    + linked(table.CONTRACT_ALLIANCE, "alliance")
    + " AND "
    + linked(table.CONTRACT_CATEGORIES, "category", subcategories=True)
    + " AND ($w.startsFrom IS NULL OR n.startsOn >= $w.startsFrom)"
    " AND ($w.startsTo IS NULL OR n.startsOn <= $w.startsTo)"
    " AND ($w.endsFrom IS NULL OR n.endsOn >= $w.endsFrom)"
    " AND ($w.endsTo IS NULL OR n.endsOn <= $w.endsTo)"
    " AND ($w.endsBefore IS NULL OR n.endsOn < $w.endsBefore)"
    " AND ($w.openTo IS NULL OR $w.openTo IN coalesce(n.openTo, []))"
    " AND ($w.vendor IS NULL OR EXISTS { (:Vendor {id: $w.vendor})-[:AWARDED_UNDER]->(n) })"
)

CATEGORY: LiteralString = (
    "($w.text IS NULL OR toLower(n.name) CONTAINS toLower($w.text) OR n.code = $w.text)"
    " AND ($w.kinds IS NULL OR n.kind IN $w.kinds)"
    " AND "
    + linked(table.CATEGORY_PARENT, "parent")
    + " AND ($w.topLevel IS NULL OR $w.topLevel = (NOT EXISTS { (n)-[:CHILD_OF]->() }))"
)

PRACTICE: LiteralString = (
    "($w.text IS NULL OR toLower(n.title) CONTAINS toLower($w.text)"
    " OR toLower(coalesce(n.summary, '')) CONTAINS toLower($w.text))"
    " AND ($w.focusAreas IS NULL OR n.focusArea IN $w.focusAreas)"
    " AND ($w.tag IS NULL OR $w.tag IN n.tags)"
    " AND "
    + linked(table.PRACTICE_STATES, "state")
    + " AND "
    + linked(table.PRACTICE_ALLIANCES, "alliance")
    + " AND "
    + linked(table.PRACTICE_CATEGORIES, "category", subcategories=True)
    + " AND "
    + linked(table.PRACTICE_CONTRACTS, "contract")
    + " AND ($w.publishedFrom IS NULL OR n.publishedOn >= $w.publishedFrom)"
    " AND ($w.publishedTo IS NULL OR n.publishedOn <= $w.publishedTo)"
)

LESSON: LiteralString = (
    "($w.text IS NULL OR toLower(n.title) CONTAINS toLower($w.text))"
    " AND ($w.statuses IS NULL OR n.status IN $w.statuses)"
    " AND ($w.tag IS NULL OR $w.tag IN n.tags)"
    " AND "
    + linked(table.LESSON_STATE, "state")
    + " AND "
    + linked(table.LESSON_ALLIANCES, "alliance")
    + " AND "
    + linked(table.LESSON_CONTRACTS, "contract")
    + " AND "
    + linked(table.LESSON_CATEGORIES, "category", subcategories=True)
    + " AND "
    + linked(table.LESSON_PRACTICE, "practice")
    + " AND ($w.recordedFrom IS NULL OR n.recordedOn >= $w.recordedFrom)"
    " AND ($w.recordedTo IS NULL OR n.recordedOn <= $w.recordedTo)"
)

FILTERS: dict[str, LiteralString] = {
    "State": STATE,
    "Alliance": ALLIANCE,
    "Contract": CONTRACT,
    "Category": CATEGORY,
    "Practice": PRACTICE,
    "Lesson": LESSON,
}
