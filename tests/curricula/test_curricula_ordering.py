"""Prerequisite order and edits, as pure functions (no database)."""

from __future__ import annotations

import pytest

from kb.curricula import edits
from kb.curricula.ordering import (
    CYCLE,
    LATER,
    OrderInput,
    Placed,
    prerequisite_warnings,
    suggested_order,
)
from kb.domain.curricula import CurriculumPlan, ItemRef, ModulePlan
from kb.graph.writes import MissingNodeError, WriteError


def p(key: str) -> ItemRef:
    return ItemRef("Practice", key)


def placed(*refs: tuple[ItemRef, str | None]) -> list[Placed]:
    return [
        Placed("m", i, i, ref, ref.key.upper(), practice)
        for i, (ref, practice) in enumerate(refs, start=1)
    ]


def test_lesson_before_its_practice_is_a_warning_and_moves_after_it() -> None:
    lesson = ItemRef("Lesson", "L-0001")
    order = OrderInput(placed((lesson, "a"), (p("a"), None)), edges=[])
    [warning] = prerequisite_warnings(order)
    assert warning.kind == LATER and warning.item == lesson and warning.prerequisite == p("a")
    assert "'A' (module 'm', item 2), the practice it belongs to" in warning.message
    assert [x.ref for x in suggested_order(order)] == [p("a"), lesson]


def test_transitive_prerequisites_count_and_order_is_otherwise_kept() -> None:
    # a -> x -> c, where x is not in the curriculum; b is free.
    order = OrderInput(
        placed((p("c"), None), (p("b"), None), (p("a"), None)),
        edges=[("a", "x"), ("x", "c")],
        titles={"x": "X"},
    )
    kinds = [
        (w.kind, w.item.key, w.prerequisite.key if w.prerequisite else None)
        for w in prerequisite_warnings(order)
    ]
    assert kinds == [(LATER, "c", "a"), ("PREREQUISITE_MISSING", "c", "x")]
    assert [x.ref.key for x in suggested_order(order)] == ["b", "a", "c"]


def test_a_cycle_is_reported_and_every_item_still_appears_once() -> None:
    order = OrderInput(placed((p("a"), None), (p("b"), None)), edges=[("a", "b"), ("b", "a")])
    cycles = [w for w in prerequisite_warnings(order) if w.kind == CYCLE]
    assert cycles and cycles[0].cycle == ("a", "b", "a")
    assert sorted(x.ref.key for x in suggested_order(order)) == ["a", "b"]


PLAN = CurriculumPlan(
    "c",
    "C",
    "A",
    "INTRODUCTORY",
    "",
    modules=(
        ModulePlan("one", "One", (), (p("a"), p("b"))),
        ModulePlan("two", "Two", (), (p("c"),)),
    ),
)


def test_edits_move_items_between_modules_and_refuse_bad_positions() -> None:
    moved = edits.move_item(PLAN, p("a"), 2, "two")
    assert [m.items for m in moved.modules] == [(p("b"),), (p("c"), p("a"))]
    with pytest.raises(WriteError, match=r"position 3 is out of range; expected 1\.\.2"):
        edits.move_item(PLAN, p("a"), 3)
    with pytest.raises(MissingNodeError, match="has no module 'three'"):
        edits.add_item(PLAN, "three", p("d"))
    assert edits.add_module(PLAN, "One").modules[-1].key == "one-2"
