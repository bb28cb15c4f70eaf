"""Prerequisite order: warnings for items placed too early, and a suggested order.

An item depends on the curriculum items that must come before it:

- a practice on every practice in the curriculum from which a chain of
  ``PREREQUISITE_OF`` links leads to it (direct or not);
- a lesson on the practice it belongs to (``PART_OF``), when that practice is included.

Example:
    >>> a, b = ItemRef("Practice", "a"), ItemRef("Practice", "b")
    >>> placed = [Placed("m1", 1, 1, b, "B", None), Placed("m1", 2, 2, a, "A", None)]
    >>> order = OrderInput(placed, edges=[("a", "b")], titles={"a": "A", "b": "B"})
    >>> [w.message for w in prerequisite_warnings(order)]
    ["'B' (module 'm1', item 1) comes before its prerequisite 'A' (module 'm1', item 2)"]
    >>> [p.ref.key for p in suggested_order(order)]
    ['a', 'b']
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.domain.curricula import ItemRef
from kb.domain.cycles import find_cycles

if TYPE_CHECKING:
    from kb.graph.curriculum_store import CurriculumRecord

LATER = "PREREQUISITE_LATER"
MISSING = "PREREQUISITE_MISSING"
CYCLE = "PREREQUISITE_CYCLE"


@dataclass(frozen=True)
class Placed:
    """An item where it sits: module key, position in the module, index in the whole
    curriculum (both 1-based), its title and (for a lesson) the practice it belongs to."""

    module: str
    position: int
    index: int
    ref: ItemRef
    title: str
    practice: str | None

    @property
    def where(self) -> str:
        return f"module {self.module!r}, item {self.position}"


@dataclass(frozen=True)
class OrderWarning:
    """One problem with the order; ``prerequisite`` is the item (or practice) it names."""

    kind: str
    message: str
    item: ItemRef
    prerequisite: ItemRef | None = None
    cycle: tuple[str, ...] = ()


@dataclass
class OrderInput:
    """The items in curriculum order and the ``(before, after)`` prerequisite links
    among the practices they lead back to; ``titles`` names practices by slug."""

    placed: list[Placed]
    edges: Iterable[tuple[str, str]]
    titles: dict[str, str] = field(default_factory=dict)


def _ancestors(key: str, parents: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [key]
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    seen.discard(key)
    return seen


def _parents(edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    for before, after in edges:
        parents.setdefault(after, set()).add(before)
    return parents


def dependencies(order: OrderInput) -> dict[ItemRef, list[Placed]]:
    """For each item, the curriculum items that must come before it (in curriculum order)."""
    parents = _parents(order.edges)
    practices = {p.ref.key: p for p in order.placed if p.ref.label == "Practice"}
    needs: dict[ItemRef, list[Placed]] = {}
    for item in order.placed:
        if item.ref.label == "Practice":
            before = [practices[k] for k in _ancestors(item.ref.key, parents) if k in practices]
        else:
            before = [practices[item.practice]] if item.practice in practices else []
        needs[item.ref] = sorted(before, key=lambda p: p.index)
    return needs


def prerequisite_warnings(order: OrderInput) -> list[OrderWarning]:
    """Items placed before what they depend on, practices whose direct prerequisites the
    curriculum leaves out, and prerequisite cycles, in curriculum order."""

    warnings: list[OrderWarning] = []
    needs = dependencies(order)
    included = {p.ref for p in order.placed}
    parents = _parents(order.edges)
    for item in order.placed:
        for before in needs[item.ref]:
            if before.index > item.index:
                what = (
                    f"{before.title!r} ({before.where}), the practice it belongs to"
                    if item.ref.label == "Lesson"
                    else f"its prerequisite {before.title!r} ({before.where})"
                )
                warnings.append(
                    OrderWarning(
                        LATER,
                        f"{item.title!r} ({item.where}) comes before {what}",
                        item.ref,
                        before.ref,
                    )
                )
        if item.ref.label == "Practice":
            for key in sorted(parents.get(item.ref.key, ())):
                if ItemRef("Practice", key) not in included:
                    title = order.titles.get(key, key)
                    warnings.append(
                        OrderWarning(
                            MISSING,
                            f"{item.title!r} ({item.where}) has the prerequisite {title!r}, "
                            "which the curriculum does not include",
                            item.ref,
                            ItemRef("Practice", key),
                        )
                    )
    for cycle in find_cycles(order.edges):
        names = " -> ".join(order.titles.get(k, k) for k in cycle)
        warnings.append(
            OrderWarning(
                CYCLE,
                f"prerequisites form a cycle, so no order satisfies them all: {names}",
                ItemRef("Practice", cycle[0]),
                ItemRef("Practice", cycle[1]),
                tuple(cycle),
            )
        )
    return warnings


def suggested_order(order: OrderInput) -> list[Placed]:
    """Every item, each after what it depends on, otherwise as close to the current order
    as possible (Kahn's algorithm, lowest current index first). Under a prerequisite
    cycle the earliest remaining item goes next, so every item still appears once."""
    needs = {ref: {p.ref for p in before} for ref, before in dependencies(order).items()}
    by_ref = {p.ref: p for p in order.placed}
    waiting = {ref: set(before) for ref, before in needs.items()}
    ready = [(p.index, p.ref.label, p.ref.key) for p in order.placed if not waiting[p.ref]]
    heapq.heapify(ready)
    result: list[Placed] = []
    done: set[ItemRef] = set()
    while len(result) < len(order.placed):
        if not ready:  # a cycle: release the earliest item still waiting
            stuck = min((by_ref[r] for r in waiting if r not in done), key=lambda p: p.index)
            waiting[stuck.ref] = set()
            ready.append((stuck.index, stuck.ref.label, stuck.ref.key))
        _, label, key = heapq.heappop(ready)
        ref = ItemRef(label, key)
        if ref in done:
            continue
        done.add(ref)
        result.append(by_ref[ref])
        for other, before in waiting.items():
            if ref in before:
                before.discard(ref)
                if not before and other not in done:
                    heapq.heappush(ready, (by_ref[other].index, other.label, other.key))
    return result


def order_input(record: CurriculumRecord) -> OrderInput:
    """The ordering problem of a curriculum as read from the graph."""
    placed: list[Placed] = []
    for module in record.modules:
        for position, item in enumerate(module.items, start=1):
            title = str(item.node.props.get("title") or item.ref.key)
            placed.append(
                Placed(module.key, position, len(placed) + 1, item.ref, title, item.practice)
            )
    return OrderInput(placed, record.edges, dict(record.titles))
