"""The seed's records as plain dataclasses: what the seed reader builds, the graph layer
writes and the API reads (the bottom layer: imports nothing else of ``kb``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kb.domain import vocabularies as v
from kb.domain.vocabularies import values

STATE_KINDS = values(v.StateKind)
CENSUS_REGIONS = ("Northeast", "Midwest", "South", "West")
NASPO_REGIONS = ("Western", "Midwestern", "Eastern", "Southern")
ALLIANCE_SCOPES = values(v.AllianceScope)
CATEGORY_KINDS = values(v.CategoryKind)
CONTRACT_STATUSES = values(v.ContractStatus)
LESSON_STATUSES = values(v.LessonStatus)
FOCUS_AREAS = values(v.FocusArea)
ENTITY_TYPES = values(v.EntityType)
ADDENDUM_SCOPES = values(v.AddendumScope)


@dataclass(frozen=True)
class Provenance:
    """Where a record's facts come from: a ``source``, or ``illustrative``, or both."""

    source: str | None
    illustrative: bool


@dataclass(frozen=True)
class State:
    code: str
    name: str
    fips: str
    kind: str
    region: str | None
    naspo_region: str
    naspo_region_illustrative: bool
    provenance: Provenance


@dataclass(frozen=True)
class Alliance:
    slug: str
    name: str
    acronym: str
    scope: str
    description: str
    founded: int | None
    dissolved: int | None
    arm_of: str | None
    provenance: Provenance


@dataclass(frozen=True)
class Membership:
    alliance: str
    state: str
    since: date | None
    until: date | None
    provenance: Provenance


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    kind: str
    parent: str | None
    description: str
    provenance: Provenance


@dataclass(frozen=True)
class Participation:
    """A state's participating addendum; ``signed``, ``scope`` and ``addendum_source``
    come from ``contract_terms.yaml`` (its ``addenda``) when known."""

    state: str
    since: date | None
    provenance: Provenance
    signed: date | None = None
    scope: str | None = None
    addendum_source: str | None = None


@dataclass(frozen=True)
class ContractTerms:
    """What a buyer needs to decide on a contract (``contract_terms.yaml``): the
    solicitation, term, renewal, admin fee, the pages to read and who may use it.
    ``ends_on`` fills the contract's end date when ``contracts.yaml`` gives none."""

    solicitation: str | None
    ends_on: date | None
    renewal: str | None
    admin_fee: str | None
    portfolio_url: str | None
    lead_state_url: str | None
    open_to: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Contract:
    slug: str
    title: str
    number: str | None
    status: str
    starts_on: date | None
    ends_on: date | None
    description: str
    alliance: str
    lead_state: str | None
    categories: tuple[str, ...]
    participants: tuple[Participation, ...]
    provenance: Provenance
    terms: ContractTerms | None = None

    @property
    def effective_ends_on(self) -> date | None:
        """The end date the graph shows: the contract's own, else its terms'."""
        return self.ends_on or (self.terms.ends_on if self.terms else None)


@dataclass(frozen=True)
class Award:
    """One master agreement: a vendor awarded under a contract (``AWARDED_UNDER``)."""

    contract: str
    number: str | None
    starts_on: date | None
    ends_on: date | None
    source: str | None


@dataclass(frozen=True)
class Vendor:
    """A supplier awarded under one or more cooperative contracts (``vendors.yaml``)."""

    slug: str
    name: str
    website: str | None
    awards: tuple[Award, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Practice:
    slug: str
    title: str
    summary: str
    body: str
    focus_area: str | None
    tags: tuple[str, ...]
    published_on: date | None
    states: tuple[str, ...]
    alliances: tuple[str, ...]
    categories: tuple[str, ...]
    contracts: tuple[str, ...]
    related: tuple[str, ...]
    prerequisites: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    context: str
    lesson: str
    recommendation: str
    recorded_on: date | None
    status: str | None
    state: str
    alliances: tuple[str, ...]
    contracts: tuple[str, ...]
    categories: tuple[str, ...]
    practice: str | None
    tags: tuple[str, ...]
    provenance: Provenance


@dataclass
class SeedData:
    """Everything read from a seed directory (or an import), validated."""

    states: list[State] = field(default_factory=list)
    alliances: list[Alliance] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    practices: list[Practice] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    vendors: list[Vendor] = field(default_factory=list)
