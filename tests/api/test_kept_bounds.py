"""The API's kept maps stay within their bounds and keep what is used: a flood of
client addresses, plans or document texts evicts the least recently used entries, never
the one in use, and never grows the process past the bound (no Neo4j needed)."""

from __future__ import annotations

import pytest

from kb.api import client_limits
from kb.api.client_limits import ClientLimits
from kb.api.planner.binding import BoundCache


def test_a_flood_of_clients_keeps_the_bucket_of_the_one_in_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client_limits, "MAX_CLIENTS", 50)
    now = [0.0]
    limits = ClientLimits(rate=2, subscriptions=1, clock=lambda: now[0])
    assert limits.take("token:steady") is None
    assert limits.take("token:steady") is None
    for number in range(200):  # 200 other addresses, the steady client among them
        assert limits.take(f"address:10.0.{number // 250}.{number % 250}") is None
        if number % 40 == 0:
            assert limits.take("token:steady") is not None  # still counted: refused
    assert len(limits._buckets) <= 50
    assert "token:steady" in limits._buckets


def test_bound_plans_are_kept_least_recently_used_first() -> None:
    cache = BoundCache(size=3)
    keys = [cache.key(f"{{ q{n} }}", None, None) for n in range(5)]
    assert all(key is not None for key in keys)
    for key in keys[:3]:
        assert key is not None
        cache.put(key, None)
    assert keys[0] is not None and cache.get(keys[0]) == (True, None)  # used: kept
    assert keys[3] is not None
    cache.put(keys[3], None)  # evicts keys[1], the least recently used
    assert len(cache) == 3
    assert keys[1] is not None and cache.get(keys[1]) == (False, None)
    assert cache.get(keys[0]) == (True, None)
