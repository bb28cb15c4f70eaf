"""``where:`` inputs. Related things are named by natural key (``state: "UT"``,
``category: "920"``), the way people write them; date ranges are inclusive.

Each input turns into the plain mapping :mod:`kb.graph.filters` reads (``to_graph``).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry

from kb.api.enums import (
    AllianceScope,
    CategoryKind,
    ContractStatus,
    EntityType,
    FocusArea,
    LessonStatus,
    StateKind,
)

TEXT = "A fragment of the name or title (case ignored)."


@strawberry.input(description="An inclusive range of days; either end may be left open.")
class DateRange:
    from_: date | None = strawberry.field(default=None, name="from")
    to: date | None = None


def _values(items: list[Any] | None) -> list[Any] | None:
    if items is None:
        return None
    return [item.value if isinstance(item, Enum) else item for item in items]


def _range(prefix: str, value: DateRange | None) -> dict[str, date | None]:
    if value is None:
        return {}
    return {f"{prefix}From": value.from_, f"{prefix}To": value.to}


@strawberry.input(description="Filters on states.")
class StateWhere:
    text: str | None = strawberry.field(default=None, description=TEXT + " Or an exact USPS code.")
    kind: list[StateKind] | None = None
    region: list[str] | None = strawberry.field(default=None, description="Census regions.")
    naspo_region: list[str] | None = None
    member_of: str | None = strawberry.field(
        default=None, description="An alliance slug (current members)."
    )

    def to_graph(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kinds": _values(self.kind),
            "regions": self.region,
            "naspoRegions": self.naspo_region,
            "memberOf": self.member_of,
        }


@strawberry.input(description="Filters on alliances.")
class AllianceWhere:
    text: str | None = strawberry.field(default=None, description=TEXT + " Or of the acronym.")
    scope: list[AllianceScope] | None = None
    has_member: str | None = strawberry.field(
        default=None, description="A state code (current member)."
    )
    arm_of: str | None = strawberry.field(
        default=None, description="The slug of the parent alliance."
    )

    def to_graph(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "scopes": _values(self.scope),
            "hasMember": self.has_member,
            "armOf": self.arm_of,
        }


@strawberry.input(description="Filters on contracts.")
class ContractWhere:
    text: str | None = strawberry.field(default=None, description=TEXT + " Or of the number.")
    status: list[ContractStatus] | None = None
    lead_state: str | None = strawberry.field(default=None, description="A state code.")
    participating_state: str | None = strawberry.field(default=None, description="A state code.")
    alliance: str | None = strawberry.field(
        default=None, description="The awarding alliance's slug."
    )
    category: str | None = strawberry.field(
        default=None, description="A category code (sub-categories included)."
    )
    starts: DateRange | None = None
    ends: DateRange | None = None
    vendor: str | None = strawberry.field(
        default=None, description="A vendor's slug: contracts it holds a master agreement under."
    )
    ends_before: date | None = strawberry.field(
        default=None, description="Contracts that end before this day (those with no end left out)."
    )
    open_to: EntityType | None = strawberry.field(
        default=None, description="Contracts whose terms list this entity type as eligible."
    )

    def to_graph(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "statuses": _values(self.status),
            "leadState": self.lead_state,
            "participatingState": self.participating_state,
            "alliance": self.alliance,
            "category": self.category,
            **_range("starts", self.starts),
            **_range("ends", self.ends),
            "vendor": self.vendor,
            "endsBefore": self.ends_before,
            "openTo": self.open_to.value if self.open_to else None,
        }


@strawberry.input(description="Filters on categories.")
class CategoryWhere:
    text: str | None = strawberry.field(default=None, description=TEXT + " Or an exact code.")
    kind: list[CategoryKind] | None = None
    parent: str | None = strawberry.field(default=None, description="The parent's code.")
    top_level: bool | None = None

    def to_graph(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kinds": _values(self.kind),
            "parent": self.parent,
            "topLevel": self.top_level,
        }


@strawberry.input(description="Filters on practices.")
class PracticeWhere:
    text: str | None = strawberry.field(default=None, description=TEXT + " Or of the summary.")
    focus_area: list[FocusArea] | None = None
    tag: str | None = None
    state: str | None = strawberry.field(default=None, description="A state code that shared it.")
    alliance: str | None = strawberry.field(
        default=None, description="An alliance slug that shared it."
    )
    category: str | None = strawberry.field(
        default=None, description="A category code (sub-categories included)."
    )
    contract: str | None = strawberry.field(
        default=None, description="A contract slug it references."
    )
    published: DateRange | None = None

    def to_graph(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "focusAreas": _values(self.focus_area),
            "tag": self.tag,
            "state": self.state,
            "alliance": self.alliance,
            "category": self.category,
            "contract": self.contract,
            **_range("published", self.published),
        }


@strawberry.input(description="Filters on lessons.")
class LessonWhere:
    text: str | None = strawberry.field(default=None, description=TEXT)
    status: list[LessonStatus] | None = None
    tag: str | None = None
    state: str | None = strawberry.field(default=None, description="The state code it comes from.")
    alliance: str | None = strawberry.field(
        default=None, description="An alliance slug it is about."
    )
    contract: str | None = strawberry.field(
        default=None, description="A contract slug it is about."
    )
    category: str | None = strawberry.field(
        default=None, description="A category code (sub-categories included)."
    )
    practice: str | None = strawberry.field(default=None, description="The slug of its practice.")
    recorded: DateRange | None = None

    def to_graph(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "statuses": _values(self.status),
            "tag": self.tag,
            "state": self.state,
            "alliance": self.alliance,
            "contract": self.contract,
            "category": self.category,
            "practice": self.practice,
            **_range("recorded", self.recorded),
        }
