"""The relationships of the model, declared once: the table the graph reads, the API's
relationship fields and their checks are built from.

Each :class:`Relationship` is one field of a node type that leads to other nodes: the
parent label and the field name the API shows, the stored relationship type and which
way it points from the parent, the target label, whether it lists many nodes or names
one, what its edges carry, and one line saying what it means (the field's description).

- :mod:`kb.graph.reads` builds the Cypher of each from this table (one ``UNWIND``
  statement per field for all parents of a request).
- :mod:`kb.api.relationship_fields` builds the GraphQL field of each: a connection with
  ``first``/``after``/``where``/``orderBy`` (and ``asOf`` for dated edges) over the
  target's filter and order types, or a single node.
- The node types in :mod:`kb.api.types` name the constants below, so a misspelt
  relationship fails ``mypy``; a relationship of the table missing from its type, or a
  field named apart from its relationship, fails at import (and in
  ``tests/domain/test_relationships.py``).

Adding a relationship: one line here, one ``relationship_field(...)`` line on the type,
and a test that reads it.

Example:
    >>> STATE_ALLIANCES.name, STATE_ALLIANCES.type, STATE_ALLIANCES.direction.name
    ('State.alliances', 'MEMBER_OF', 'OUT')
    >>> [r.field for r in of_label("Contract") if not r.many]
    ['alliance', 'leadState']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

Label = Literal["State", "Alliance", "Contract", "Category", "Practice", "Lesson"]

#: The node labels, in the order the API lists its types.
LABELS: tuple[Label, ...] = ("State", "Alliance", "Contract", "Category", "Practice", "Lesson")

RelationshipType = Literal[
    "MEMBER_OF",
    "LEADS",
    "PARTICIPATES_IN",
    "AWARDED",
    "ARM_OF",
    "COVERS",
    "CHILD_OF",
    "SHARED_BY",
    "APPLIES_TO",
    "REFERENCES",
    "RELATED_TO",
    "PREREQUISITE_OF",
    "FROM",
    "ABOUT",
    "PART_OF",
]


class Direction(Enum):
    """Which way the stored relationship points, seen from the parent."""

    OUT = "out"  # (parent)-[:TYPE]->(target)
    IN = "in"  # (parent)<-[:TYPE]-(target)
    EITHER = "either"  # either way: the type is symmetric in meaning


class Edge(Enum):
    """What the edges of a relationship carry, as the API shows them."""

    PLAIN = "plain"  # nothing
    SINCE = "since"  # since when (a participating addendum)
    PERIOD = "period"  # since and until: listed only when current on a day (asOf)


@dataclass(frozen=True)
class Relationship:
    """One relationship field: ``parent.field`` leads to ``target`` nodes.

    ``type`` is None for a derived relationship (no stored type of its own; its
    Cypher is written out in :mod:`kb.graph.reads`). ``many`` is False for a field
    that names at most one node (``Contract.alliance``).
    """

    parent: Label
    field: str
    direction: Direction
    type: RelationshipType | None
    target: Label
    description: str
    many: bool = True
    edge: Edge = Edge.PLAIN

    @property
    def name(self) -> str:
        """``Parent.field``, as errors and logs name it."""
        return f"{self.parent}.{self.field}"

    def __str__(self) -> str:
        return self.name


OUT, IN, EITHER = Direction.OUT, Direction.IN, Direction.EITHER
_R = Relationship

# fmt: off
# State
STATE_ALLIANCES = _R("State", "alliances", OUT, "MEMBER_OF", "Alliance", "Alliances the state belongs to (on asOf).", edge=Edge.PERIOD)
STATE_LED_CONTRACTS = _R("State", "ledContracts", OUT, "LEADS", "Contract", "Contracts the state led the solicitation of.")
STATE_PARTICIPATING_CONTRACTS = _R("State", "participatingContracts", OUT, "PARTICIPATES_IN", "Contract", "Contracts the state joined (participating addendum).", edge=Edge.SINCE)
STATE_ELIGIBLE_CONTRACTS = _R("State", "eligibleContracts", OUT, None, "Contract", "Contracts the state could join: awarded by an alliance it belongs to now (or by an arm of one), open to new participants (ACTIVE, not past its end date), neither joined nor led by it; where: {openTo:} keeps those open to an entity type.")
STATE_PRACTICES = _R("State", "practices", IN, "SHARED_BY", "Practice", "Practices the state shared.")
STATE_LESSONS = _R("State", "lessons", IN, "FROM", "Lesson", "Lessons recorded in the state.")
# Alliance
ALLIANCE_MEMBERS = _R("Alliance", "members", IN, "MEMBER_OF", "State", "The states that are members on asOf.", edge=Edge.PERIOD)
ALLIANCE_CONTRACTS = _R("Alliance", "contracts", OUT, "AWARDED", "Contract", "Contracts the alliance awarded.")
ALLIANCE_PARENT = _R("Alliance", "parent", OUT, "ARM_OF", "Alliance", "The alliance this one is an arm of.", many=False)
ALLIANCE_ARMS = _R("Alliance", "arms", IN, "ARM_OF", "Alliance", "Alliances that are arms of this one.")
ALLIANCE_PRACTICES = _R("Alliance", "practices", IN, "SHARED_BY", "Practice", "Practices the alliance shared.")
ALLIANCE_LESSONS = _R("Alliance", "lessons", IN, "ABOUT", "Lesson", "Lessons about the alliance.")
# Contract
CONTRACT_ALLIANCE = _R("Contract", "alliance", IN, "AWARDED", "Alliance", "The alliance that awarded the contract.", many=False)
CONTRACT_LEAD_STATE = _R("Contract", "leadState", IN, "LEADS", "State", "The state that led the solicitation.", many=False)
CONTRACT_PARTICIPANTS = _R("Contract", "participants", IN, "PARTICIPATES_IN", "State", "States that joined (participating addendum), with since, signed, scope and source.", edge=Edge.SINCE)
CONTRACT_CATEGORIES = _R("Contract", "categories", OUT, "COVERS", "Category", "Categories the contract covers.")
CONTRACT_PRACTICES = _R("Contract", "practices", IN, "REFERENCES", "Practice", "Practices that reference the contract.")
CONTRACT_LESSONS = _R("Contract", "lessons", IN, "ABOUT", "Lesson", "Lessons about the contract.")
# Category
CATEGORY_PARENT = _R("Category", "parent", OUT, "CHILD_OF", "Category", "The group this category belongs to.", many=False)
CATEGORY_CHILDREN = _R("Category", "children", IN, "CHILD_OF", "Category", "Categories under this one.")
CATEGORY_CONTRACTS = _R("Category", "contracts", IN, "COVERS", "Contract", "Contracts that cover this category.")
CATEGORY_PRACTICES = _R("Category", "practices", IN, "APPLIES_TO", "Practice", "Practices that apply to this category.")
CATEGORY_LESSONS = _R("Category", "lessons", IN, "ABOUT", "Lesson", "Lessons about this category.")
# Practice
PRACTICE_STATES = _R("Practice", "states", OUT, "SHARED_BY", "State", "States that shared the practice.")
PRACTICE_ALLIANCES = _R("Practice", "alliances", OUT, "SHARED_BY", "Alliance", "Alliances that shared the practice.")
PRACTICE_CATEGORIES = _R("Practice", "categories", OUT, "APPLIES_TO", "Category", "Categories the practice applies to.")
PRACTICE_CONTRACTS = _R("Practice", "contracts", OUT, "REFERENCES", "Contract", "Contracts the practice references.")
PRACTICE_RELATED = _R("Practice", "related", EITHER, "RELATED_TO", "Practice", "Related practices (either direction).")
PRACTICE_PREREQUISITES = _R("Practice", "prerequisites", IN, "PREREQUISITE_OF", "Practice", "Practices to read before this one.")
PRACTICE_UNLOCKS = _R("Practice", "unlocks", OUT, "PREREQUISITE_OF", "Practice", "Practices this one is a prerequisite of.")
PRACTICE_LESSONS = _R("Practice", "lessons", IN, "PART_OF", "Lesson", "Lessons that belong to the practice.")
# Lesson
LESSON_STATE = _R("Lesson", "state", OUT, "FROM", "State", "The state the lesson comes from.", many=False)
LESSON_PRACTICE = _R("Lesson", "practice", OUT, "PART_OF", "Practice", "The practice the lesson belongs to.", many=False)
LESSON_ALLIANCES = _R("Lesson", "alliances", OUT, "ABOUT", "Alliance", "Alliances the lesson is about.")
LESSON_CONTRACTS = _R("Lesson", "contracts", OUT, "ABOUT", "Contract", "Contracts the lesson is about.")
LESSON_CATEGORIES = _R("Lesson", "categories", OUT, "ABOUT", "Category", "Categories the lesson is about.")
# fmt: on

#: Every relationship above, in the order declared.
RELATIONSHIPS: tuple[Relationship, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Relationship)
)


def of_label(label: Label) -> tuple[Relationship, ...]:
    """The relationships of ``label``'s type, in the order declared."""
    return tuple(r for r in RELATIONSHIPS if r.parent == label)


def _check(table: tuple[Relationship, ...]) -> None:
    names = [r.name for r in table]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise AssertionError(f"relationships declared twice: {', '.join(doubled)}")
    for r in table:
        if r.type is None and r.edge is not Edge.PLAIN:
            raise AssertionError(f"{r}: a derived relationship has no edge properties")
        if not r.many and r.edge is not Edge.PLAIN:
            raise AssertionError(f"{r}: a single-node field shows no edge properties")


_check(RELATIONSHIPS)
