"""The six node types: their properties and their relationship fields.

Each relationship field is made by :func:`~kb.api.relationship_fields.relationship_field`
from its line in :mod:`kb.domain.relationships` (name, description, target, edges): a
connection with ``first``/``after``/``where``/``orderBy`` (``asOf`` for memberships)
read through a DataLoader, so a nested query costs one Cypher statement per relationship
field, whatever the list sizes. At the end of this module the types are checked against
the table: a relationship without its field, or a field named apart from its
relationship, fails the import.
"""

from __future__ import annotations

from datetime import date

import strawberry

from kb.api.awards import vendors_field
from kb.api.enums import (
    AllianceScope,
    CategoryKind,
    ContractStatus,
    EntityType,
    FocusArea,
    LessonStatus,
    StateKind,
)
from kb.api.history import history_field
from kb.api.joining import could_join_field
from kb.api.nodes import Node, register, registered_types
from kb.api.related import related_items_field
from kb.api.relationship_fields import check_fields, relationship_field
from kb.domain import relationships as rel


@register("State", {"kind": StateKind})
@strawberry.type(description="A state, district or territory (USPS code).")
class State(Node):
    code: str
    name: str
    fips: str
    kind: StateKind
    region: str | None
    naspo_region: str | None

    alliances = relationship_field(rel.STATE_ALLIANCES)
    led_contracts = relationship_field(rel.STATE_LED_CONTRACTS)
    participating_contracts = relationship_field(rel.STATE_PARTICIPATING_CONTRACTS)
    eligible_contracts = relationship_field(rel.STATE_ELIGIBLE_CONTRACTS)
    could_join = could_join_field()
    practices = relationship_field(rel.STATE_PRACTICES)
    lessons = relationship_field(rel.STATE_LESSONS)
    history = history_field()


@register("Alliance", {"scope": AllianceScope})
@strawberry.type(description="A purchasing alliance (cooperative) of states.")
class Alliance(Node):
    slug: str
    name: str
    acronym: str | None
    scope: AllianceScope
    description: str | None
    founded: int | None
    dissolved: int | None

    members = relationship_field(rel.ALLIANCE_MEMBERS)
    contracts = relationship_field(rel.ALLIANCE_CONTRACTS)
    parent = relationship_field(rel.ALLIANCE_PARENT)
    arms = relationship_field(rel.ALLIANCE_ARMS)
    practices = relationship_field(rel.ALLIANCE_PRACTICES)
    lessons = relationship_field(rel.ALLIANCE_LESSONS)
    history = history_field()


@register("Contract", {"status": ContractStatus, "open_to": EntityType})
@strawberry.type(description="A cooperative contract awarded by an alliance.")
class Contract(Node):
    slug: str
    title: str
    number: str | None
    status: ContractStatus
    starts_on: date | None
    ends_on: date | None
    description: str | None
    solicitation: str | None = strawberry.field(description="The solicitation number.")
    renewal: str | None = strawberry.field(description="The term and renewal options, in words.")
    admin_fee: str | None = strawberry.field(description="The administrative fee, where published.")
    portfolio_url: str | None = strawberry.field(description="The alliance's page for it.")
    lead_state_url: str | None = strawberry.field(
        description="The lead state's page for it: whom to ask."
    )
    open_to: list[EntityType] | None = strawberry.field(
        description="The entity types its terms list as eligible (null when unknown)."
    )
    terms_source: str | None = strawberry.field(description="Where the terms can be read.")

    alliance = relationship_field(rel.CONTRACT_ALLIANCE)
    lead_state = relationship_field(rel.CONTRACT_LEAD_STATE)
    vendors = vendors_field()
    participants = relationship_field(rel.CONTRACT_PARTICIPANTS)
    categories = relationship_field(rel.CONTRACT_CATEGORIES)
    practices = relationship_field(rel.CONTRACT_PRACTICES)
    lessons = relationship_field(rel.CONTRACT_LESSONS)
    history = history_field()


@register("Category", {"kind": CategoryKind})
@strawberry.type(description="A procurement category (NIGP class) or a group of them.")
class Category(Node):
    code: str
    name: str
    kind: CategoryKind
    description: str | None

    parent = relationship_field(rel.CATEGORY_PARENT)
    children = relationship_field(rel.CATEGORY_CHILDREN)
    contracts = relationship_field(rel.CATEGORY_CONTRACTS)
    practices = relationship_field(rel.CATEGORY_PRACTICES)
    lessons = relationship_field(rel.CATEGORY_LESSONS)
    history = history_field()


@register("Practice", {"focus_area": FocusArea})
@strawberry.type(description="A practice write-up (Markdown body).")
class Practice(Node):
    slug: str
    title: str
    summary: str | None
    body: str | None
    focus_area: FocusArea | None
    tags: list[str]
    published_on: date | None

    states = relationship_field(rel.PRACTICE_STATES)
    alliances = relationship_field(rel.PRACTICE_ALLIANCES)
    categories = relationship_field(rel.PRACTICE_CATEGORIES)
    contracts = relationship_field(rel.PRACTICE_CONTRACTS)
    related = relationship_field(rel.PRACTICE_RELATED)
    prerequisites = relationship_field(rel.PRACTICE_PREREQUISITES)
    unlocks = relationship_field(rel.PRACTICE_UNLOCKS)
    related_items = related_items_field("practice")
    lessons = relationship_field(rel.PRACTICE_LESSONS)
    history = history_field()


@register("Lesson", {"status": LessonStatus})
@strawberry.type(description="A lesson learned: context, lesson, recommendation.")
class Lesson(Node):
    title: str
    context: str | None
    lesson: str | None
    recommendation: str | None
    recorded_on: date | None
    status: LessonStatus | None
    tags: list[str]

    related_items = related_items_field("lesson")
    state = relationship_field(rel.LESSON_STATE)
    practice = relationship_field(rel.LESSON_PRACTICE)
    alliances = relationship_field(rel.LESSON_ALLIANCES)
    contracts = relationship_field(rel.LESSON_CONTRACTS)
    categories = relationship_field(rel.LESSON_CATEGORIES)
    history = history_field()


check_fields(registered_types())
