"""Bound plans are kept in a bounded LRU keyed by a digest, not by the whole request."""

from __future__ import annotations

import dataclasses

import pytest
from api_support import EDITOR
from graphql import parse

from kb.api.context import Context
from kb.api.planner import Bound, binding
from kb.api.planner.binding import BoundCache
from kb.api.schema import Schema
from kb.config import Settings
from kb.graph.db import Graph

STATES = "query($n: Int) { states(first: $n) { nodes { code } } }"


def _bound() -> Bound:
    return Bound((), lambda results: {})


def test_the_cache_keeps_at_most_its_size_and_drops_the_least_recently_used() -> None:
    cache = BoundCache(size=2)
    keys = [cache.key(STATES, None, {"n": n}) for n in range(3)]
    assert None not in keys and len(set(keys)) == 3
    first, second, third = (k for k in keys if k is not None)
    plans = [_bound() for _ in range(3)]
    cache.put(first, plans[0])
    cache.put(second, plans[1])
    assert cache.get(first) == (True, plans[0])  # first is now the most recently used
    cache.put(third, plans[2])
    assert len(cache) == 2
    assert cache.get(second) == (False, None)
    assert cache.get(first) == (True, plans[0]) and cache.get(third) == (True, plans[2])


def test_keys_are_digests_that_tell_documents_operations_and_variables_apart() -> None:
    cache = BoundCache()
    big = "{ states { nodes { code } } }" + " " * 100_000
    key = cache.key(big, None, None)
    assert key is not None and len(key) == 32
    variants = {
        cache.key(STATES, None, {"n": 1}),
        cache.key(STATES, "Q", {"n": 1}),
        cache.key(STATES, None, {"n": 2}),
        cache.key(STATES + " ", None, {"n": 1}),
        cache.key(STATES, None, None),
    }
    assert len(variants) == 5
    # the same variables in another order are the same request
    assert cache.key(STATES, None, {"a": 1, "b": 2}) == cache.key(STATES, None, {"b": 2, "a": 1})


def test_requests_with_large_variables_are_not_kept() -> None:
    cache = BoundCache(max_variables=100)
    assert cache.key(STATES, None, {"w": "x" * 200}) is None
    assert cache.key(STATES, None, {"w": "x" * 10}) is not None


def test_a_cache_without_room_is_refused_with_its_size() -> None:
    with pytest.raises(ValueError, match="not 0"):
        BoundCache(size=0)


def test_bound_for_plans_a_repeated_request_once(
    schema: Schema, read_graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(binding, "BOUND", BoundCache(size=4))
    context = Context(read_graph, dataclasses.replace(settings, planner="on"), EDITOR)
    document = parse(STATES)
    one = binding.bound_for(schema, STATES, document, None, {"n": 2}, context)
    again = binding.bound_for(schema, STATES, document, None, {"n": 2}, context)
    other = binding.bound_for(schema, STATES, document, None, {"n": 3}, context)
    assert one is not None and other is not None
    assert again is one and other is not one
    assert len(binding.BOUND) == 2
    assert len(binding.run_bound(read_graph, one)["states"]["nodes"]) == 2
    assert len(binding.run_bound(read_graph, other)["states"]["nodes"]) == 3
    many = {"n": 1, "pad": "x" * 5000}  # over max_variables: planned, not kept
    assert binding.bound_for(schema, STATES, document, None, many, context) is not None
    assert len(binding.BOUND) == 2
