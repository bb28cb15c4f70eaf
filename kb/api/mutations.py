# strawberry.field(...) / strawberry.mutation(...) with arguments are typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""The root ``Mutation``: create, update and delete nodes; set and remove links.

Each mutation needs the role its rule in :mod:`kb.api.roles` names; takes one input
object; checks it whole before anything is written (every bad field, and every
reference to a missing node, in one error); writes in one transaction (with its
change-log entries) and returns a payload with the changed node. Payloads are nullable
(the Relay convention): a refused mutation nulls only its own field, so the other
mutations of the document still report what they wrote.
"""

from __future__ import annotations

from typing import Any

import strawberry

from kb.api.errors import BadInputError, ForbiddenError, InputErrors, NotFoundError
from kb.api.ids import decode_id, decode_id_of
from kb.api.inputs import (
    CreateAllianceInput,
    CreateCategoryInput,
    CreateContractInput,
    CreateLessonInput,
    CreatePracticeInput,
    DeleteInput,
    LessonLinkInput,
    MembershipInput,
    ParticipationInput,
    PracticeLinkInput,
    UpdateAllianceInput,
    UpdateCategoryInput,
    UpdateContractInput,
    UpdateLessonInput,
    UpdatePracticeInput,
)
from kb.api.nodes import Node, to_node
from kb.api.relationship_fields import Info
from kb.api.types import Alliance, Category, Contract, Lesson, Practice
from kb.api.validation import KEYS, plan_node, provided
from kb.graph.deletes import Dependent, DependentsError, NotOwnerError, delete_node
from kb.graph.writes import (
    EDGES,
    DuplicateKeyError,
    MissingNodeError,
    NodeWrite,
    Ref,
    WriteError,
    WriteErrors,
    create_node,
    remove_edge,
    set_edge,
    update_node,
    write_refusals,
)


@strawberry.type
class PracticePayload:
    practice: Practice


@strawberry.type
class LessonPayload:
    lesson: Lesson


@strawberry.type
class ContractPayload:
    contract: Contract


@strawberry.type
class AlliancePayload:
    alliance: Alliance


@strawberry.type
class CategoryPayload:
    category: Category


@strawberry.type(
    name="DeleteDependent",
    description="Nodes of one type holding one kind of link to a deleted (or refused) node.",
)
class DependentType:
    type: str = strawberry.field(description="Their label, e.g. Contract.")
    relationship: str = strawberry.field(description="The link's type, e.g. AWARDED.")
    count: int
    keys: list[str] = strawberry.field(description="Their keys (the first 20).")

    @classmethod
    def of(cls, dependent: Dependent) -> DependentType:
        return cls(
            type=dependent.label, relationship=dependent.relationship,
            count=dependent.count, keys=list(dependent.keys),
        )  # fmt: skip


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID
    detached: list[DependentType] = strawberry.field(
        description="The links removed with the node (detach: true); empty otherwise."
    )


@strawberry.type(description="The two ends of a link, as they are after the change.")
class LinkPayload:
    source: Node
    target: Node


def _problems(errors: list[WriteError]) -> list[tuple[str, str]]:
    flat: list[WriteError] = []
    for error in errors:
        flat += error.errors if isinstance(error, WriteErrors) else [error]
    return [(e.field or "input", str(e)) for e in flat]


def _graph_error(error: WriteError) -> Exception:
    if isinstance(error, WriteErrors):
        missing = all(isinstance(e, MissingNodeError) for e in error.errors)
        return InputErrors(_problems([error]), not_found=missing)
    if isinstance(error, NotOwnerError):
        return ForbiddenError(str(error), error.field)
    if isinstance(error, DependentsError):
        dependents = [
            {"type": d.label, "relationship": d.relationship, "count": d.count,
             "keys": list(d.keys), "required": d.required}
            for d in error.dependents
        ]  # fmt: skip
        return BadInputError(str(error), error.field, {"dependents": dependents})
    if isinstance(error, DuplicateKeyError):
        return BadInputError(str(error), error.field)
    if isinstance(error, MissingNodeError):
        return NotFoundError(str(error), error.field)
    return BadInputError(str(error), error.field)


async def _planned(
    info: Info, label: str, values: dict[str, Any], key: str, key_field: str | None
) -> NodeWrite:
    """The checked write; with bad fields, InputErrors listing them and everything the
    graph would refuse too (missing references, a taken key or title), all at once."""
    write, problems = plan_node(label, values, key, creating=key_field is not None)
    if problems:
        refusals = await info.context.run(write_refusals, info.context.graph, write, key_field)
        raise InputErrors(problems + _problems(refusals))
    return write


async def _create(info: Info, label: str, data: Any) -> Any:
    info.context.require_mutation(info.field_name)
    values = provided(data)
    key_field = KEYS[label][0]
    key = str(values.pop(key_field))
    write = await _planned(info, label, values, key, f"input.{key_field}")
    try:
        record = await info.context.run(
            create_node, info.context.graph, write, info.context.viewer.author, f"input.{key_field}"
        )
    except WriteError as error:
        raise _graph_error(error) from None
    return to_node(record)


async def _update(info: Info, label: str, data: Any) -> Any:
    info.context.require_mutation(info.field_name)
    values = provided(data)
    key = decode_id_of(str(values.pop("id")), label, "input.id")
    write = await _planned(info, label, values, key, None)
    try:
        record = await info.context.run(
            update_node, info.context.graph, write, info.context.viewer.author
        )
    except WriteError as error:
        raise _graph_error(error) from None
    return to_node(record)


async def _delete(info: Info, label: str, data: DeleteInput) -> DeletePayload:
    owner = info.context.require_mutation(info.field_name)
    if data.detach:
        info.context.require_admin_for("detach: true")
    key = decode_id_of(str(data.id), label, "input.id")
    try:
        detached = await info.context.run(
            delete_node, info.context.graph, label, key, info.context.viewer.author,
            owner=owner, detach=data.detach,
        )  # fmt: skip
    except WriteError as error:
        raise _graph_error(error) from None
    return DeletePayload(deleted_id=data.id, detached=[DependentType.of(d) for d in detached])


async def _link(
    info: Info, source: Ref, rel: str, target: Ref, props: dict[str, Any], add: bool
) -> LinkPayload:
    kind = EDGES.get((source.label, rel, target.label))
    if kind is None:
        raise BadInputError(
            f"a {source.label} cannot be linked to a {target.label} this way", target.field
        )
    author = info.context.viewer.author
    try:
        if add:
            ends = await info.context.run(
                set_edge, info.context.graph, kind, source, target, props, author
            )
        else:
            ends = await info.context.run(
                remove_edge, info.context.graph, kind, source, target, author
            )
    except WriteError as error:
        raise _graph_error(error) from None
    return LinkPayload(source=to_node(ends[0]), target=to_node(ends[1]))


def _ref(global_id: strawberry.ID, label: str | None, field: str) -> Ref:
    if label is None:
        found, key = decode_id(str(global_id), field)
        return Ref(found, key, field)
    return Ref(label, decode_id_of(str(global_id), label, field), field)


_PRACTICE_RELS = {"State": "SHARED_BY", "Alliance": "SHARED_BY", "Category": "APPLIES_TO",
                  "Contract": "REFERENCES", "Practice": "RELATED_TO"}  # fmt: skip
_LESSON_RELS = {"State": "FROM", "Alliance": "ABOUT", "Contract": "ABOUT", "Category": "ABOUT",
                "Practice": "PART_OF"}  # fmt: skip


def _practice_link(data: PracticeLinkInput) -> tuple[Ref, str, Ref]:
    practice = _ref(data.practice, "Practice", "input.practice")
    target = _ref(data.target, None, "input.target")
    if data.prerequisite:
        if target.label != "Practice":
            raise BadInputError("prerequisite: true needs a practice as target", "input.target")
        return target, "PREREQUISITE_OF", practice
    if target.label not in _PRACTICE_RELS:
        raise BadInputError(f"a practice cannot be linked to a {target.label}", "input.target")
    return practice, _PRACTICE_RELS[target.label], target


def _lesson_link(data: LessonLinkInput) -> tuple[Ref, str, Ref]:
    lesson = _ref(data.lesson, "Lesson", "input.lesson")
    target = _ref(data.target, None, "input.target")
    if target.label not in _LESSON_RELS:
        raise BadInputError(f"a lesson cannot be linked to a {target.label}", "input.target")
    return lesson, _LESSON_RELS[target.label], target


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a practice.")
    async def create_practice(
        self, info: Info, input: CreatePracticeInput
    ) -> PracticePayload | None:
        return PracticePayload(practice=await _create(info, "Practice", input))

    @strawberry.mutation(description="Change a practice: given fields are set, links replaced.")
    async def update_practice(
        self, info: Info, input: UpdatePracticeInput
    ) -> PracticePayload | None:
        return PracticePayload(practice=await _update(info, "Practice", input))

    @strawberry.mutation(
        description="Delete a practice (refused while others link to it, unless detach)."
    )
    async def delete_practice(self, info: Info, input: DeleteInput) -> DeletePayload | None:
        return await _delete(info, "Practice", input)

    @strawberry.mutation(description="Record a lesson learned.")
    async def create_lesson(self, info: Info, input: CreateLessonInput) -> LessonPayload | None:
        return LessonPayload(lesson=await _create(info, "Lesson", input))

    @strawberry.mutation(description="Change a lesson.")
    async def update_lesson(self, info: Info, input: UpdateLessonInput) -> LessonPayload | None:
        return LessonPayload(lesson=await _update(info, "Lesson", input))

    @strawberry.mutation(description="Delete a lesson.")
    async def delete_lesson(self, info: Info, input: DeleteInput) -> DeletePayload | None:
        return await _delete(info, "Lesson", input)

    @strawberry.mutation(description="Create a contract.")
    async def create_contract(
        self, info: Info, input: CreateContractInput
    ) -> ContractPayload | None:
        return ContractPayload(contract=await _create(info, "Contract", input))

    @strawberry.mutation(description="Change a contract.")
    async def update_contract(
        self, info: Info, input: UpdateContractInput
    ) -> ContractPayload | None:
        return ContractPayload(contract=await _update(info, "Contract", input))

    @strawberry.mutation(description="Delete a contract.")
    async def delete_contract(self, info: Info, input: DeleteInput) -> DeletePayload | None:
        return await _delete(info, "Contract", input)

    @strawberry.mutation(description="Create an alliance.")
    async def create_alliance(
        self, info: Info, input: CreateAllianceInput
    ) -> AlliancePayload | None:
        return AlliancePayload(alliance=await _create(info, "Alliance", input))

    @strawberry.mutation(description="Change an alliance.")
    async def update_alliance(
        self, info: Info, input: UpdateAllianceInput
    ) -> AlliancePayload | None:
        return AlliancePayload(alliance=await _update(info, "Alliance", input))

    @strawberry.mutation(description="Delete an alliance.")
    async def delete_alliance(self, info: Info, input: DeleteInput) -> DeletePayload | None:
        return await _delete(info, "Alliance", input)

    @strawberry.mutation(description="Create a category.")
    async def create_category(
        self, info: Info, input: CreateCategoryInput
    ) -> CategoryPayload | None:
        return CategoryPayload(category=await _create(info, "Category", input))

    @strawberry.mutation(description="Change a category.")
    async def update_category(
        self, info: Info, input: UpdateCategoryInput
    ) -> CategoryPayload | None:
        return CategoryPayload(category=await _update(info, "Category", input))

    @strawberry.mutation(description="Delete a category.")
    async def delete_category(self, info: Info, input: DeleteInput) -> DeletePayload | None:
        return await _delete(info, "Category", input)

    @strawberry.mutation(
        description="Make a state a member of an alliance (or change since/until)."
    )
    async def set_membership(self, info: Info, input: MembershipInput) -> LinkPayload | None:
        info.context.require_mutation(info.field_name)
        state = _ref(input.state, "State", "input.state")
        alliance = _ref(input.alliance, "Alliance", "input.alliance")
        if input.since and input.until and input.until <= input.since:
            raise BadInputError(
                f"until {input.until} is not after since {input.since}", "input.until"
            )
        props = {"since": input.since, "until": input.until}
        return await _link(info, state, "MEMBER_OF", alliance, props, add=True)

    @strawberry.mutation(description="End the record of a state's membership of an alliance.")
    async def remove_membership(self, info: Info, input: MembershipInput) -> LinkPayload | None:
        info.context.require_mutation(info.field_name)
        state = _ref(input.state, "State", "input.state")
        alliance = _ref(input.alliance, "Alliance", "input.alliance")
        return await _link(info, state, "MEMBER_OF", alliance, {}, add=False)

    @strawberry.mutation(description="Record a state's participating addendum to a contract.")
    async def set_participation(self, info: Info, input: ParticipationInput) -> LinkPayload | None:
        info.context.require_mutation(info.field_name)
        state = _ref(input.state, "State", "input.state")
        contract = _ref(input.contract, "Contract", "input.contract")
        return await _link(
            info, state, "PARTICIPATES_IN", contract, {"since": input.since}, add=True
        )

    @strawberry.mutation(description="Remove a state's participation in a contract.")
    async def remove_participation(
        self, info: Info, input: ParticipationInput
    ) -> LinkPayload | None:
        info.context.require_mutation(info.field_name)
        state = _ref(input.state, "State", "input.state")
        contract = _ref(input.contract, "Contract", "input.contract")
        return await _link(info, state, "PARTICIPATES_IN", contract, {}, add=False)

    @strawberry.mutation(
        description="Link a practice to a state, alliance, category, contract or practice."
    )
    async def link_practice(self, info: Info, input: PracticeLinkInput) -> LinkPayload | None:
        info.context.require_mutation(info.field_name)
        source, rel, target = _practice_link(input)
        return await _link(info, source, rel, target, {}, add=True)

    @strawberry.mutation(description="Remove a link of a practice.")
    async def unlink_practice(self, info: Info, input: PracticeLinkInput) -> LinkPayload | None:
        info.context.require_mutation(info.field_name)
        source, rel, target = _practice_link(input)
        return await _link(info, source, rel, target, {}, add=False)

    @strawberry.mutation(
        description="Link a lesson to a state, alliance, contract, category or practice."
    )
    async def link_lesson(self, info: Info, input: LessonLinkInput) -> LinkPayload | None:
        info.context.require_mutation(info.field_name)
        source, rel, target = _lesson_link(input)
        return await _link(info, source, rel, target, {}, add=True)

    @strawberry.mutation(description="Remove a link of a lesson.")
    async def unlink_lesson(self, info: Info, input: LessonLinkInput) -> LinkPayload | None:
        info.context.require_mutation(info.field_name)
        source, rel, target = _lesson_link(input)
        return await _link(info, source, rel, target, {}, add=False)
