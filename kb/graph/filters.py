"""The ``WHERE`` condition of each label's lists, over the node ``n`` and the map ``$w``.

Every condition is fixed text; the values come in the ``$w`` parameter, and a name that
is absent (or null) in ``$w`` does not filter. The names per label:

- State: text, kinds, regions, naspoRegions, memberOf (alliance slug)
- Alliance: text, scopes, hasMember (state code), armOf (alliance slug)
- Contract: text, statuses, leadState, participatingState, alliance, category (code,
  sub-categories included), startsFrom, startsTo, endsFrom, endsTo
- Category: text, kinds, parent (code), topLevel (boolean)
- Practice: text, focusAreas, tag, state, alliance, category, contract,
  publishedFrom, publishedTo
- Lesson: text, statuses, tag, state, alliance, contract, category, practice,
  recordedFrom, recordedTo

Date bounds are inclusive. ``text`` matches a fragment of the name or title, ignoring case.
"""

from __future__ import annotations

from typing import LiteralString

_CURRENT: LiteralString = "(m.until IS NULL OR m.until > date())"

STATE: LiteralString = (
    "($w.text IS NULL OR toLower(n.name) CONTAINS toLower($w.text) OR n.code = toUpper($w.text))"
    " AND ($w.kinds IS NULL OR n.kind IN $w.kinds)"
    " AND ($w.regions IS NULL OR n.region IN $w.regions)"
    " AND ($w.naspoRegions IS NULL OR n.naspoRegion IN $w.naspoRegions)"
    " AND ($w.memberOf IS NULL OR EXISTS { MATCH (n)-[m:MEMBER_OF]->(:Alliance {id: $w.memberOf}) WHERE "
    + _CURRENT
    + " })"
)

ALLIANCE: LiteralString = (
    "($w.text IS NULL OR toLower(n.name) CONTAINS toLower($w.text)"
    " OR toLower(n.acronym) CONTAINS toLower($w.text))"
    " AND ($w.scopes IS NULL OR n.scope IN $w.scopes)"
    " AND ($w.hasMember IS NULL OR EXISTS { MATCH (:State {id: $w.hasMember})-[m:MEMBER_OF]->(n) WHERE "
    + _CURRENT
    + " })"
    " AND ($w.armOf IS NULL OR EXISTS { (n)-[:ARM_OF]->(:Alliance {id: $w.armOf}) })"
)

CONTRACT: LiteralString = (
    "($w.text IS NULL OR toLower(n.title) CONTAINS toLower($w.text)"
    " OR toLower(coalesce(n.number, '')) CONTAINS toLower($w.text))"
    " AND ($w.statuses IS NULL OR n.status IN $w.statuses)"
    " AND ($w.leadState IS NULL OR EXISTS { (:State {id: $w.leadState})-[:LEADS]->(n) })"
    " AND ($w.participatingState IS NULL"
    " OR EXISTS { (:State {id: $w.participatingState})-[:PARTICIPATES_IN]->(n) })"
    " AND ($w.alliance IS NULL OR EXISTS { (:Alliance {id: $w.alliance})-[:AWARDED]->(n) })"
    " AND ($w.category IS NULL"
    " OR EXISTS { (n)-[:COVERS]->(:Category)-[:CHILD_OF*0..5]->(:Category {id: $w.category}) })"
    " AND ($w.startsFrom IS NULL OR n.startsOn >= $w.startsFrom)"
    " AND ($w.startsTo IS NULL OR n.startsOn <= $w.startsTo)"
    " AND ($w.endsFrom IS NULL OR n.endsOn >= $w.endsFrom)"
    " AND ($w.endsTo IS NULL OR n.endsOn <= $w.endsTo)"
)

CATEGORY: LiteralString = (
    "($w.text IS NULL OR toLower(n.name) CONTAINS toLower($w.text) OR n.code = $w.text)"
    " AND ($w.kinds IS NULL OR n.kind IN $w.kinds)"
    " AND ($w.parent IS NULL OR EXISTS { (n)-[:CHILD_OF]->(:Category {id: $w.parent}) })"
    " AND ($w.topLevel IS NULL OR $w.topLevel = (NOT EXISTS { (n)-[:CHILD_OF]->() }))"
)

PRACTICE: LiteralString = (
    "($w.text IS NULL OR toLower(n.title) CONTAINS toLower($w.text)"
    " OR toLower(coalesce(n.summary, '')) CONTAINS toLower($w.text))"
    " AND ($w.focusAreas IS NULL OR n.focusArea IN $w.focusAreas)"
    " AND ($w.tag IS NULL OR $w.tag IN n.tags)"
    " AND ($w.state IS NULL OR EXISTS { (n)-[:SHARED_BY]->(:State {id: $w.state}) })"
    " AND ($w.alliance IS NULL OR EXISTS { (n)-[:SHARED_BY]->(:Alliance {id: $w.alliance}) })"
    " AND ($w.category IS NULL"
    " OR EXISTS { (n)-[:APPLIES_TO]->(:Category)-[:CHILD_OF*0..5]->(:Category {id: $w.category}) })"
    " AND ($w.contract IS NULL OR EXISTS { (n)-[:REFERENCES]->(:Contract {id: $w.contract}) })"
    " AND ($w.publishedFrom IS NULL OR n.publishedOn >= $w.publishedFrom)"
    " AND ($w.publishedTo IS NULL OR n.publishedOn <= $w.publishedTo)"
)

LESSON: LiteralString = (
    "($w.text IS NULL OR toLower(n.title) CONTAINS toLower($w.text))"
    " AND ($w.statuses IS NULL OR n.status IN $w.statuses)"
    " AND ($w.tag IS NULL OR $w.tag IN n.tags)"
    " AND ($w.state IS NULL OR EXISTS { (n)-[:FROM]->(:State {id: $w.state}) })"
    " AND ($w.alliance IS NULL OR EXISTS { (n)-[:ABOUT]->(:Alliance {id: $w.alliance}) })"
    " AND ($w.contract IS NULL OR EXISTS { (n)-[:ABOUT]->(:Contract {id: $w.contract}) })"
    " AND ($w.category IS NULL"
    " OR EXISTS { (n)-[:ABOUT]->(:Category)-[:CHILD_OF*0..5]->(:Category {id: $w.category}) })"
    " AND ($w.practice IS NULL OR EXISTS { (n)-[:PART_OF]->(:Practice {id: $w.practice}) })"
    " AND ($w.recordedFrom IS NULL OR n.recordedOn >= $w.recordedFrom)"
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
