"""Searchers are renewed and closed as the index changes: open files and open searchers
stay bounded however many commits the indexer makes, and results count each document
once (kb/search/searchers.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from whoosh import query as wq

from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx
from kb.search import Indexer, IndexStore, SearchService
from kb.search.runtime import SearchRuntime
from kb.search.searchers import MAX_IDLE

COMMITS = 40


def _open_files(under: Path) -> tuple[int, int]:
    """(descriptors of this process on files under ``under``, those on deleted files)."""
    prefix = str(under.resolve())
    inside = deleted = 0
    for entry in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{entry}")
        except FileNotFoundError:
            continue
        if target.startswith(prefix):
            inside += 1
            deleted += target.endswith(" (deleted)")
    return inside, deleted


def _retitle(graph: Graph, lesson: str, title: str) -> None:
    """Change a lesson as the API would: the write and its change entry, one transaction."""

    def write(tx: Tx) -> None:
        tx.run("MATCH (l:Lesson {id: $id}) SET l.title = $title", id=lesson, title=title)
        record_changes(tx, "Lesson", [lesson], "UPSERT", "test")

    graph.execute_write(write)


def _lessons(graph: Graph, count: int) -> list[str]:
    rows = graph.read("MATCH (l:Lesson) RETURN l.id AS id ORDER BY id LIMIT $n", n=count)
    return [row["id"] for row in rows]


def test_many_commits_leave_no_deleted_index_files_open(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    store = IndexStore(tmp_path / "index")
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    service = SearchService(store, seeded_graph)
    lessons = _lessons(seeded_graph, 3)
    for n in range(COMMITS):
        _retitle(seeded_graph, lessons[n % 3], f"Wombat sightings, round {n}")
        assert indexer.catch_up() == 1
        result = service.search("wombat")
        service.related("lesson", lessons[0], first=3)
        # Every commit is seen at once, and each document counts once.
        assert result.total == min(n + 1, 3)
        assert sorted(h.id for h in result.hits) == sorted(set(lessons[: n + 1]))
    inside, deleted = _open_files(store.root)
    # One searcher of the newest commit stays open (its segments); nothing deleted.
    assert deleted == 0
    assert inside <= 12
    assert service.searchers.open_count == 1
    service.close()
    assert service.searchers.open_count == 0
    assert _open_files(store.root) == (0, 0)


def test_concurrent_searches_during_commits_keep_searchers_bounded(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    store = IndexStore(tmp_path / "index")
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    service = SearchService(store, seeded_graph)
    lessons = _lessons(seeded_graph, 2)
    stop = threading.Event()
    failures: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                service.search("cooperative contract", first=5)
                service.related("lesson", lessons[1], first=3)
            except BaseException as error:  # reported by the main thread
                failures.append(error)
                return

    readers = [threading.Thread(target=read) for _ in range(6)]
    for thread in readers:
        thread.start()
    try:
        for n in range(COMMITS // 2):
            _retitle(seeded_graph, lessons[0], f"Platypus permit {n}")
            indexer.catch_up()
    finally:
        stop.set()
        for thread in readers:
            thread.join(30)
    assert failures == []
    # Searchers of older commits were closed when given back; idle ones are capped.
    assert service.searchers.open_count <= MAX_IDLE
    assert service.search("platypus").total == 1
    assert _open_files(store.root)[1] == 0
    service.close()
    assert _open_files(store.root) == (0, 0)


def test_a_searcher_of_an_older_commit_is_closed_once_given_back(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    store = IndexStore(tmp_path / "index")
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    service = SearchService(store)
    lesson = _lessons(seeded_graph, 1)[0]
    pool = service.searchers
    with pool.searcher() as old:
        _retitle(seeded_graph, lesson, "Echidna fencing")
        indexer.catch_up()
        with pool.searcher() as new:
            assert new is not old
            assert pool.open_count == 2
            # The older searcher still reads its own commit while it is in use.
            assert old.document(uid=f"lesson:{lesson}")["title"] != "Echidna fencing"
            assert new.document(uid=f"lesson:{lesson}")["title"] == "Echidna fencing"
        assert not old.is_closed
    assert old.is_closed
    assert not new.is_closed
    assert pool.open_count == 1
    with pool.searcher() as again:
        assert again is new  # the idle searcher of the newest commit is reused
    service.close()
    assert new.is_closed


def test_a_rebuild_moves_searchers_to_the_new_generation(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    store = IndexStore(tmp_path / "index")
    indexer = Indexer(seeded_graph, store)
    indexer.start()
    old_generation = store.current_path()
    service = SearchService(store)
    assert service.search("cooperative").total > 0
    assert _open_files(old_generation)[0] > 0
    indexer.reindex()
    assert store.current_path() != old_generation
    assert service.search("cooperative").total > 0
    assert _open_files(old_generation) == (0, 0)
    assert service.searchers.open_count == 1
    service.close()


def test_idle_searchers_are_closed_by_the_next_commit_without_waiting_for_a_request(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    runtime = SearchRuntime.start(seeded_graph, tmp_path / "index", interval=3600)
    try:
        pool = runtime.service.searchers
        with pool.searcher(), pool.searcher(), pool.searcher():
            pass  # three requests at once, then none: three idle searchers
        assert pool.open_count == 3
        lesson = _lessons(seeded_graph, 1)[0]
        for n in range(8):  # enough commits for Whoosh to merge segments away
            _retitle(seeded_graph, lesson, f"Quokka census {n}")
            runtime.catch_up()
        # Only the searcher that prepared the newest commit (SearchService.warm) is
        # open, on files of that commit: none of the three, nothing deleted.
        assert pool.open_count == 1
        inside, deleted = _open_files(runtime.store.root)
        assert deleted == 0
        assert 0 < inside <= 12
        assert runtime.service.search("quokka").total == 1
    finally:
        runtime.stop()
    assert runtime.service.searchers.open_count == 0


def _wombats(store: IndexStore, names: list[str], merge: bool = True) -> None:
    """Commit one lesson document per name, all about wombats."""
    writer = store.open_current().writer()
    for name in names:
        writer.update_document(uid=f"lesson:{name}", kind="lesson", id=name, body="wombat")
    writer.commit(merge=merge)


def _delete(store: IndexStore, name: str) -> None:
    ix = store.open_current()
    writer = ix.writer()
    writer.delete_by_term("uid", f"lesson:{name}")
    writer.commit(merge=False)  # the segment keeps its id; only its deletions change


def _ids(searcher: object) -> list[str]:
    hits = searcher.search(wq.Term("body", "wombat"), limit=None)  # type: ignore[attr-defined]
    return sorted(hit["id"] for hit in hits)


def test_whoosh_refresh_misses_a_deletion_in_a_kept_segment(tmp_path: Path) -> None:
    # The root cause of deleted lessons staying in a running server's search (issue 12):
    # whoosh-reloaded 2.7.5's Searcher.refresh() reuses the reader of a segment whose id
    # is unchanged, and that reader computed its deleted documents once (a cached
    # property), so a deletion in that segment never shows. If this starts failing,
    # Whoosh fixed it; the pool below does not depend on it either way.
    store = IndexStore(tmp_path / "index")
    store.ensure()
    _wombats(store, ["L-1", "L-2"])
    _wombats(store, ["L-3"], merge=False)
    searcher = store.open_current().searcher()
    assert _ids(searcher) == ["L-1", "L-2", "L-3"]
    _delete(store, "L-1")
    refreshed = searcher.refresh()
    fresh = store.open_current().searcher()
    try:
        assert _ids(refreshed) == ["L-1", "L-2", "L-3"]  # stale
        assert _ids(fresh) == ["L-2", "L-3"]
    finally:
        refreshed.close()
        fresh.close()


def test_pool_searchers_see_a_deletion_in_a_kept_segment(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    store.ensure()
    _wombats(store, ["L-1", "L-2"])
    _wombats(store, ["L-3"], merge=False)
    service = SearchService(store)
    try:
        assert [h.id for h in service.search("wombat").hits] != []
        with service.searchers.searcher() as searcher:
            assert _ids(searcher) == ["L-1", "L-2", "L-3"]
        _delete(store, "L-1")  # the idle searcher above now sees an older commit
        with service.searchers.searcher() as searcher:
            assert _ids(searcher) == ["L-2", "L-3"]
        assert sorted(h.id for h in service.search("wombat").hits) == ["L-2", "L-3"]
        assert service.search("wombat").total == 2
    finally:
        service.close()
