"""The undo journal of bulk writes (kb.graph.journal, kb.graph.recovery) against failures
injected mid-write on the real Neo4j: a statement Neo4j refuses inside a batch's unit of
work, and a rollback that cannot finish and is completed by the next bulk write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from kb.graph import batch_writes
from kb.graph.batch_writes import Batch, BulkWriteError, write_batches
from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.graph.journal import MEMBERSHIP
from kb.graph.load import load_seed, membership_rows, seed_rows
from kb.graph.recovery import recover_imports, unfinished_imports
from kb.seed import SeedData
from tests.graph.test_load import dump
from tests.seed.test_imports_batched import journal_nodes, locked


def _changed(seed_data: SeedData) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows that change three memberships and two lessons of the seed."""
    memberships = [replace(m, since=date(1999, 1, 1)) for m in seed_data.memberships[:3]]
    lessons = [replace(x, title=f"Edited {x.title}") for x in seed_data.lessons[:2]]
    rows = seed_rows(replace(seed_data, lessons=lessons))["Lesson"][:2]
    return membership_rows(replace(seed_data, memberships=memberships))[:3], rows


def _changes_after(graph: Graph, sequence: int) -> list[dict[str, Any]]:
    return graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq RETURN c.label AS label, c.id AS id, "
        "c.op AS op, c.author AS author ORDER BY c.seq",
        seq=sequence,
    )


def test_a_statement_refused_inside_a_batch_leaves_nothing_half_written(
    graph: Graph, seed_data: SeedData
) -> None:
    load_seed(graph, seed_data)
    before, sequence = dump(graph), last_sequence(graph)
    memberships, lessons = _changed(seed_data)
    # A property value Neo4j refuses (a map): the third batch fails inside its own
    # transaction, after its heartbeat and journal entries and part of its upsert ran.
    poisoned = [{**lessons[1], "props": {**lessons[1]["props"], "title": {"not": "text"}}}]
    batches = [
        Batch(MEMBERSHIP, memberships, "memberships 1-3"),
        Batch("Lesson", lessons[:1], "lesson 1"),
        Batch("Lesson", poisoned, "lesson 2"),
    ]

    with pytest.raises(BulkWriteError) as caught:
        write_batches(graph, batches, source="test", kind="seed", author="seed")

    assert caught.value.rolled_back
    assert "failed at batch 3 (lesson 2)" in str(caught.value)
    assert dump(graph) == before
    assert journal_nodes(graph) == 0 and unfinished_imports(graph) == []
    undo = [c for c in _changes_after(graph, sequence) if c["author"] == "seed-rollback"]
    # Undoing the memberships records both of their ends; the lesson is put back.
    assert {(c["label"], c["id"]) for c in undo} == {
        ("Lesson", lessons[0]["id"]),
        *{("State", row["state"]) for row in memberships},
        *{("Alliance", row["alliance"]) for row in memberships},
    }


def test_a_rollback_that_cannot_finish_is_completed_by_the_next_bulk_write(
    graph: Graph, seed_data: SeedData, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_seed(graph, seed_data)
    before = dump(graph)
    memberships, lessons = _changed(seed_data)
    # The undo may wait on a lock no longer than this (the default is two minutes).
    monkeypatch.setattr(batch_writes, "BATCH_TIMEOUT", 5.0)
    held = ExitStack()

    def batches() -> Iterator[Batch]:
        yield Batch(MEMBERSHIP, memberships, "memberships 1-3")
        yield Batch("Lesson", lessons, "lessons 1-2")
        # Another writer now holds a lesson the undo must restore; then the source fails.
        held.enter_context(locked(graph, lessons[0]["id"]))
        raise RuntimeError("the source could not be read further")

    with held, pytest.raises(BulkWriteError) as caught:
        write_batches(graph, batches(), source="test", kind="seed", author="seed", batch_timeout=5)
    assert not caught.value.rolled_back
    assert "the next `kb import` or `kb seed` rolls import" in str(caught.value)
    [left] = unfinished_imports(graph)
    assert left.status == "failed" and journal_nodes(graph) > 1
    assert dump(graph) != before

    done = recover_imports(graph)

    assert len(done) == 1 and done[0].startswith("rolled back the interrupted seed")
    assert dump(graph) == before
    assert journal_nodes(graph) == 0 and unfinished_imports(graph) == []


def test_a_rolled_back_creation_keeps_its_links_on_the_delete_entry(
    graph: Graph, seed_data: SeedData
) -> None:
    """Feeds and filtered subscribers heard of the created lesson through its state: the
    undo's DELETE entry names that state too, not nothing (which reaches everyone)."""
    load_seed(graph, seed_data)
    sequence = last_sequence(graph)
    [row] = seed_rows(seed_data)["Lesson"][:1]
    created = {**row, "id": "L-9999", "props": {**row["props"], "title": "A new lesson"}}
    poisoned = [{**created, "id": "L-9998", "props": {**row["props"], "title": {"no": 1}}}]
    batches = [Batch("Lesson", [created], "new"), Batch("Lesson", poisoned, "poisoned")]

    with pytest.raises(BulkWriteError) as caught:
        write_batches(graph, batches, source="test", kind="seed", author="seed")

    assert caught.value.rolled_back
    [entry] = graph.read(
        "MATCH (c:Change {label: 'Lesson', id: 'L-9999', op: 'DELETE'}) WHERE c.seq > $seq "
        "RETURN c.title AS title, c.links AS links",
        seq=sequence,
    )
    assert entry["title"] == "A new lesson"
    assert f"State:{row['links']['state']}" in entry["links"]
    assert f"Practice:{row['links']['practice']}" in entry["links"]
