"""The index follows the graph: change log applied in order, crash-safe, per process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from search_support import delete_lesson, rename_alliance, write_lesson
from whoosh import index as whoosh_index

from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.search import Indexer, IndexLockedError, IndexStore, SearchService
from kb.search.indexer import read_epoch, read_sequence
from kb.search.runtime import SearchRuntime
from kb.search.schema import META_KIND, META_UID, build_schema, schema_signature
from kb.seed import SeedData

CHILD = Path(__file__).with_name("index_child.py")


def found(store: IndexStore, query: str) -> list[str]:
    return [h.id for h in SearchService(store).search(query, first=20).hits]


def test_write_is_searchable_after_the_indexer_applies_it(
    seeded_graph: Graph, store: IndexStore
) -> None:
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    assert "L-9001" not in found(store, "zeppelin")
    write_lesson(seeded_graph, "L-9001", "Zeppelin charter lessons", "Airship leasing went well.")
    assert indexer.catch_up() == 1
    assert found(store, "zeppelin") == ["L-9001"]
    assert indexer.sequence() == last_sequence(seeded_graph)


def test_update_and_delete_follow_the_graph(seeded_graph: Graph, store: IndexStore) -> None:
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    write_lesson(seeded_graph, "L-9002", "Zeppelin charter", "Airship leasing.")
    write_lesson(seeded_graph, "L-9002", "Hovercraft charter", "Hovercraft leasing.")
    indexer.catch_up()
    assert found(store, "zeppelin") == [] and found(store, "hovercraft") == ["L-9002"]
    delete_lesson(seeded_graph, "L-9002")
    indexer.catch_up()
    assert found(store, "hovercraft") == []


def test_renamed_alliance_reaches_the_documents_that_name_it(
    seeded_graph: Graph, store: IndexStore
) -> None:
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    assert found(store, "quokkabuy") == []
    rename_alliance(seeded_graph, "mmcap", "Quokkabuy pharmacy alliance")
    indexer.catch_up()
    assert "L-0124" in found(store, "quokkabuy")


def test_two_indexers_on_one_graph_both_see_a_write(seeded_graph: Graph, tmp_path: Path) -> None:
    # Two app processes, each with its own index directory, fed by one change log.
    first, second = IndexStore(tmp_path / "app-1"), IndexStore(tmp_path / "app-2")
    indexers = [Indexer(seeded_graph, first), Indexer(seeded_graph, second)]
    for indexer in indexers:
        indexer.start()
    write_lesson(seeded_graph, "L-9003", "Zeppelin mooring", "Mast rental.", state="OH")
    for indexer in indexers:
        indexer.catch_up()
    assert found(first, "zeppelin") == found(second, "zeppelin") == ["L-9003"]


def test_kill_9_mid_batch_leaves_an_index_that_completes_on_restart(
    seeded_graph: Graph, store: IndexStore, test_env: dict[str, str], seed_data: SeedData
) -> None:
    env = {**os.environ, **test_env}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(store.root), "5", "50"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip() == "PAUSED", (line, child.stderr.read() if child.stderr else "")
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    # The killed second batch never committed: the index holds the first batch's
    # commit and its sequence.
    assert read_sequence(store.open_current()) == 50
    # Restart: the lock is free again and the catch-up completes the index.
    indexer = Indexer(seeded_graph, store, lock_timeout=5.0)
    indexer.catch_up()
    assert indexer.sequence() == last_sequence(seeded_graph)
    total = len(seed_data.practices) + len(seed_data.lessons) + len(seed_data.contracts)
    assert indexer.document_count() == total
    assert "L-0019" in found(store, "addendum protest")


def test_reindex_swaps_in_a_new_generation_while_searches_go_on(
    seeded_graph: Graph, store: IndexStore
) -> None:
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    before = store.current_path()
    service = SearchService(store)
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                totals.append(service.search("cooperative contract", first=5).total)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
                return

    thread = threading.Thread(target=keep_searching)
    thread.start()
    try:
        write_lesson(seeded_graph, "L-9004", "Zeppelin cooperative contract", "Airships.")
        report = indexer.reindex()
    finally:
        stop.set()
        thread.join(30)
    assert not errors, errors
    assert totals and min(totals) > 0
    assert store.current_path() == report.generation != before
    assert report.sequence == last_sequence(seeded_graph)
    assert found(store, "zeppelin") == ["L-9004"]


def test_an_index_built_with_other_field_weights_is_rebuilt_at_start(
    seeded_graph: Graph, store: IndexStore
) -> None:
    """An index an earlier release built (here: the title weighted 3, as it once was) is
    up to date by its sequence but scores by the old weights: start rebuilds it."""
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    before = store.current_path()
    older = build_schema()
    older["title"].field_boost = 3.0
    assert schema_signature(older) != schema_signature(build_schema())
    epoch = read_epoch(store.open_current())
    ix = whoosh_index.create_in(str(before), older)  # a new TOC: the old weights, no records
    with ix.writer() as writer:
        writer.add_document(
            uid=META_UID, kind=META_KIND, seq=last_sequence(seeded_graph), epoch=epoch
        )
    assert found(store, "addendum protest") == []
    assert indexer.catch_up() == 0  # nothing new in the change log ...
    indexer.start()  # ... but the weights are not this code's
    assert store.current_path() != before
    assert schema_signature(store.open_current().schema) == schema_signature(build_schema())
    assert "L-0019" in found(store, "addendum protest")


def test_second_indexer_of_a_directory_waits_then_gives_up(
    seeded_graph: Graph, store: IndexStore
) -> None:
    store.ensure()
    with store.locked(), pytest.raises(IndexLockedError, match="another indexer has held"):
        Indexer(seeded_graph, store, lock_timeout=0.2).catch_up()
    assert Indexer(seeded_graph, store, lock_timeout=5.0).catch_up() > 0


def _delete_without_a_change_entry(graph: Graph, id: str) -> None:
    # Whatever leaves the index behind the graph (a write that bypassed the change log, a
    # restore, a bug): the index still holds a document whose node is gone.
    graph.write("MATCH (n:Lesson {id: $id}) DETACH DELETE n", id=id)


def test_a_hit_whose_node_is_gone_is_never_returned(seeded_graph: Graph, store: IndexStore) -> None:
    write_lesson(seeded_graph, "L-9005", "Zeppelin hangar rental", "Mast rental.")
    write_lesson(seeded_graph, "L-9006", "Zeppelin hangar insurance", "Mast insurance.")
    Indexer(seeded_graph, store).start()  # builds the index, both lessons included
    service = SearchService(store, seeded_graph)
    assert sorted(h.id for h in service.search("zeppelin hangar").hits) == ["L-9005", "L-9006"]
    _delete_without_a_change_entry(seeded_graph, "L-9005")
    result = service.search("zeppelin hangar")
    assert [h.id for h in result.hits] == ["L-9006"]
    assert result.total == 1
    assert {c.value: c.count for c in result.facets["kind"]} == {"lesson": 1}


def test_a_search_that_meets_a_gone_node_removes_it_from_the_index(
    seeded_graph: Graph, store: IndexStore
) -> None:
    runtime = SearchRuntime.start(seeded_graph, store.root, interval=60.0)
    try:
        write_lesson(seeded_graph, "L-9007", "Zeppelin hangar lighting", "Mast lights.")
        runtime.catch_up()
        _delete_without_a_change_entry(seeded_graph, "L-9007")
        sequence = runtime.indexer.sequence()
        assert runtime.service.search("zeppelin").total == 0
        # Repaired in the index itself (without the graph's help, as `kb search` reads it).
        assert found(store, "zeppelin") == []
        assert runtime.indexer.sequence() == sequence  # the change log position is untouched
        write_lesson(seeded_graph, "L-9007", "Zeppelin hangar lighting", "Mast lights.")
        runtime.catch_up()
        assert [h.id for h in runtime.service.search("zeppelin").hits] == ["L-9007"]
    finally:
        runtime.stop()
