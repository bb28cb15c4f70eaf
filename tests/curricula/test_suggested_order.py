"""The suggested curriculum order over many generated curricula (pure Python: no Neo4j).

Each case is drawn from a seeded random generator (bounded in count): practices with
prerequisite links that form no cycle, and lessons that belong to some of them, placed
in a shuffled order. The suggested order must then hold every item once, put each
item after everything it depends on, leave an order that already satisfies them as it
is, and leave no ``PREREQUISITE_LATER`` warning once applied.
"""

from __future__ import annotations

import random

import pytest

from kb.curricula.ordering import (
    LATER,
    OrderInput,
    Placed,
    dependencies,
    prerequisite_warnings,
    suggested_order,
)
from kb.domain.curricula import ItemRef

CASES = 60


def _placed(refs: list[tuple[ItemRef, str | None]]) -> list[Placed]:
    return [
        Placed("m1" if i <= len(refs) // 2 else "m2", i, i, ref, ref.key.upper(), practice)
        for i, (ref, practice) in enumerate(refs, start=1)
    ]


def _case(seed: int) -> OrderInput:
    rng = random.Random(seed)
    practices = [f"p{i}" for i in range(rng.randint(2, 9))]
    # Links only from a lower to a higher number: never a cycle.
    edges = [
        (a, b) for i, a in enumerate(practices) for b in practices[i + 1 :] if rng.random() < 0.3
    ]
    lessons = [(f"L-{i:04d}", rng.choice(practices)) for i in range(rng.randint(0, 5))]
    refs: list[tuple[ItemRef, str | None]] = [(ItemRef("Practice", k), None) for k in practices]
    refs += [(ItemRef("Lesson", k), practice) for k, practice in lessons]
    rng.shuffle(refs)
    return OrderInput(_placed(refs), edges)


def _reindexed(order: OrderInput, items: list[Placed]) -> OrderInput:
    refs = [(p.ref, p.practice) for p in items]
    return OrderInput(_placed(refs), order.edges)


@pytest.mark.parametrize("seed", range(CASES))
def test_the_suggested_order_puts_every_item_after_what_it_depends_on(seed: int) -> None:
    order = _case(seed)
    suggested = suggested_order(order)
    assert sorted(p.ref.key for p in suggested) == sorted(p.ref.key for p in order.placed)
    position = {p.ref: i for i, p in enumerate(suggested)}
    for ref, before in dependencies(order).items():
        for needed in before:
            assert position[needed.ref] < position[ref], f"{ref} before {needed.ref}"
    applied = _reindexed(order, suggested)
    assert [w for w in prerequisite_warnings(applied) if w.kind == LATER] == []


@pytest.mark.parametrize("seed", range(CASES))
def test_an_order_that_satisfies_every_prerequisite_is_kept_as_it_is(seed: int) -> None:
    applied = _reindexed(_case(seed), suggested_order(_case(seed)))
    assert [p.ref for p in suggested_order(applied)] == [p.ref for p in applied.placed]


def test_with_no_prerequisites_the_current_order_is_kept() -> None:
    refs: list[tuple[ItemRef, str | None]] = [
        (ItemRef("Practice", k), None) for k in ("c", "a", "b")
    ]
    order = OrderInput(_placed(refs), edges=[])
    assert [p.ref.key for p in suggested_order(order)] == ["c", "a", "b"]
    assert prerequisite_warnings(order) == []


def test_a_free_item_keeps_its_place_ahead_of_a_moved_one() -> None:
    # b depends on a (placed after it); c is free and stays ahead of the moved b.
    refs: list[tuple[ItemRef, str | None]] = [
        (ItemRef("Practice", k), None) for k in ("b", "c", "a")
    ]
    order = OrderInput(_placed(refs), edges=[("a", "b")])
    assert [p.ref.key for p in suggested_order(order)] == ["c", "a", "b"]
