# strawberry.field(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""GraphQL types of curricula, certifications and domains, built from graph records.

A curriculum is read whole, with its modules, items and the prerequisite links among its
practices, in one statement; ``warnings`` and ``suggestedOrder`` are computed from that
record without another query. ``coverage`` and ``certifications`` go through per-request
DataLoaders, so a page of curricula costs one query for each, not one per curriculum.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from kb.api.history import history_field
from kb.api.nodes import Node, to_node
from kb.api.relationship_fields import Info
from kb.api.types import Practice
from kb.curricula.coverage import Coverage as CoverageResult
from kb.curricula.coverage import CoverageEntry as CoverageEntryResult
from kb.curricula.coverage import coverage_of
from kb.curricula.ordering import (
    OrderWarning,
    Placed,
    order_input,
    prerequisite_warnings,
    suggested_order,
)
from kb.domain.curricula import ItemRef
from kb.graph.certifications import CertificationRecord, DomainRecord, read_certifications
from kb.graph.curriculum_store import CurriculumRecord

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@strawberry.enum(description="How much a curriculum assumes its audience knows.")
class CurriculumLevel(Enum):
    INTRODUCTORY = "INTRODUCTORY"
    INTERMEDIATE = "INTERMEDIATE"
    ADVANCED = "ADVANCED"


@strawberry.enum(description="A certification (with an exam) or a practice framework.")
class CertificationKind(Enum):
    CERTIFICATION = "CERTIFICATION"
    FRAMEWORK = "FRAMEWORK"


@strawberry.enum
class CurriculumItemKind(Enum):
    PRACTICE = "Practice"
    LESSON = "Lesson"


@strawberry.enum(description="What is wrong with the order of a curriculum.")
class CurriculumWarningKind(Enum):
    PREREQUISITE_LATER = "PREREQUISITE_LATER"
    PREREQUISITE_MISSING = "PREREQUISITE_MISSING"
    PREREQUISITE_CYCLE = "PREREQUISITE_CYCLE"


@strawberry.enum
class CoverageKind(Enum):
    DOMAIN = "DOMAIN"
    CATEGORY = "CATEGORY"
    ALLIANCE = "ALLIANCE"


def curriculum_global_id(key: str) -> str:
    return base64.b64encode(f"Curriculum:{key}".encode()).decode("ascii")


def request_loader(
    info: Info, name: str, load: Callable[[list[K]], Awaitable[list[V]]]
) -> DataLoader[K, V]:
    """A DataLoader kept for the rest of this request (on the request's context, which
    belongs to :mod:`kb.api.context`; this keeps curricula out of its Loaders class)."""
    store: dict[str, Any] = vars(info.context).setdefault("_curriculum_loaders", {})
    if name not in store:
        store[name] = DataLoader(load_fn=load)
    loader: DataLoader[K, V] = store[name]
    return loader


async def load_nodes(info: Info, refs: Sequence[ItemRef]) -> list[Any]:
    """The GraphQL nodes of ``refs`` (batched per label; absent ones left out)."""
    records = [await info.context.loaders.node(ref.label).load(ref.key) for ref in refs]
    return [to_node(record) for record in records if record is not None]


@strawberry.type(description="A domain of a certification's body of knowledge or framework.")
class Domain:
    key: str
    name: str
    framework: str = strawberry.field(description="The code of the framework it belongs to.")
    framework_name: str
    position: int
    focus_area: str | None = strawberry.field(description="The NIGP focus area it stands for.")
    practice_keys: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Practices that teach this domain, by title.")
    async def practices(self, info: Info) -> list[Practice]:
        return await load_nodes(info, [ItemRef("Practice", k) for k in self.practice_keys])


def to_domain(record: DomainRecord) -> Domain:
    d = record.domain
    return Domain(
        key=d.key,
        name=d.name,
        framework=d.framework,
        framework_name=record.framework_name,
        position=d.position,
        focus_area=d.focus_area,
        practice_keys=record.practices,
    )


