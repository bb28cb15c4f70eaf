"""The closed vocabularies of the model, defined once.

The seed reader and imports accept their values (``records.STATE_KINDS`` and the other
tuples are derived from these), and the GraphQL schema exposes the same classes as its
enums (``kb/api/enums.py`` registers them), so the two cannot drift apart.
"""

from __future__ import annotations

from enum import Enum


class StateKind(Enum):
    STATE = "STATE"
    DISTRICT = "DISTRICT"
    TERRITORY = "TERRITORY"


class AllianceScope(Enum):
    NATIONAL = "NATIONAL"
    REGIONAL = "REGIONAL"
    MULTI_STATE = "MULTI_STATE"


class CategoryKind(Enum):
    GROUP = "GROUP"
    CLASS = "CLASS"


class ContractStatus(Enum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    SOLICITING = "SOLICITING"


class EntityType(Enum):
    """Who may buy from a cooperative contract (the entity types a portfolio page lists)."""

    STATE_AGENCIES = "STATE_AGENCIES"
    POLITICAL_SUBDIVISIONS = "POLITICAL_SUBDIVISIONS"
    HIGHER_EDUCATION = "HIGHER_EDUCATION"
    K12 = "K12"
    NONPROFITS = "NONPROFITS"
    FEDERAL = "FEDERAL"


class AddendumScope(Enum):
    """Whom a participating addendum opens the contract to within the state."""

    STATEWIDE = "STATEWIDE"
    AGENCIES = "AGENCIES"
    POLITICAL_SUBDIVISIONS = "POLITICAL_SUBDIVISIONS"


class LessonStatus(Enum):
    OBSERVATION = "OBSERVATION"
    LESSON_IDENTIFIED = "LESSON_IDENTIFIED"
    LESSON_LEARNED = "LESSON_LEARNED"


class FocusArea(Enum):
    STRATEGY = "Strategy"
    POLICY_AND_LEGISLATION = "Policy and Legislation"
    PLANNING_AND_ANALYSIS = "Planning and Analysis"
    SOURCING_AND_SOLICITATION = "Sourcing and Solicitation"
    CONTRACT_ADMINISTRATION = "Contract Administration"
    LEADERSHIP = "Leadership"
    BUSINESS_PRINCIPLES = "Business Principles"


def values(vocabulary: type[Enum]) -> tuple[str, ...]:
    """The accepted values of ``vocabulary``, in order."""
    return tuple(str(member.value) for member in vocabulary)
