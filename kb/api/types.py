# strawberry.field(...) / strawberry.mutation(...) with arguments are typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""The six node types and their relationship fields.

Every list is a connection with ``first``/``after``/``where``/``orderBy``; every
relationship field goes through a DataLoader (see :mod:`kb.api.loaders`), so a nested
query costs one Cypher statement per relationship field, whatever the list sizes.
"""

from __future__ import annotations

from datetime import date

import strawberry

from kb.api.enums import (
    AllianceOrder,
    AllianceScope,
    CategoryKind,
    CategoryOrder,
    ContractOrder,
    ContractStatus,
    FocusArea,
    LessonOrder,
    LessonStatus,
    PracticeOrder,
    StateKind,
    StateOrder,
)
from kb.api.filters import (
    AllianceWhere,
    CategoryWhere,
    ContractWhere,
    LessonWhere,
    PracticeWhere,
    StateWhere,
)
from kb.api.nodes import Node, item_node, register
from kb.api.pagination import (
    Connection,
    MembershipConnection,
    ParticipationConnection,
    connection,
    membership_connection,
    participation_connection,
)
from kb.api.related import related_items_field
from kb.api.relationship_fields import AsOf, Info, page_of, single_of


@register("State", {"kind": StateKind})
@strawberry.type(description="A state, district or territory (USPS code).")
class State(Node):
    code: str
    name: str
    fips: str
    kind: StateKind
    region: str | None
    naspo_region: str | None

    @strawberry.field(description="Alliances the state belongs to (on asOf).")
    async def alliances(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: AllianceWhere | None = None, order_by: AllianceOrder | None = None,
        as_of: AsOf = None,
    ) -> MembershipConnection[Alliance]:  # fmt: skip
        page = await page_of(
            info, "State.alliances", self.key, first, after, where, order_by, as_of
        )
        return membership_connection(page, item_node)

    @strawberry.field(description="Contracts the state led the solicitation of.")
    async def led_contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: ContractWhere | None = None, order_by: ContractOrder | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        page = await page_of(info, "State.ledContracts", self.key, first, after, where, order_by)
        return connection(page, item_node)

    @strawberry.field(description="Contracts the state joined (participating addendum).")
    async def participating_contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: ContractWhere | None = None, order_by: ContractOrder | None = None,
    ) -> ParticipationConnection[Contract]:  # fmt: skip
        page = await page_of(
            info, "State.participatingContracts", self.key, first, after, where, order_by
        )
        return participation_connection(page, item_node)

    @strawberry.field(
        description="Contracts the state could join: awarded by an alliance it belongs to now "
        "(or by an arm of one), not expired, neither joined nor led by it."
    )
    async def eligible_contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: ContractWhere | None = None, order_by: ContractOrder | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        page = await page_of(
            info, "State.eligibleContracts", self.key, first, after, where, order_by
        )
        return connection(page, item_node)

    @strawberry.field(description="Practices the state shared.")
    async def practices(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: PracticeWhere | None = None, order_by: PracticeOrder | None = None,
    ) -> Connection[Practice]:  # fmt: skip
        return connection(
            await page_of(info, "State.practices", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Lessons recorded in the state.")
    async def lessons(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: LessonWhere | None = None, order_by: LessonOrder | None = None,
    ) -> Connection[Lesson]:  # fmt: skip
        return connection(
            await page_of(info, "State.lessons", self.key, first, after, where, order_by), item_node
        )


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

    @strawberry.field(description="The states that are members on asOf.")
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: StateWhere | None = None, order_by: StateOrder | None = None,
        as_of: AsOf = None,
    ) -> MembershipConnection[State]:  # fmt: skip
        page = await page_of(
            info, "Alliance.members", self.key, first, after, where, order_by, as_of
        )
        return membership_connection(page, item_node)

    @strawberry.field(description="Contracts the alliance awarded.")
    async def contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: ContractWhere | None = None, order_by: ContractOrder | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        return connection(
            await page_of(info, "Alliance.contracts", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="The alliance this one is an arm of.")
    async def parent(self, info: Info) -> Alliance | None:
        return await single_of(info, "Alliance.parent", self.key)  # type: ignore[no-any-return]

    @strawberry.field(description="Alliances that are arms of this one.")
    async def arms(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: AllianceWhere | None = None, order_by: AllianceOrder | None = None,
    ) -> Connection[Alliance]:  # fmt: skip
        return connection(
            await page_of(info, "Alliance.arms", self.key, first, after, where, order_by), item_node
        )

    @strawberry.field(description="Practices the alliance shared.")
    async def practices(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: PracticeWhere | None = None, order_by: PracticeOrder | None = None,
    ) -> Connection[Practice]:  # fmt: skip
        return connection(
            await page_of(info, "Alliance.practices", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Lessons about the alliance.")
    async def lessons(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: LessonWhere | None = None, order_by: LessonOrder | None = None,
    ) -> Connection[Lesson]:  # fmt: skip
        return connection(
            await page_of(info, "Alliance.lessons", self.key, first, after, where, order_by),
            item_node,
        )


@register("Contract", {"status": ContractStatus})
@strawberry.type(description="A cooperative contract awarded by an alliance.")
class Contract(Node):
    slug: str
    title: str
    number: str | None
    status: ContractStatus
    starts_on: date | None
    ends_on: date | None
    description: str | None

    @strawberry.field(description="The alliance that awarded the contract.")
    async def alliance(self, info: Info) -> Alliance | None:
        return await single_of(info, "Contract.alliance", self.key)  # type: ignore[no-any-return]

    @strawberry.field(description="The state that led the solicitation.")
    async def lead_state(self, info: Info) -> State | None:
        return await single_of(info, "Contract.leadState", self.key)  # type: ignore[no-any-return]

    @strawberry.field(description="States that joined (participating addendum), with since.")
    async def participants(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: StateWhere | None = None, order_by: StateOrder | None = None,
    ) -> ParticipationConnection[State]:  # fmt: skip
        page = await page_of(info, "Contract.participants", self.key, first, after, where, order_by)
        return participation_connection(page, item_node)

    @strawberry.field(description="Categories the contract covers.")
    async def categories(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: CategoryWhere | None = None, order_by: CategoryOrder | None = None,
    ) -> Connection[Category]:  # fmt: skip
        return connection(
            await page_of(info, "Contract.categories", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Practices that reference the contract.")
    async def practices(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: PracticeWhere | None = None, order_by: PracticeOrder | None = None,
    ) -> Connection[Practice]:  # fmt: skip
        return connection(
            await page_of(info, "Contract.practices", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Lessons about the contract.")
    async def lessons(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: LessonWhere | None = None, order_by: LessonOrder | None = None,
    ) -> Connection[Lesson]:  # fmt: skip
        return connection(
            await page_of(info, "Contract.lessons", self.key, first, after, where, order_by),
            item_node,
        )


@register("Category", {"kind": CategoryKind})
@strawberry.type(description="A procurement category (NIGP class) or a group of them.")
class Category(Node):
    code: str
    name: str
    kind: CategoryKind
    description: str | None

    @strawberry.field(description="The group this category belongs to.")
    async def parent(self, info: Info) -> Category | None:
        return await single_of(info, "Category.parent", self.key)  # type: ignore[no-any-return]

    @strawberry.field(description="Categories under this one.")
    async def children(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: CategoryWhere | None = None, order_by: CategoryOrder | None = None,
    ) -> Connection[Category]:  # fmt: skip
        return connection(
            await page_of(info, "Category.children", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Contracts that cover this category.")
    async def contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: ContractWhere | None = None, order_by: ContractOrder | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        return connection(
            await page_of(info, "Category.contracts", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Practices that apply to this category.")
    async def practices(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: PracticeWhere | None = None, order_by: PracticeOrder | None = None,
    ) -> Connection[Practice]:  # fmt: skip
        return connection(
            await page_of(info, "Category.practices", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Lessons about this category.")
    async def lessons(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: LessonWhere | None = None, order_by: LessonOrder | None = None,
    ) -> Connection[Lesson]:  # fmt: skip
        return connection(
            await page_of(info, "Category.lessons", self.key, first, after, where, order_by),
            item_node,
        )


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

    @strawberry.field(description="States that shared the practice.")
    async def states(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: StateWhere | None = None, order_by: StateOrder | None = None,
    ) -> Connection[State]:  # fmt: skip
        return connection(
            await page_of(info, "Practice.states", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Alliances that shared the practice.")
    async def alliances(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: AllianceWhere | None = None, order_by: AllianceOrder | None = None,
    ) -> Connection[Alliance]:  # fmt: skip
        return connection(
            await page_of(info, "Practice.alliances", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Categories the practice applies to.")
    async def categories(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: CategoryWhere | None = None, order_by: CategoryOrder | None = None,
    ) -> Connection[Category]:  # fmt: skip
        return connection(
            await page_of(info, "Practice.categories", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Contracts the practice references.")
    async def contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: ContractWhere | None = None, order_by: ContractOrder | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        return connection(
            await page_of(info, "Practice.contracts", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Related practices (either direction).")
    async def related(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: PracticeWhere | None = None, order_by: PracticeOrder | None = None,
    ) -> Connection[Practice]:  # fmt: skip
        return connection(
            await page_of(info, "Practice.related", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Practices to read before this one.")
    async def prerequisites(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: PracticeWhere | None = None, order_by: PracticeOrder | None = None,
    ) -> Connection[Practice]:  # fmt: skip
        return connection(
            await page_of(info, "Practice.prerequisites", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Practices this one is a prerequisite of.")
    async def unlocks(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: PracticeWhere | None = None, order_by: PracticeOrder | None = None,
    ) -> Connection[Practice]:  # fmt: skip
        return connection(
            await page_of(info, "Practice.unlocks", self.key, first, after, where, order_by),
            item_node,
        )

    related_items = related_items_field("practice")

    @strawberry.field(description="Lessons that belong to the practice.")
    async def lessons(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: LessonWhere | None = None, order_by: LessonOrder | None = None,
    ) -> Connection[Lesson]:  # fmt: skip
        return connection(
            await page_of(info, "Practice.lessons", self.key, first, after, where, order_by),
            item_node,
        )


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

    @strawberry.field(description="The state the lesson comes from.")
    async def state(self, info: Info) -> State | None:
        return await single_of(info, "Lesson.state", self.key)  # type: ignore[no-any-return]

    @strawberry.field(description="The practice the lesson belongs to.")
    async def practice(self, info: Info) -> Practice | None:
        return await single_of(info, "Lesson.practice", self.key)  # type: ignore[no-any-return]

    @strawberry.field(description="Alliances the lesson is about.")
    async def alliances(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: AllianceWhere | None = None, order_by: AllianceOrder | None = None,
    ) -> Connection[Alliance]:  # fmt: skip
        return connection(
            await page_of(info, "Lesson.alliances", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Contracts the lesson is about.")
    async def contracts(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: ContractWhere | None = None, order_by: ContractOrder | None = None,
    ) -> Connection[Contract]:  # fmt: skip
        return connection(
            await page_of(info, "Lesson.contracts", self.key, first, after, where, order_by),
            item_node,
        )

    @strawberry.field(description="Categories the lesson is about.")
    async def categories(
        self, info: Info, first: int | None = None, after: str | None = None,
        where: CategoryWhere | None = None, order_by: CategoryOrder | None = None,
    ) -> Connection[Category]:  # fmt: skip
        return connection(
            await page_of(info, "Lesson.categories", self.key, first, after, where, order_by),
            item_node,
        )
