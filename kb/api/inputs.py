"""Mutation inputs. Create and update share the fields of a type; on update, a field
left out keeps its value and ``null`` clears it. Nodes are referred to by global ID.
"""

from __future__ import annotations

from datetime import date

import strawberry

from kb.api.enums import AllianceScope, CategoryKind, ContractStatus, FocusArea, LessonStatus

U = strawberry.UNSET


@strawberry.input
class Provenance:
    source: str | None = strawberry.field(
        default=U, description="A public source the facts rest on."
    )
    illustrative: bool | None = strawberry.field(
        default=U, description="True when not confirmed by a source."
    )


@strawberry.input(description="Fields of a practice (title, body up to 100,000 characters, links).")
class PracticeFields(Provenance):
    title: str | None = U
    summary: str | None = U
    body: str | None = strawberry.field(default=U, description="Markdown.")
    focus_area: FocusArea | None = U
    tags: list[str] | None = U
    published_on: date | None = U
    states: list[strawberry.ID] | None = U
    alliances: list[strawberry.ID] | None = U
    categories: list[strawberry.ID] | None = U
    contracts: list[strawberry.ID] | None = U
    related: list[strawberry.ID] | None = U
    prerequisites: list[strawberry.ID] | None = U


@strawberry.input
class CreatePracticeInput(PracticeFields):
    slug: str = strawberry.field(description="Lower-case letters, digits and hyphens.")


@strawberry.input
class UpdatePracticeInput(PracticeFields):
    id: strawberry.ID


@strawberry.input(description="Fields of a lesson learned.")
class LessonFields(Provenance):
    title: str | None = U
    context: str | None = U
    lesson: str | None = U
    recommendation: str | None = U
    recorded_on: date | None = U
    status: LessonStatus | None = U
    tags: list[str] | None = U
    state: strawberry.ID | None = U
    practice: strawberry.ID | None = U
    alliances: list[strawberry.ID] | None = U
    contracts: list[strawberry.ID] | None = U
    categories: list[strawberry.ID] | None = U


@strawberry.input
class CreateLessonInput(LessonFields):
    key: str = strawberry.field(description="The lesson id, e.g. L-0042.")


@strawberry.input
class UpdateLessonInput(LessonFields):
    id: strawberry.ID


@strawberry.input(description="Fields of a cooperative contract.")
class ContractFields(Provenance):
    title: str | None = U
    number: str | None = U
    status: ContractStatus | None = U
    starts_on: date | None = U
    ends_on: date | None = U
    description: str | None = U
    alliance: strawberry.ID | None = strawberry.field(
        default=U, description="The awarding alliance."
    )
    lead_state: strawberry.ID | None = U
    categories: list[strawberry.ID] | None = U


@strawberry.input
class CreateContractInput(ContractFields):
    slug: str


@strawberry.input
class UpdateContractInput(ContractFields):
    id: strawberry.ID


@strawberry.input(description="Fields of an alliance.")
class AllianceFields(Provenance):
    name: str | None = U
    acronym: str | None = U
    scope: AllianceScope | None = U
    description: str | None = U
    founded: int | None = U
    dissolved: int | None = U
    arm_of: strawberry.ID | None = U


@strawberry.input
class CreateAllianceInput(AllianceFields):
    slug: str


@strawberry.input
class UpdateAllianceInput(AllianceFields):
    id: strawberry.ID


@strawberry.input(description="Fields of a category.")
class CategoryFields(Provenance):
    name: str | None = U
    kind: CategoryKind | None = U
    description: str | None = U
    parent: strawberry.ID | None = U


@strawberry.input
class CreateCategoryInput(CategoryFields):
    code: str = strawberry.field(description="A 3-digit NIGP class or an upper-case group code.")


@strawberry.input
class UpdateCategoryInput(CategoryFields):
    id: strawberry.ID


@strawberry.input(
    description="The node to delete. A node others link to is refused (the error lists "
    "them in extensions.dependents) unless detach is true, which only an admin may ask."
)
class DeleteInput:
    id: strawberry.ID
    detach: bool = strawberry.field(
        default=False,
        description="Remove the links others hold to the node with it (admin only). "
        "Links a node cannot be without (a contract's alliance, a lesson's state) are "
        "never removed: move or delete those nodes first.",
    )


@strawberry.input(description="A state's membership of an alliance.")
class MembershipInput:
    state: strawberry.ID
    alliance: strawberry.ID
    since: date | None = None
    until: date | None = None


@strawberry.input(description="A state's participating addendum to a contract.")
class ParticipationInput:
    state: strawberry.ID
    contract: strawberry.ID
    since: date | None = None


@strawberry.input(
    description="A link from a practice to a state or alliance (SHARED_BY), a category "
    "(APPLIES_TO), a contract (REFERENCES) or a practice (RELATED_TO; with prerequisite: "
    "true, the target becomes a prerequisite of the practice)."
)
class PracticeLinkInput:
    practice: strawberry.ID
    target: strawberry.ID
    prerequisite: bool = False


@strawberry.input(
    description="A link from a lesson to a state (FROM), an alliance, contract or category "
    "(ABOUT) or a practice (PART_OF)."
)
class LessonLinkInput:
    lesson: strawberry.ID
    target: strawberry.ID