@strawberry.type(
    description="A certification (CPPB, CPPO) or framework (UPPCC-BOK, NIGP-GBP) with its "
    "domains; a certification's domains are those of the framework its exam rests on."
)
class Certification:
    code: str
    kind: CertificationKind
    name: str
    body: str = strawberry.field(description="Who awards or publishes it (UPPCC, NIGP).")
    description: str
    since: int | None
    framework: str | None = strawberry.field(description="The framework code it rests on.")
    source: str | None
    illustrative: bool
    domains: list[Domain]


def to_certification(record: CertificationRecord) -> Certification:
    c = record.certification
    return Certification(
        code=c.code,
        kind=CertificationKind(c.kind),
        name=c.name,
        body=c.body,
        description=c.description,
        since=c.since,
        framework=c.framework,
        source=c.source,
        illustrative=c.illustrative,
        domains=[to_domain(d) for d in record.domains],
    )


def certification_loader(info: Info) -> DataLoader[str, CertificationRecord | None]:
    async def load(codes: list[str]) -> list[CertificationRecord | None]:
        found = await run_in_threadpool(read_certifications, info.context.graph, codes)
        by_code = {r.certification.code: r for r in found}
        return [by_code.get(code) for code in codes]

    return request_loader(info, "certifications", load)


@strawberry.type(description="A practice or lesson where it sits in a curriculum.")
class CurriculumItem:
    kind: CurriculumItemKind
    key: str = strawberry.field(description="The practice slug or lesson id.")
    title: str
    module: str = strawberry.field(description="The key of the module it is in.")
    position: int = strawberry.field(description="Its place in the module, from 1.")
    index: int = strawberry.field(description="Its place in the whole curriculum, from 1.")
    ref: strawberry.Private[ItemRef]

    @strawberry.field(description="The practice or lesson itself.")
    async def node(self, info: Info) -> Node | None:
        found = await load_nodes(info, [self.ref])
        return found[0] if found else None


def to_item(placed: Placed) -> CurriculumItem:
    return CurriculumItem(
        kind=CurriculumItemKind(placed.ref.label),
        key=placed.ref.key,
        title=placed.title,
        module=placed.module,
        position=placed.position,
        index=placed.index,
        ref=placed.ref,
    )


@strawberry.type(description="A module: a titled, ordered group of items with objectives.")
class CurriculumModule:
    key: str = strawberry.field(description="Unique within its curriculum.")
    position: int
    title: str
    objectives: list[str] = strawberry.field(description="Learning objectives, in order.")
    items: list[CurriculumItem]


@strawberry.type(description="A problem with the order, naming both items concerned.")
class CurriculumWarning:
    kind: CurriculumWarningKind
    message: str
    item: str = strawberry.field(description="The key of the item placed too early.")
    prerequisite: str | None = strawberry.field(
        description="The key of the practice it depends on."
    )
    cycle: list[str] = strawberry.field(description="For a cycle: practice slugs, in order.")
    refs: strawberry.Private[tuple[ItemRef, ItemRef | None]]

    @strawberry.field(description="The prerequisite practice (or the lesson's practice).")
    async def prerequisite_node(self, info: Info) -> Node | None:
        ref = self.refs[1]
        found = await load_nodes(info, [ref]) if ref is not None else []
        return found[0] if found else None


def to_warning(w: OrderWarning) -> CurriculumWarning:
    return CurriculumWarning(
        kind=CurriculumWarningKind(w.kind),
        message=w.message,
        item=w.item.key,
        prerequisite=w.prerequisite.key if w.prerequisite else None,
        cycle=list(w.cycle),
        refs=(w.item, w.prerequisite),
    )


@strawberry.type(description="A domain, category group or alliance, covered or not.")
class CoverageEntry:
    kind: CoverageKind
    key: str
    name: str
    group: str | None = strawberry.field(description="For a domain: its framework's name.")
    covered: bool
    covered_by: list[str] = strawberry.field(description="Keys of the items that cover it.")
    result: strawberry.Private[CoverageEntryResult]

    @strawberry.field(description="Practices outside the curriculum that would fill the gap.")
    async def suggestions(self, info: Info) -> list[Practice]:
        refs = [ItemRef("Practice", key) for key in self.result.suggestions]
        return await load_nodes(info, refs)


