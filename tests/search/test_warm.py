"""Snapshots prepared before searches get them (SearchService.warm): every segment's
posting arrays read whole, the same arrays the term-by-term path reads, the same
answers as Whoosh's own, and no search left to read a posting list itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from search_support import FILTER_SETS, judged_and_operator_queries, write_lesson

from kb.graph.db import Graph
from kb.search import IndexStore, SearchService, segments
from kb.search.loaded import LoadedSegment
from kb.search.runtime import SearchRuntime
from kb.search.segments import (
    LOADED_FIELDS,
    LOADED_PREFIXES,
    SegmentArrays,
    read_lengths,
    segment_key,
)
from kb.search.semantic import document_vector, word_vectors


def _rounded(result: Any) -> Any:
    hits = [(h.kind, h.id, round(h.score, 9), h.highlights, h.cursor) for h in result.hits]
    return hits, result.total, result.facets, result.suggestion, result.has_next_page


@pytest.fixture(scope="module")
def warmed(seed_index: IndexStore) -> Iterator[SearchService]:
    service = SearchService(seed_index)
    assert service.warm() is True
    assert service.warm() is False  # the newest snapshot is published already
    yield service
    service.close()


@pytest.fixture(scope="module")
def whoosh_only(seed_index: IndexStore) -> Iterator[SearchService]:
    service = SearchService(seed_index)
    service.vectors = False
    yield service
    service.close()


def test_a_segment_read_whole_holds_what_term_by_term_reads_give(
    search: SearchService,
) -> None:
    compared = 0
    with search.searchers.searcher() as searcher:
        subs = [searcher] if searcher.is_atomic() else [s for s, _ in searcher.subsearchers]
        for sub in subs:
            reader = sub.reader()
            loaded = LoadedSegment.read(
                reader, LOADED_FIELDS, read_lengths, LOADED_PREFIXES, document_vector
            )
            lazy = SegmentArrays()
            # Each document's vector of meaning, as a search without the arrays makes it.
            docs = list(range(reader.doc_count_all()))
            made = word_vectors().documents([reader.stored_fields(d) for d in docs])
            assert loaded.meaning.tobytes() == made.tobytes()
            assert lazy.meaning(reader, np.array(docs[::-3])).tobytes() == made[::-3].tobytes()
            for name in LOADED_FIELDS:
                if name not in LOADED_PREFIXES:
                    assert loaded.lengths[name].tolist() == read_lengths(reader, name).tolist()
                terms = [str(t) for t in reader.field_terms(name) if loaded.covers(name, str(t))]
                for text in terms:
                    ids, weights = loaded.postings(name, text)
                    expected_ids, expected_weights = lazy.postings(reader, name, text)
                    assert ids.tolist() == expected_ids.tolist(), (name, text)
                    assert weights.tolist() == expected_weights.tolist(), (name, text)
                    compared += 1
                if not reader.schema[name].format.supports("positions"):
                    continue
                decode = reader.schema[name].format.decode_positions
                docs = list(range(reader.doc_count_all()))
                for text in terms[::7]:
                    expected = lazy.positions(reader, name, text, docs, decode)
                    assert loaded.positions(name, text, docs, decode) == expected, (name, text)
                    assert expected  # every term has postings
            assert loaded.postings("body", "zzznotaword")[0].tolist() == []
            assert not loaded.covers("uid", "lesson:L-0001")  # read term by term
    assert compared > 2000


@pytest.mark.parametrize("filters", FILTER_SETS, ids=["none", "lessons", "states+years"])
def test_warmed_answers_equal_whoosh_scoring(
    warmed: SearchService, whoosh_only: SearchService, filters: Any
) -> None:
    differing = [
        text
        for text in judged_and_operator_queries()
        if _rounded(warmed.search(text, filters, first=10))
        != _rounded(whoosh_only.search(text, filters, first=10))
    ]
    assert differing == []
    assert warmed.searchers.segments.reads == 0


def _segment_keys(service: SearchService) -> set[tuple[str, int]]:
    with service.searchers.searcher() as searcher:
        keys = {segment_key(leaf) for leaf, _ in searcher.reader().leaf_readers()}
    return {k for k in keys if k is not None}


def test_no_search_reads_a_posting_list_after_start_or_a_commit(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    # Nor makes again what an old segment gave (bitmaps of terms and phrases, phrase
    # matches, stored keys: kept per segment): after a commit, only the new one's.
    runtime = SearchRuntime.start(seeded_graph, tmp_path / "index", interval=3600)
    try:
        service = runtime.service
        arrays = service.searchers.segments
        queries = judged_and_operator_queries()
        before = [service.search(q, first=10) for q in queries]
        assert sum(r.total for r in before) > 100
        assert arrays.reads == 0
        old = _segment_keys(service)
        made = {key: arrays.made[key] for key in old}
        assert sum(made.values()) > 1000
        write_lesson(seeded_graph, "L-9401", "Zeppelin mooring mast", "A bid protest on masts.")
        assert runtime.catch_up() == 1  # the commit, then the new snapshot prepared
        kept = _segment_keys(service) & old
        assert kept and _segment_keys(service) - old  # one new segment beside the old
        after = [service.search(q, first=10) for q in queries]
        assert sum(r.total for r in after) > sum(r.total for r in before)
        # The same queries: nothing made again for the old segments (a new query's
        # terms would be, once per segment).
        assert {key: arrays.made[key] for key in kept} == {key: made[key] for key in kept}
        assert [h.id for h in service.search("zeppelin mooring").hits] == ["L-9401"]
        assert arrays.reads == 0
    finally:
        runtime.stop()


def _wombats(store: IndexStore, names: list[str]) -> None:
    writer = store.open_current().writer()
    for name in names:
        writer.update_document(uid=f"lesson:{name}", kind="lesson", id=name, body="wombat")
    writer.commit(merge=False)


def test_searches_read_the_published_snapshot_until_the_next_is_prepared(
    tmp_path: Path,
) -> None:
    store = IndexStore(tmp_path / "index")
    store.ensure()
    _wombats(store, ["L-1"])
    service = SearchService(store)
    try:
        assert service.search("wombat").total == 1  # not warmed: the newest on disk
        _wombats(store, ["L-2"])
        assert service.search("wombat").total == 2
        assert service.warm() is True
        reads = service.searchers.segments.reads
        _wombats(store, ["L-3"])  # committed, not prepared yet
        assert service.search("wombat").total == 2
        idle = service.searchers.open_count
        with ExitStack() as stack:
            for _ in range(idle + 1):
                # The last, opened anew, sees the newer commit, for that request only.
                stack.enter_context(service.searchers.searcher())
        assert service.searchers.open_count == idle  # it was not kept
        assert service.search("wombat").total == 2
        assert service.warm() is True
        assert sorted(h.id for h in service.search("wombat").hits) == ["L-1", "L-2", "L-3"]
        assert service.warm() is False
        assert service.searchers.segments.reads == reads  # none since the first warm-up
    finally:
        service.close()
    assert service.searchers.open_count == 0


def test_segments_past_the_budget_are_read_term_by_term(
    seed_index: IndexStore, whoosh_only: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments, "MAX_BYTES", 1024)
    service = SearchService(seed_index)
    try:
        service.warm()
        # Only a segment of a few documents (the meta document's) fits, if any.
        assert max((docs for _, docs in service.searchers.segments._loaded), default=0) < 5
        text = "piggyback on another state's contract"
        assert _rounded(service.search(text)) == _rounded(whoosh_only.search(text))
        assert service.searchers.segments.reads > 0
    finally:
        service.close()


def test_loaded_arrays_are_read_only(warmed: SearchService) -> None:
    with warmed.searchers.searcher() as searcher:
        subs = [searcher] if searcher.is_atomic() else [s for s, _ in searcher.subsearchers]
        sub = max(subs, key=lambda s: s.doc_count_all())
        ids, _ = warmed.searchers.segments.postings(sub.reader(), "body", "contract")
        assert len(ids)
        with pytest.raises(ValueError, match="read-only"):
            ids[0] = np.int64(-1)
