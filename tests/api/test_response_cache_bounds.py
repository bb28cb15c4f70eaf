"""The response cache's memory bound: entries and bytes, and no room kept for answers
of a version that can never be asked for again (kb/api/cache.py)."""

from __future__ import annotations

from kb.api.cache import MAX_BODY, ResponseCache

V1 = ("epoch", 1)
V2 = ("epoch", 2)


def test_bodies_are_bounded_in_bytes_as_well_as_entries() -> None:
    cache = ResponseCache(max_entries=100, max_bytes=10_000)
    for n in range(50):
        cache.put(f"k{n}", V1, b"x" * 1_000)
    assert cache.nbytes <= 10_000
    assert len(cache) == 10
    # The least recently used went first: the newest ten remain.
    assert cache.get("k49", V1) == b"x" * 1_000
    assert cache.get("k39", V1) is None


def test_entry_bound_still_applies() -> None:
    cache = ResponseCache(max_entries=3, max_bytes=10**9)
    for n in range(10):
        cache.put(f"k{n}", V1, b"body")
    assert len(cache) == 3
    assert cache.nbytes == 12


def test_replacing_a_key_does_not_count_its_old_body() -> None:
    cache = ResponseCache(max_entries=10, max_bytes=10**6)
    for _ in range(20):
        cache.put("same", V1, b"y" * 500)
    assert len(cache) == 1
    assert cache.nbytes == 500


def test_an_entry_of_an_older_version_is_dropped_when_met() -> None:
    cache = ResponseCache(max_entries=10)
    cache.put("k", V1, b"old answer")
    assert cache.get("k", V2) is None
    assert len(cache) == 0
    assert cache.nbytes == 0


def test_bodies_over_the_limits_are_not_kept() -> None:
    cache = ResponseCache(max_entries=10, max_bytes=100)
    cache.put("big", V1, b"z" * 101)
    cache.put("huge", V1, b"z" * (MAX_BODY + 1))
    assert len(cache) == 0
    assert cache.nbytes == 0


def test_an_answer_at_a_newer_version_drops_all_older_ones() -> None:
    cache = ResponseCache(max_entries=10)
    for n in range(5):
        cache.put(f"k{n}", V1, b"old")
    cache.put("fresh", V2, b"new")
    assert len(cache) == 1
    assert cache.nbytes == 3
    # A request that started before the write answers late: not kept.
    cache.put("late", V1, b"stale")
    assert cache.get("late", V1) is None
    assert cache.get("fresh", V2) == b"new"


def test_another_change_log_counts_as_newer() -> None:
    cache = ResponseCache(max_entries=10)
    cache.put("k", ("old-log", 50), b"a")
    cache.put("k2", ("new-log", 1), b"b")
    assert cache.get("k", ("old-log", 50)) is None
    assert cache.get("k2", ("new-log", 1)) == b"b"