def _entries(entries: tuple[CoverageEntryResult, ...]) -> list[CoverageEntry]:
    return [
        CoverageEntry(
            kind=CoverageKind(e.kind),
            key=e.key,
            name=e.name,
            group=e.group,
            covered=e.covered,
            covered_by=[r.key for r in e.covered_by],
            result=e,
        )
        for e in entries
    ]


@strawberry.type(description="What a curriculum covers and misses, with practices to fill gaps.")
class Coverage:
    domains: list[CoverageEntry] = strawberry.field(
        description="Domains of the targeted certifications (all domains when none)."
    )
    categories: list[CoverageEntry] = strawberry.field(description="Top-level category groups.")
    alliances: list[CoverageEntry]
    gaps: int = strawberry.field(description="How many entries no item covers.")


def to_coverage(result: CoverageResult) -> Coverage:
    return Coverage(
        domains=_entries(result.domains),
        categories=_entries(result.categories),
        alliances=_entries(result.alliances),
        gaps=len(result.gaps),
    )


def coverage_loader(info: Info) -> DataLoader[str, CoverageResult]:
    records: dict[str, CurriculumRecord] = vars(info.context).setdefault("_curriculum_records", {})

    async def load(keys: list[str]) -> list[CoverageResult]:
        found = await run_in_threadpool(coverage_of, info.context.graph, [records[k] for k in keys])
        return [found[k] for k in keys]

    return request_loader(info, "coverage", load)


@strawberry.type(
    description="A course for training staff: ordered modules of practices and lessons."
)
class Curriculum:
    id: strawberry.ID = strawberry.field(description="Global ID: base64 of 'Curriculum:key'.")
    key: str
    title: str
    audience: str
    level: CurriculumLevel
    description: str
    source: str | None
    illustrative: bool
    created_at: datetime | None
    updated_at: datetime | None
    created_by: str | None
    updated_by: str | None
    record: strawberry.Private[CurriculumRecord]
    history = history_field("Curriculum")

    @strawberry.field(description="Modules in order, each with its items in order.")
    def modules(self) -> list[CurriculumModule]:
        placed = order_input(self.record).placed
        modules = []
        for position, module in enumerate(self.record.modules, start=1):
            items = [to_item(p) for p in placed if p.module == module.key]
            modules.append(
                CurriculumModule(
                    key=module.key,
                    position=position,
                    title=module.title,
                    objectives=list(module.objectives),
                    items=items,
                )
            )
        return modules

    @strawberry.field(description="How many items the curriculum has.")
    def item_count(self) -> int:
        return len(self.record.plan.items())

    @strawberry.field(
        description="Items placed before a prerequisite (or a lesson before its practice), "
        "prerequisites left out, and prerequisite cycles; each names the items concerned."
    )
    def warnings(self) -> list[CurriculumWarning]:
        return [to_warning(w) for w in prerequisite_warnings(order_input(self.record))]

    @strawberry.field(
        description="Every item in an order that puts each after its prerequisites (and each "
        "lesson after its practice), otherwise keeping the current order."
    )
    def suggested_order(self) -> list[CurriculumItem]:
        return [to_item(p) for p in suggested_order(order_input(self.record))]

    @strawberry.field(description="Certifications or frameworks the curriculum prepares for.")
    async def certifications(self, info: Info) -> list[Certification]:
        loader = certification_loader(info)
        found = await loader.load_many(list(self.record.plan.certifications))
        return [to_certification(r) for r in found if r is not None]

    @strawberry.field(description="Domains, category groups and alliances covered and missed.")
    async def coverage(self, info: Info) -> Coverage:
        vars(info.context).setdefault("_curriculum_records", {})[self.key] = self.record
        return to_coverage(await coverage_loader(info).load(self.key))


def to_curriculum(record: CurriculumRecord) -> Curriculum:
    plan, props = record.plan, record.props
    return Curriculum(
        id=strawberry.ID(curriculum_global_id(plan.key)),
        key=plan.key,
        title=plan.title,
        audience=plan.audience,
        level=CurriculumLevel(plan.level),
        description=plan.description,
        source=plan.source,
        illustrative=plan.illustrative,
        created_at=props.get("createdAt"),
        updated_at=props.get("updatedAt"),
        created_by=props.get("createdBy"),
        updated_by=props.get("updatedBy"),
        record=record,
    )
