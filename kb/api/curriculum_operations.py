# strawberry.field(...) / strawberry.mutation(...) with arguments are typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""Curriculum queries and mutations: ``CurriculumQuery`` and ``CurriculumMutation``.

Every mutation needs a token with role ``editor`` (its rule in :mod:`kb.api.roles`;
an editor deletes only the curricula it created), has a nullable payload, takes one
input object, checks it
whole before anything is written (BAD_USER_INPUT listing every bad field), then runs in
one transaction that checks it against the curriculum as it is (NOT_FOUND for an
unknown curriculum, module or item; BAD_USER_INPUT for a duplicate item or a position
out of range) and writes, with its change entry. A refused write changes nothing.

A curriculum is named by its key (``new-buyer-onboarding``) or its global ID; items by
the global ID of a practice or lesson; modules by their key within the curriculum.
Positions count from 1.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

import strawberry

from kb.api.curricula_inputs import (
    SLUG_EXPECTED,
    AddItemInput,
    AddModuleInput,
    AddPrerequisiteInput,
    CreateCurriculumInput,
    CurriculumPayload,
    CurriculumWhere,
    DeleteCurriculumInput,
    DeleteCurriculumPayload,
    MoveItemInput,
    MoveModuleInput,
    PrerequisitePayload,
    RemoveItemInput,
    RemoveModuleInput,
    UpdateCurriculumInput,
    UpdateModuleInput,
)
from kb.api.curricula_types import (
    Certification,
    Curriculum,
    certification_loader,
    to_certification,
    to_curriculum,
)
from kb.api.errors import ApiError, BadInputError, ForbiddenError, InputErrors, NotFoundError
from kb.api.ids import decode_id, decode_id_of
from kb.api.nodes import to_node
from kb.api.pagination import Connection, Edge, PageInfo, encode_cursor, page_request
from kb.api.relationship_fields import Info
from kb.curricula import edits
from kb.domain import patterns
from kb.domain.curricula import CurriculumPlan, ItemRef, ModulePlan
from kb.graph.certifications import read_certifications
from kb.graph.curriculum_store import (
    add_prerequisite,
    create_curriculum,
    delete_curriculum,
    edit_curriculum,
    list_curricula,
    read_curricula,
)
from kb.graph.deletes import NotOwnerError, check_owner
from kb.graph.reads import nodes_by_keys
from kb.graph.writes import MissingNodeError, WriteError
from kb.seed.validate import MAX_TEXT, MAX_TITLE

SLUG = re.compile(patterns.SLUG.regex)


def _graph_error(error: WriteError) -> ApiError:
    if isinstance(error, NotOwnerError):
        return ForbiddenError(str(error), error.field)
    if isinstance(error, MissingNodeError):
        return NotFoundError(str(error), error.field)
    return BadInputError(str(error), error.field)


