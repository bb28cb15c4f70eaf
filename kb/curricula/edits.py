"""The edits the API offers, as pure functions from one plan to the next.

Each checks its input against the current plan and raises before anything is written:
:class:`~kb.graph.writes.WriteError` (bad input) or
:class:`~kb.graph.writes.MissingNodeError` (a module or item the curriculum lacks),
with ``field`` naming the input at fault. Positions are 1-based.

Example:
    >>> plan = add_module(plan, "Know the rules", ("Find the policy manual.",))
    >>> plan = add_item(plan, "know-the-rules", ItemRef("Practice", "procurement-policy-manual"))
"""

from __future__ import annotations

import re
from dataclasses import replace

from kb.domain.curricula import CurriculumPlan, ItemRef, ModulePlan
from kb.graph.writes import MissingNodeError, WriteError


def _range(position: int, last: int, field: str = "input.position") -> None:
    if not 1 <= position <= last:
        raise WriteError(f"position {position} is out of range; expected 1..{last}", field)


def _module(plan: CurriculumPlan, key: str, field: str = "input.module") -> ModulePlan:
    module = plan.module(key)
    if module is None:
        keys = ", ".join(m.key for m in plan.modules) or "(none)"
        raise MissingNodeError(
            f"curriculum {plan.key!r} has no module {key!r}; its modules are: {keys}", field
        )
    return module


def _with_module(plan: CurriculumPlan, module: ModulePlan) -> CurriculumPlan:
    modules = tuple(module if m.key == module.key else m for m in plan.modules)
    return replace(plan, modules=modules)


def module_key(title: str, taken: set[str]) -> str:
    """A key for a new module: its title as a slug, not one of the ``taken`` keys."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "module"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def add_module(
    plan: CurriculumPlan,
    title: str,
    objectives: tuple[str, ...] = (),
    key: str | None = None,
    position: int | None = None,
) -> CurriculumPlan:
    """Insert a new, empty module at ``position`` (default: last)."""
    key = key or module_key(title, {m.key for m in plan.modules})
    if plan.module(key) is not None:
        raise WriteError(f"curriculum {plan.key!r} already has a module {key!r}", "input.key")
    modules = list(plan.modules)
    position = len(modules) + 1 if position is None else position
    _range(position, len(modules) + 1)
    modules.insert(position - 1, ModulePlan(key, title, objectives, ()))
    return replace(plan, modules=tuple(modules))


def update_module(
    plan: CurriculumPlan,
    key: str,
    title: str | None = None,
    objectives: tuple[str, ...] | None = None,
) -> CurriculumPlan:
    """Change the title and/or the objectives of a module."""
    module = _module(plan, key)
    return _with_module(
        plan,
        replace(
            module,
            title=module.title if title is None else title,
            objectives=module.objectives if objectives is None else objectives,
        ),
    )


def move_module(plan: CurriculumPlan, key: str, position: int) -> CurriculumPlan:
    """Move a module to ``position`` among the modules."""
    module = _module(plan, key)
    _range(position, len(plan.modules))
    modules = [m for m in plan.modules if m.key != key]
    modules.insert(position - 1, module)
    return replace(plan, modules=tuple(modules))


def remove_module(plan: CurriculumPlan, key: str) -> CurriculumPlan:
    """Remove a module and its items (the practices and lessons themselves stay)."""
    _module(plan, key)
    return replace(plan, modules=tuple(m for m in plan.modules if m.key != key))


def _placed(plan: CurriculumPlan, item: ItemRef, field: str = "input.item") -> tuple[str, int]:
    where = plan.position_of(item)
    if where is None:
        raise MissingNodeError(f"{item} is not in curriculum {plan.key!r}", field)
    return where


def add_item(
    plan: CurriculumPlan, module: str, item: ItemRef, position: int | None = None
) -> CurriculumPlan:
    """Insert ``item`` into a module at ``position`` (default: last); an item appears once
    per curriculum."""
    target = _module(plan, module)
    where = plan.position_of(item)
    if where is not None:
        raise WriteError(
            f"{item} is already in curriculum {plan.key!r} (module {where[0]!r}, item "
            f"{where[1]}); an item appears once per curriculum; move it instead",
            "input.item",
        )
    items = list(target.items)
    position = len(items) + 1 if position is None else position
    _range(position, len(items) + 1)
    items.insert(position - 1, item)
    return _with_module(plan, replace(target, items=tuple(items)))


def move_item(
    plan: CurriculumPlan, item: ItemRef, position: int, to_module: str | None = None
) -> CurriculumPlan:
    """Move ``item`` to ``position`` in its module, or in ``to_module`` when given."""
    current, _ = _placed(plan, item)
    target = _module(plan, to_module or current)
    if target.key == current:
        _range(position, len(target.items))
        items = [i for i in target.items if i != item]
        items.insert(position - 1, item)
        return _with_module(plan, replace(target, items=tuple(items)))
    _range(position, len(target.items) + 1)
    plan = remove_item(plan, item)
    return add_item(plan, target.key, item, position)


def remove_item(plan: CurriculumPlan, item: ItemRef) -> CurriculumPlan:
    """Take ``item`` out of the curriculum (the practice or lesson itself stays)."""
    current, _ = _placed(plan, item)
    module = _module(plan, current)
    return _with_module(plan, replace(module, items=tuple(i for i in module.items if i != item)))
