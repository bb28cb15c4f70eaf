"""Enumerations of the schema: kinds, scopes, statuses, focus areas (the model's own
vocabularies, from :mod:`kb.domain.vocabularies`) and orderings.

The value of each ordering is the property it sorts by, with ``-`` for descending; the
graph layer accepts only properties from its own whitelist.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from kb.domain.vocabularies import (
    AddendumScope,
    AllianceScope,
    CategoryKind,
    ContractStatus,
    EntityType,
    FocusArea,
    LessonStatus,
    StateKind,
)

__all__ = [
    "AddendumScope",
    "AllianceOrder",
    "AllianceScope",
    "CategoryKind",
    "CategoryOrder",
    "ContractOrder",
    "ContractStatus",
    "EntityType",
    "FocusArea",
    "LessonOrder",
    "LessonStatus",
    "PracticeOrder",
    "StateKind",
    "StateOrder",
]

# The model's vocabularies are defined once, in kb.domain; the schema shows them as is.
strawberry.enum(StateKind, description="What kind of jurisdiction a state is.")
strawberry.enum(AllianceScope, description="How far an alliance reaches.")
strawberry.enum(CategoryKind, description="A top-level group, or an NIGP class under a group.")
strawberry.enum(ContractStatus, description="Where a cooperative contract stands.")
strawberry.enum(
    LessonStatus, description="How far a lesson has gone: noticed, identified, learned."
)
strawberry.enum(EntityType, description="Who may buy from a cooperative contract.")
strawberry.enum(AddendumScope, description="Whom a participating addendum opens a contract to.")
strawberry.enum(FocusArea, description="The NIGP Global Best Practices focus area of a practice.")


@strawberry.enum(description="Orderings of states.")
class StateOrder(Enum):
    CODE_ASC = "code"
    CODE_DESC = "-code"
    NAME_ASC = "name"
    NAME_DESC = "-name"
    FIPS_ASC = "fips"
    REGION_ASC = "region"


@strawberry.enum(description="Orderings of alliances.")
class AllianceOrder(Enum):
    SLUG_ASC = "slug"
    NAME_ASC = "name"
    NAME_DESC = "-name"
    FOUNDED_ASC = "founded"
    FOUNDED_DESC = "-founded"


@strawberry.enum(description="Orderings of contracts.")
class ContractOrder(Enum):
    SLUG_ASC = "slug"
    TITLE_ASC = "title"
    TITLE_DESC = "-title"
    STARTS_ON_ASC = "startsOn"
    STARTS_ON_DESC = "-startsOn"
    ENDS_ON_ASC = "endsOn"
    ENDS_ON_DESC = "-endsOn"
    UPDATED_AT_DESC = "-updatedAt"


@strawberry.enum(description="Orderings of categories.")
class CategoryOrder(Enum):
    CODE_ASC = "code"
    CODE_DESC = "-code"
    NAME_ASC = "name"
    NAME_DESC = "-name"


@strawberry.enum(description="Orderings of practices.")
class PracticeOrder(Enum):
    SLUG_ASC = "slug"
    TITLE_ASC = "title"
    TITLE_DESC = "-title"
    PUBLISHED_ON_ASC = "publishedOn"
    PUBLISHED_ON_DESC = "-publishedOn"
    UPDATED_AT_DESC = "-updatedAt"


@strawberry.enum(description="Orderings of lessons.")
class LessonOrder(Enum):
    ID_ASC = "id"
    ID_DESC = "-id"
    TITLE_ASC = "title"
    RECORDED_ON_ASC = "recordedOn"
    RECORDED_ON_DESC = "-recordedOn"
    UPDATED_AT_DESC = "-updatedAt"
