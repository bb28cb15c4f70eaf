"""The shapes of curricula, certifications and domains, as plain frozen dataclasses.

A :class:`CurriculumPlan` is what a curriculum *should* look like: the seed builds one
from ``seed/curricula.yaml``, every API edit turns one plan into the next, and
:func:`kb.graph.curriculum_store.sync_curriculum` makes the graph match it.

Example:
    >>> item = ItemRef("Practice", "lead-state-model")
    >>> plan = CurriculumPlan("demo", "Demo", "Buyers", "INTRODUCTORY", "",
    ...                       modules=(ModulePlan("m1", "One", (), (item,)),))
    >>> plan.position_of(item)
    ('m1', 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("INTRODUCTORY", "INTERMEDIATE", "ADVANCED")
CERTIFICATION_KINDS = ("CERTIFICATION", "FRAMEWORK")
ITEM_LABELS = ("Practice", "Lesson")


@dataclass(frozen=True)
class ItemRef:
    """A curriculum item: a practice (by slug) or a lesson (by id)."""

    label: str
    key: str

    def __str__(self) -> str:
        return f"{self.label.lower()} {self.key!r}"


@dataclass(frozen=True)
class ModulePlan:
    """One module: a key unique in its curriculum, a title, objectives, ordered items."""

    key: str
    title: str
    objectives: tuple[str, ...] = ()
    items: tuple[ItemRef, ...] = ()


@dataclass(frozen=True)
class CurriculumPlan:
    """A whole curriculum: its fields, target certifications and ordered modules."""

    key: str
    title: str
    audience: str
    level: str
    description: str
    certifications: tuple[str, ...] = ()
    modules: tuple[ModulePlan, ...] = ()
    source: str | None = None
    illustrative: bool = False

    def items(self) -> list[tuple[str, ItemRef]]:
        """Every item in curriculum order, with the key of its module."""
        return [(module.key, item) for module in self.modules for item in module.items]

    def module(self, key: str) -> ModulePlan | None:
        return next((module for module in self.modules if module.key == key), None)

    def position_of(self, item: ItemRef) -> tuple[str, int] | None:
        """(module key, 1-based position in that module) of ``item``, or None."""
        for module in self.modules:
            if item in module.items:
                return module.key, module.items.index(item) + 1
        return None


@dataclass(frozen=True)
class Domain:
    """A domain of a framework (a UPPCC body-of-knowledge domain, an NIGP focus area)."""

    key: str
    name: str
    framework: str
    position: int
    focus_area: str | None = None


@dataclass(frozen=True)
class Certification:
    """A certification (CPPB, CPPO) or a framework (UPPCC-BOK, NIGP-GBP) with domains.

    A certification names the ``framework`` its exam rests on and has no domains of its
    own; a framework has ``domains``.
    """

    code: str
    kind: str
    name: str
    body: str
    description: str
    since: int | None = None
    framework: str | None = None
    domains: tuple[Domain, ...] = ()
    source: str | None = None
    illustrative: bool = False


@dataclass(frozen=True)
class Teaching:
    """A practice teaches a domain: from ``seed/teaches.csv`` or its focus area."""

    practice: str
    domain: str
    via: str
    illustrative: bool


@dataclass
class CurriculaSeed:
    """What the curriculum seed files hold, validated."""

    certifications: list[Certification] = field(default_factory=list)
    teachings: list[Teaching] = field(default_factory=list)
    curricula: list[CurriculumPlan] = field(default_factory=list)
