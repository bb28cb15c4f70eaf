"""Enumerations of the schema: kinds, scopes, statuses, focus areas and orderings.

The value of each ordering is the property it sorts by, with ``-`` for descending; the
graph layer accepts only properties from its own whitelist.
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What kind of jurisdiction a state is.")
class StateKind(Enum):
    STATE = "STATE"
    DISTRICT = "DISTRICT"
    TERRITORY = "TERRITORY"


@strawberry.enum(description="How far an alliance reaches.")
class AllianceScope(Enum):
    NATIONAL = "NATIONAL"
    REGIONAL = "REGIONAL"
    MULTI_STATE = "MULTI_STATE"


@strawberry.enum(description="A top-level group, or an NIGP class under a group.")
class CategoryKind(Enum):
    GROUP = "GROUP"
    CLASS = "CLASS"


@strawberry.enum(description="Where a cooperative contract stands.")
class ContractStatus(Enum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    SOLICITING = "SOLICITING"


@strawberry.enum(description="How far a lesson has gone: noticed, identified, learned.")
class LessonStatus(Enum):
    OBSERVATION = "OBSERVATION"
    LESSON_IDENTIFIED = "LESSON_IDENTIFIED"
    LESSON_LEARNED = "LESSON_LEARNED"


@strawberry.enum(description="The NIGP Global Best Practices focus area of a practice.")
class FocusArea(Enum):
    STRATEGY = "Strategy"
    POLICY_AND_LEGISLATION = "Policy and Legislation"
    PLANNING_AND_ANALYSIS = "Planning and Analysis"
    SOURCING_AND_SOLICITATION = "Sourcing and Solicitation"
    CONTRACT_ADMINISTRATION = "Contract Administration"
    LEADERSHIP = "Leadership"
    BUSINESS_PRINCIPLES = "Business Principles"


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