class _Problems:
    """Collects bad input fields, to report them all in one error."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.found.append((field, message))

    def text(self, field: str, value: str | None, required: bool, limit: int) -> str:
        text = (value or "").strip()
        if required and not text:
            self.add(field, "is empty; a non-empty text is required")
        elif len(text) > limit:
            self.add(field, f"is {len(text)} characters long; at most {limit} are accepted")
        return text

    def slug(self, field: str, value: str) -> str:
        if not SLUG.fullmatch(value):
            self.add(field, f"{value!r} is not {SLUG_EXPECTED}")
        return value

    def position(self, field: str, value: int | None) -> int | None:
        if value is not None and value < 1:
            self.add(field, f"position {value} is out of range; positions count from 1")
        return value

    def objectives(self, field: str, values: list[str] | None) -> tuple[str, ...]:
        found = tuple(
            self.text(f"{field}[{i}]", v, True, MAX_TITLE) for i, v in enumerate(values or [])
        )
        return found

    def item(self, field: str, value: strawberry.ID) -> ItemRef | None:
        try:
            label, key = decode_id(str(value), field)
        except ApiError as error:
            self.add(field, str(error))
            return None
        if label not in ("Practice", "Lesson"):
            self.add(field, f"{value!r} is the ID of a {label}; expected a Practice or a Lesson")
            return None
        return ItemRef(label, key)

    def certifications(self, field: str, codes: list[str] | None) -> tuple[str, ...]:
        cleaned = [c.strip() for c in codes or []]
        for code in sorted({c for c in cleaned if cleaned.count(c) > 1}):
            self.add(field, f"lists {code!r} more than once")
        return tuple(dict.fromkeys(cleaned))

    def check(self) -> None:
        if self.found:
            raise InputErrors(self.found)


def curriculum_key(value: strawberry.ID | str, field: str) -> str:
    """The key of a curriculum named by its key or by its global ID."""
    text = str(value).strip()
    if SLUG.fullmatch(text):
        return text
    try:
        decoded = base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        decoded = ""
    label, _, key = decoded.partition(":")
    if label != "Curriculum" or not SLUG.fullmatch(key):
        raise BadInputError(
            f"{text!r} is neither a curriculum key ({SLUG_EXPECTED}) nor a curriculum's "
            "global ID (base64 of 'Curriculum:key')",
            field,
        )
    return key


# -- inputs and payloads ---------------------------------------------------------------


async def _edit(
    info: Info,
    curriculum: strawberry.ID,
    edit: Callable[[CurriculumPlan], CurriculumPlan],
    fields: dict[ItemRef, str] | None = None,
) -> CurriculumPayload | None:
    key = curriculum_key(curriculum, "input.curriculum")
    try:
        record = await info.context.run(
            edit_curriculum, info.context.graph, key, edit, info.context.viewer.author, fields
        )
    except WriteError as error:
        raise _graph_error(error) from None
    return CurriculumPayload(curriculum=to_curriculum(record))


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


@strawberry.type
class CurriculumQuery:
    @strawberry.field(description="A curriculum by key (e.g. new-buyer-onboarding) or global ID.")
    async def curriculum(self, info: Info, id: strawberry.ID) -> Curriculum | None:
        info.context.require_read()
        key = curriculum_key(id, "id")
        found = await info.context.run(read_curricula, info.context.graph, [key])
        return to_curriculum(found[key]) if key in found else None

    @strawberry.field(description="Curricula, by title.")
    async def curricula(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        where: CurriculumWhere | None = None,
    ) -> Connection[Curriculum]:
        info.context.require_read()
        request = page_request(first, after)
        level = where.level.value if where and where.level else None
        cert = where.certification if where else None
        total, records = await info.context.run(
            list_curricula, info.context.graph, request.offset, request.limit, level, cert
        )
        nodes = [to_curriculum(r) for r in records]
        edges = [
            Edge(node=n, cursor=encode_cursor(request.offset + i)) for i, n in enumerate(nodes)
        ]
        info_ = PageInfo(
            has_next_page=request.offset + len(nodes) < total,
            has_previous_page=request.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return Connection(edges=edges, nodes=nodes, page_info=info_, total_count=total)

    @strawberry.field(description="Certifications and frameworks, with their domains.")
    async def certifications(self, info: Info) -> list[Certification]:
        info.context.require_read()
        found = await info.context.run(read_certifications, info.context.graph)
        return [to_certification(r) for r in found]

    @strawberry.field(description="A certification or framework by code, e.g. CPPB.")
    async def certification(self, info: Info, code: str) -> Certification | None:
        info.context.require_read()
        found = await certification_loader(info).load(code.strip().upper())
        return to_certification(found) if found is not None else None


@strawberry.type
class CurriculumMutation:
    @strawberry.mutation(description="Create a curriculum, with modules and items if given.")
    async def create_curriculum(
        self, info: Info, input: CreateCurriculumInput
    ) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        p = _Problems()
        key = p.slug("input.key", input.key.strip())
        modules: list[ModulePlan] = []
        fields: dict[ItemRef, str] = {}
        keys: set[str] = set()
        for m, module in enumerate(input.modules):
            at = f"input.modules[{m}]"
            title = p.text(f"{at}.title", module.title, True, MAX_TITLE)
            mkey = p.slug(f"{at}.key", module.key.strip()) if module.key else ""
            items: list[ItemRef] = []
            for i, value in enumerate(module.items):
                ref = p.item(f"{at}.items[{i}]", value)
                if ref is not None and ref in fields:
                    p.add(
                        f"{at}.items[{i}]",
                        f"{ref} is listed twice (also at {fields[ref]}); "
                        "an item appears once per curriculum",
                    )
                elif ref is not None:
                    fields[ref] = f"{at}.items[{i}]"
                    items.append(ref)
            mkey = mkey or edits.module_key(title, keys)
            if mkey in keys:
                p.add(f"{at}.key", f"{mkey!r} is the key of an earlier module")
            keys.add(mkey)
            objectives = p.objectives(f"{at}.objectives", module.objectives)
            modules.append(ModulePlan(mkey, title, objectives, tuple(items)))
        plan = CurriculumPlan(
            key=key,
            title=p.text("input.title", input.title, True, MAX_TITLE),
            audience=p.text("input.audience", input.audience, True, MAX_TITLE),
            level=input.level.value,
            description=p.text("input.description", input.description, False, MAX_TEXT),
            certifications=p.certifications("input.certifications", input.certifications),
            modules=tuple(modules),
        )
        p.check()
        try:
            record = await info.context.run(
                create_curriculum, info.context.graph, plan, info.context.viewer.author, fields
            )
        except WriteError as error:
            raise _graph_error(error) from None
        return CurriculumPayload(curriculum=to_curriculum(record))

    @strawberry.mutation(description="Change a curriculum's fields or target certifications.")
    async def update_curriculum(
        self, info: Info, input: UpdateCurriculumInput
    ) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        p = _Problems()
        changes: dict[str, Any] = {}
        for name, required, limit in (
            ("title", True, MAX_TITLE),
            ("audience", True, MAX_TITLE),
            ("description", False, MAX_TEXT),
        ):
            value = getattr(input, name)
            if _given(value):
                changes[name] = p.text(f"input.{name}", value, required, limit)
        if _given(input.level):
            if input.level is None:
                p.add("input.level", "cannot be null; give INTRODUCTORY, INTERMEDIATE or ADVANCED")
            else:
                changes["level"] = input.level.value
        if _given(input.certifications):
            changes["certifications"] = p.certifications(
                "input.certifications", input.certifications
            )
        p.check()

        def edit(plan: CurriculumPlan) -> CurriculumPlan:
            from dataclasses import replace

            return replace(plan, **changes)

        return await _edit(info, input.id, edit)

    @strawberry.mutation(description="Delete a curriculum and its modules (not its items).")
    async def delete_curriculum(
        self, info: Info, input: DeleteCurriculumInput
    ) -> DeleteCurriculumPayload | None:
        owner = info.context.require_mutation(info.field_name)
        key = curriculum_key(input.id, "input.id")
        try:
            if owner is not None:
                await info.context.run(check_owner, info.context.graph, "Curriculum", key, owner)
            await info.context.run(
                delete_curriculum, info.context.graph, key, info.context.viewer.author
            )
        except WriteError as error:
            raise _graph_error(error) from None
        return DeleteCurriculumPayload(deleted_id=input.id)

    @strawberry.mutation(description="Add an empty module (at the end unless a position is given).")
    async def add_module(self, info: Info, input: AddModuleInput) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        p = _Problems()
        title = p.text("input.title", input.title, True, MAX_TITLE)
        key = p.slug("input.key", input.key.strip()) if input.key else None
        objectives = p.objectives("input.objectives", input.objectives)
        position = p.position("input.position", input.position)
        p.check()
        return await _edit(
            info,
            input.curriculum,
            lambda plan: edits.add_module(plan, title, objectives, key, position),
        )

    @strawberry.mutation(description="Change a module's title or objectives.")
    async def update_module(self, info: Info, input: UpdateModuleInput) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        p = _Problems()
        title = p.text("input.title", input.title, True, MAX_TITLE) if _given(input.title) else None
        objectives = (
            p.objectives("input.objectives", input.objectives) if _given(input.objectives) else None
        )
        p.check()
        return await _edit(
            info,
            input.curriculum,
            lambda plan: edits.update_module(plan, input.module, title, objectives),
        )

    @strawberry.mutation(description="Move a module to another position.")
    async def move_module(self, info: Info, input: MoveModuleInput) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        p = _Problems()
        p.position("input.position", input.position)
        p.check()
        return await _edit(
            info,
            input.curriculum,
            lambda plan: edits.move_module(plan, input.module, input.position),
        )

    @strawberry.mutation(description="Remove a module and its items from the curriculum.")
    async def remove_module(self, info: Info, input: RemoveModuleInput) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        return await _edit(
            info, input.curriculum, lambda plan: edits.remove_module(plan, input.module)
        )

    @strawberry.mutation(description="Add a practice or lesson to a module.")
    async def add_item(self, info: Info, input: AddItemInput) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        p = _Problems()
        ref = p.item("input.item", input.item)
        position = p.position("input.position", input.position)
        p.check()
        assert ref is not None
        return await _edit(
            info,
            input.curriculum,
            lambda plan: edits.add_item(plan, input.module, ref, position),
            {ref: "input.item"},
        )

    @strawberry.mutation(description="Move an item within its module, or to another module.")
    async def move_item(self, info: Info, input: MoveItemInput) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        p = _Problems()
        ref = p.item("input.item", input.item)
        p.position("input.position", input.position)
        p.check()
        assert ref is not None
        return await _edit(
            info,
            input.curriculum,
            lambda plan: edits.move_item(plan, ref, input.position, input.module),
        )

    @strawberry.mutation(description="Remove an item from the curriculum.")
    async def remove_item(self, info: Info, input: RemoveItemInput) -> CurriculumPayload | None:
        info.context.require_mutation(info.field_name)
        p = _Problems()
        ref = p.item("input.item", input.item)
        p.check()
        assert ref is not None
        return await _edit(info, input.curriculum, lambda plan: edits.remove_item(plan, ref))

    @strawberry.mutation(
        description="Make one practice a prerequisite of another (PREREQUISITE_OF); refused, "
        "naming the cycle, when the other already leads to the first."
    )
    async def add_prerequisite(
        self, info: Info, input: AddPrerequisiteInput
    ) -> PrerequisitePayload | None:
        info.context.require_mutation(info.field_name)
        practice = decode_id_of(str(input.practice), "Practice", "input.practice")
        before = decode_id_of(str(input.prerequisite), "Practice", "input.prerequisite")
        try:
            created = await info.context.run(
                add_prerequisite, info.context.graph, before, practice, info.context.viewer.author
            )
        except WriteError as error:
            raise _graph_error(error) from None
        found = await info.context.run(
            nodes_by_keys, info.context.graph, "Practice", [practice, before]
        )
        return PrerequisitePayload(
            practice=to_node(found[practice]), prerequisite=to_node(found[before]), created=created
        )
