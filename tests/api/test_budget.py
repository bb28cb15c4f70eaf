"""The time budget of a request, expensive-request slots and expensive threads."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from kb.api.budget import BudgetExceededError, run_within
from kb.api.concurrency import take_slot
from kb.api.context import Context
from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.app import create_app
from kb.config import ConfigError, Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token

SIMPLE = "{ states(first: 20) { nodes { code name } } }"  # costs 21


def execute(schema: Schema, context: Context, query: str) -> tuple[Any, list[dict[str, Any]]]:
    result = asyncio.run(schema.execute(query, context_value=context))
    return result.data, [dict(e.formatted) for e in result.errors or []]


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["extensions"]["code"] for e in errors]


def test_a_spent_budget_stops_every_field_and_is_reported_once(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    context = Context(read_graph, settings)
    context.deadline = time.monotonic() - 1  # spent before execution starts
    before = read_graph.query_count
    data, errors = execute(
        schema,
        context,
        '{ state(code: "UT") { name } alliance(slug: "naspo") { name } '
        'contract(slug: "none") { slug } }',
    )
    assert data == {"state": None, "alliance": None, "contract": None}
    assert codes(errors) == ["QUERY_TOO_COMPLEX"]
    assert errors[0]["extensions"]["budget"] == settings.request_budget
    message = errors[0]["message"]
    assert f"time budget of {settings.request_budget:g}s (KB_REQUEST_BUDGET)" in message
    assert "2 more fields were stopped with it" in message
    # Nothing was sent to Neo4j for the three fields (the DataLoader's read included);
    # only the background work of other tests may have counted meanwhile.
    assert read_graph.query_count - before == 0


def test_neo4j_work_stops_at_the_budget_and_the_server_answers_the_next_request(
    seeded_graph: Graph, settings: Settings
) -> None:
    # A write lock held elsewhere makes the mutation wait: deterministic slowness in
    # Neo4j itself. Its transaction gets the 3 s left of the budget as its timeout
    # instead of KB_TX_TIMEOUT (10 s).
    budgeted = dataclasses.replace(settings, request_budget=3.0)
    assert budgeted.tx_timeout == 10.0
    _, secret = create_token(seeded_graph, "budget-editor", "editor")
    practice = encode_id("Practice", "running-a-request-for-proposals")
    mutation = f"""mutation {{ updatePractice(input: {{id: "{practice}", summary: "New"}})
        {{ practice {{ summary }} }} }}"""
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(budgeted, seeded_graph, search=False)) as client:
        # Once before: a cold Neo4j plans a statement's first run slowly on a busy machine.
        assert "errors" not in client.post("/graphql", json={"query": SIMPLE}).json()
        with seeded_graph.driver.session(database=seeded_graph.database) as session:
            blocker = session.begin_transaction()
            blocker.run(
                "MATCH (n:Practice {id: 'running-a-request-for-proposals'}) SET n.summary = 'x'"
            )
            try:
                started = time.monotonic()
                response = client.post("/graphql", json={"query": mutation}, headers=headers)
                took = time.monotonic() - started
            finally:
                blocker.rollback()
        body = response.json()
        assert codes(body["errors"]) == ["QUERY_TOO_COMPLEX"], body
        assert "time budget of 3s" in body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["budget"] == 3.0
        assert body["errors"][0]["path"] == ["updatePractice"]
        assert took < budgeted.tx_timeout  # stopped by the budget, not the tx timeout
        started = time.monotonic()
        after = client.post("/graphql", json={"query": SIMPLE}).json()
        assert "errors" not in after, (after, took, time.monotonic() - started)
        assert len(after["data"]["states"]["nodes"]) == 20


def test_work_is_not_started_past_the_deadline() -> None:
    calls: list[int] = []

    async def late() -> None:
        await run_within(time.monotonic() - 0.1, 2.0, lambda: calls.append(1))

    with pytest.raises(BudgetExceededError, match="time budget of 2s"):
        asyncio.run(late())
    assert calls == []


def test_waiting_for_a_busy_thread_ends_with_the_budget() -> None:
    import anyio

    release = threading.Event()
    second: list[int] = []

    async def both() -> tuple[bool, float]:
        limiter = anyio.CapacityLimiter(1)
        far = time.monotonic() + 30
        first = asyncio.ensure_future(run_within(far, 30.0, release.wait, limiter))
        await asyncio.sleep(0.05)  # the first holds the only thread
        started = time.monotonic()
        try:
            await run_within(time.monotonic() + 0.2, 0.2, lambda: second.append(1), limiter)
        except BudgetExceededError:
            waited = time.monotonic() - started
            still_running = not first.done()
            release.set()
            await first
            return still_running, waited
        raise AssertionError("the second call should have run out of budget")

    still_running, waited = asyncio.run(both())
    assert still_running  # given up while the first was still busy, not after it
    assert waited < 5
    assert second == []  # and never started


def _slots(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **changes)


def test_with_one_slot_a_second_expensive_request_waits_for_it(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    one = _slots(settings, expensive_requests=1, expensive_cost=1, request_budget=10.0)

    async def scenario() -> tuple[bool, Any]:
        held = await take_slot(one, 9999, time.monotonic() + 10)
        assert held.refused is None
        second = asyncio.ensure_future(
            schema.execute(SIMPLE, context_value=Context(read_graph, one))
        )
        await asyncio.sleep(0.3)
        waited = not second.done()
        held.release()
        return waited, await second

    waited, result = asyncio.run(scenario())
    assert waited
    assert result.errors is None
    assert len(result.data["states"]["nodes"]) == 20


def test_with_one_slot_a_second_expensive_request_is_refused_when_none_frees(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    one = _slots(settings, expensive_requests=1, expensive_cost=1, request_budget=0.4)

    async def scenario() -> Any:
        held = await take_slot(one, 9999, time.monotonic() + 10)
        try:
            return await schema.execute(SIMPLE, context_value=Context(read_graph, one))
        finally:
            held.release()

    result = asyncio.run(scenario())
    assert result.data is None
    errors = [dict(e.formatted) for e in result.errors]
    assert codes(errors) == ["RATE_LIMITED"]
    assert errors[0]["extensions"]["cost"] == 21
    message = errors[0]["message"]
    assert "this request costs 21" in message
    assert "requests costing 1 or more run 1 at a time (KB_EXPENSIVE_REQUESTS)" in message
    assert "none finished within 0.2s" in message


def test_cheap_requests_do_not_wait_for_expensive_slots(
    schema: Schema, read_graph: Graph, settings: Settings
) -> None:
    one = _slots(settings, expensive_requests=1, expensive_cost=1000, request_budget=0.4)

    async def scenario() -> Any:
        held = await take_slot(one, 9999, time.monotonic() + 10)
        try:
            return await schema.execute(SIMPLE, context_value=Context(read_graph, one))
        finally:
            held.release()

    result = asyncio.run(scenario())
    assert result.errors is None and len(result.data["states"]["nodes"]) == 20


def _overlap(run: Callable[[Context], Any], context: Context, calls: int) -> int:
    """How many of ``calls`` blocking calls made through ``run`` overlapped at most."""
    lock, running, most = threading.Lock(), [0], [0]

    def work() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.1)
        with lock:
            running[0] -= 1

    async def many() -> None:
        await asyncio.gather(*(run(context)(work) for _ in range(calls)))

    asyncio.run(many())
    return most[0]


def test_expensive_work_runs_on_its_own_few_threads(read_graph: Graph, settings: Settings) -> None:
    context = Context(read_graph, _slots(settings, expensive_threads=1))
    assert _overlap(lambda c: c.run_expensive, context, 3) == 1
    assert _overlap(lambda c: c.run, context, 3) == 3  # other reads keep the default pool


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KB_REQUEST_BUDGET": "0"}, "KB_REQUEST_BUDGET='0' is out of range"),
        ({"KB_REQUEST_BUDGET": "soon"}, "KB_REQUEST_BUDGET='soon' is not a number"),
        ({"KB_EXPENSIVE_COST": "0"}, "KB_EXPENSIVE_COST='0' is out of range"),
        ({"KB_EXPENSIVE_REQUESTS": "two"}, "KB_EXPENSIVE_REQUESTS='two' is not an integer"),
        ({"KB_EXPENSIVE_THREADS": "0"}, "KB_EXPENSIVE_THREADS='0' is out of range"),
    ],
)
def test_budget_settings_are_checked(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_budget_settings_defaults_and_values() -> None:
    default = Settings.from_env({})
    assert (default.request_budget, default.expensive_cost) == (10.0, 2000)
    assert (default.expensive_requests, default.expensive_threads) == (2, 2)
    custom = Settings.from_env({"KB_REQUEST_BUDGET": "2.5", "KB_EXPENSIVE_REQUESTS": "4"})
    assert (custom.request_budget, custom.expensive_requests) == (2.5, 4)
