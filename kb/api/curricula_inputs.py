"""Inputs and payloads of the curriculum mutations (see :mod:`kb.api.curriculum_operations`)."""

from __future__ import annotations

import strawberry

from kb.api.curricula_types import Curriculum, CurriculumLevel
from kb.api.types import Practice

SLUG_EXPECTED = "a slug (lower-case letters, digits and hyphens, e.g. 'new-buyer-onboarding')"


@strawberry.input(description="A module of a new curriculum.")
class CurriculumModuleInput:
    title: str
    key: str | None = strawberry.field(default=None, description="Default: from the title.")
    objectives: list[str] = strawberry.field(default_factory=list)
    items: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Global IDs of practices and lessons, in order."
    )


@strawberry.input
class CreateCurriculumInput:
    key: str = strawberry.field(description=f"The new curriculum's key: {SLUG_EXPECTED}.")
    title: str
    audience: str
    level: CurriculumLevel
    description: str = ""
    certifications: list[str] = strawberry.field(
        default_factory=list, description="Codes of certifications or frameworks it targets."
    )
    modules: list[CurriculumModuleInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Given fields are set; fields left out stay as they are.")
class UpdateCurriculumInput:
    id: strawberry.ID = strawberry.field(description="The curriculum's key or global ID.")
    title: str | None = strawberry.UNSET
    audience: str | None = strawberry.UNSET
    level: CurriculumLevel | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    certifications: list[str] | None = strawberry.UNSET


@strawberry.input
class DeleteCurriculumInput:
    id: strawberry.ID = strawberry.field(description="The curriculum's key or global ID.")


@strawberry.input
class AddModuleInput:
    curriculum: strawberry.ID
    title: str
    key: str | None = strawberry.field(default=None, description="Default: from the title.")
    objectives: list[str] = strawberry.field(default_factory=list)
    position: int | None = strawberry.field(default=None, description="Default: last.")


@strawberry.input(description="Given fields are set; fields left out stay as they are.")
class UpdateModuleInput:
    curriculum: strawberry.ID
    module: str
    title: str | None = strawberry.UNSET
    objectives: list[str] | None = strawberry.UNSET


@strawberry.input
class MoveModuleInput:
    curriculum: strawberry.ID
    module: str
    position: int


@strawberry.input
class RemoveModuleInput:
    curriculum: strawberry.ID
    module: str


@strawberry.input
class AddItemInput:
    curriculum: strawberry.ID
    module: str
    item: strawberry.ID = strawberry.field(description="Global ID of a practice or lesson.")
    position: int | None = strawberry.field(default=None, description="Default: last.")


@strawberry.input
class MoveItemInput:
    curriculum: strawberry.ID
    item: strawberry.ID
    position: int
    module: str | None = strawberry.field(
        default=None, description="The module to move it to (default: the one it is in)."
    )


@strawberry.input
class RemoveItemInput:
    curriculum: strawberry.ID
    item: strawberry.ID


@strawberry.input
class AddPrerequisiteInput:
    practice: strawberry.ID = strawberry.field(description="The practice that needs the other.")
    prerequisite: strawberry.ID = strawberry.field(description="The practice to read first.")


@strawberry.type
class CurriculumPayload:
    curriculum: Curriculum


@strawberry.type
class DeleteCurriculumPayload:
    deleted_id: strawberry.ID


@strawberry.type
class PrerequisitePayload:
    practice: Practice
    prerequisite: Practice
    created: bool = strawberry.field(description="False when the link existed already.")


@strawberry.input(description="Filters on curricula; all given must hold.")
class CurriculumWhere:
    level: CurriculumLevel | None = None
    certification: str | None = strawberry.field(
        default=None, description="Only curricula that target this certification code."
    )


# -- running edits ---------------------------------------------------------------------
