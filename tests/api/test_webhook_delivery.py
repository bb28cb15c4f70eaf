"""Webhook deliveries to a real receiver on 127.0.0.1: signed, in change-log order,
retried with backoff, recorded, replayed; one process at a time per webhook (leases);
and at least once across a SIGKILL of a real ``kb serve``."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import execute
from starlette.testclient import TestClient
from webhook_support import Receiver, build_small_graph, receiving, write_lessons

from kb.api.context import Viewer
from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.api.webhook_delivery import DeliveryWorker, retry_delay, signature
from kb.app import create_app
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token
from kb.graph.webhook_deliveries import claim_webhook, release_webhook
from kb.graph.webhooks import create_webhook, get_webhook
from tests.serve_support import start_serve

ADMIN = Viewer("test-admin", "admin", "t3")

REGISTER = """mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { secret webhook { id } }
}"""
DELIVERIES = """query($id: ID!) { webhook(id: $id) { active pausedReason cursor
  deliveries(first: 100) { totalCount nodes { id sequence status attempts lastStatus
    lastError deliveredAt nextAttemptAt } } } }"""


@pytest.fixture
def small_graph(graph: Graph) -> Graph:
    build_small_graph(graph)
    return graph


@pytest.fixture
def receiver() -> Any:
    with receiving() as running:
        yield running


def _quick(settings: Settings, **changed: Any) -> Settings:
    """Small delays, so that retries happen within a test."""
    values: dict[str, Any] = {
        "webhook_backoff": 0.05, "webhook_backoff_max": 0.2, "webhook_attempts": 3,
        "webhook_timeout": 2.0, "webhook_lease": 5.0, "webhook_poll": 0.05, **changed,
    }  # fmt: skip
    return dataclasses.replace(settings, **values)


def _register(
    schema: Schema, graph: Graph, settings: Settings, url: str, **filters: Any
) -> tuple[str, str]:
    result = execute(schema, graph, settings, REGISTER, {"input": {"url": url, **filters}}, ADMIN)
    assert result.errors == [], result.errors
    payload = result.data["registerWebhook"]  # type: ignore[index]
    return payload["webhook"]["id"], payload["secret"]


def _admin(schema: Schema, graph: Graph, settings: Settings, query: str, **variables: Any) -> Any:
    result = execute(schema, graph, settings, query, variables, ADMIN)
    assert result.errors == [], result.errors
    return result.data


def _deliveries(schema: Schema, graph: Graph, settings: Settings, hook: str) -> Any:
    return _admin(schema, graph, settings, DELIVERIES, id=hook)["webhook"]


def _run(workers: list[DeliveryWorker], until: Callable[[], bool], timeout: float = 30.0) -> None:
    """Tick the workers (concurrently) until ``until()`` holds; fail after ``timeout``."""

    async def go() -> None:
        deadline = time.monotonic() + timeout
        while not until():
            assert time.monotonic() < deadline, "the workers did not get there in time"
            await asyncio.gather(*(w.tick() for w in workers))
            await asyncio.sleep(0.02)

    asyncio.run(go())


def test_each_change_is_posted_once_in_order_and_signed(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings)
    hook, secret = _register(schema, small_graph, quick, receiver.url, kinds=["Lesson"])
    sequences = write_lessons(small_graph, ["L-0001", "L-0002", "L-0003", "L-0001"], "a")
    worker = DeliveryWorker(small_graph, quick)
    _run([worker], lambda: len(receiver.got()) >= 4)
    got = receiver.got()
    assert [r.sequence for r in got] == sequences
    assert all(r.ok for r in got)
    for request in got:
        event = request.event
        assert request.signed_with(secret)
        assert not request.signed_with(secret + "x")
        assert request.headers["x-kb-signature"] == signature(secret, request.body)
        assert request.headers["x-kb-sequence"] == str(event["sequence"])
        assert request.headers["x-kb-delivery"] == event["delivery"]
        assert request.headers["x-kb-webhook"] == hook == event["webhook"]
        assert request.headers["content-type"] == "application/json"
    first = got[0].event
    assert (first["kind"], first["key"], first["op"]) == ("Lesson", "L-0001", "UPDATE")
    assert first["id"] == encode_id("Lesson", "L-0001")
    assert first["states"] == ["UT"] and first["author"] == "test"
    assert got[2].event["states"] == ["CO"]
    recorded = _deliveries(schema, small_graph, quick, hook)
    assert recorded["cursor"] == sequences[-1]
    nodes = recorded["deliveries"]["nodes"]
    assert [d["sequence"] for d in nodes] == sorted(sequences, reverse=True)
    assert {(d["status"], d["attempts"], d["lastStatus"]) for d in nodes} == {("DELIVERED", 1, 204)}
    assert {d["id"] for d in nodes} == {r.event["delivery"] for r in got}
    assert worker.attempted == 4


def test_hmac_signature_is_the_documented_one() -> None:
    body = b'{"sequence":7}'
    expected = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert signature("k", body) == f"sha256={expected}"


def test_filters_skip_what_does_not_match_and_the_cursor_moves_past_it(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings)
    hook, _ = _register(schema, small_graph, quick, receiver.url, states=["CO"])
    sequences = write_lessons(small_graph, ["L-0001", "L-0003", "L-0002"], "b")
    worker = DeliveryWorker(small_graph, quick)

    def done() -> bool:
        record = get_webhook(small_graph, hook)
        return record is not None and record.cursor == sequences[-1]

    _run([worker], done)
    assert receiver.delivered() == [sequences[1]]  # L-0003 is from CO; the others UT
    assert _deliveries(schema, small_graph, quick, hook)["deliveries"]["totalCount"] == 1


def test_a_failing_receiver_is_retried_with_growing_delays_and_nothing_overtakes(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings, webhook_backoff=0.3, webhook_backoff_max=0.5)
    assert [retry_delay(quick, n) for n in (1, 2, 3)] == [0.3, 0.5, 0.5]
    hook, _ = _register(schema, small_graph, quick, receiver.url)
    receiver.fail_next = 2
    sequences = write_lessons(small_graph, ["L-0001", "L-0002", "L-0003"], "c")
    _run([DeliveryWorker(small_graph, quick)], lambda: len(receiver.delivered()) >= 3)
    got = receiver.got()
    first = sequences[0]
    assert [(r.sequence, r.answered) for r in got] == [
        (first, 500), (first, 500), (first, 204), (sequences[1], 204), (sequences[2], 204)
    ]  # fmt: skip
    # The waits between attempts follow the backoff (0.3 s, then 0.5 s capped).
    assert got[1].at - got[0].at >= 0.3 * 0.9
    assert got[2].at - got[1].at >= 0.5 * 0.9
    nodes = _deliveries(schema, small_graph, quick, hook)["deliveries"]["nodes"]
    head = next(d for d in nodes if d["sequence"] == first)
    assert (head["status"], head["attempts"], head["lastStatus"]) == ("DELIVERED", 3, 204)
    assert head["lastError"] is None and head["nextAttemptAt"] is None


def test_the_last_failed_attempt_pauses_the_webhook_and_a_replay_resumes_it(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings, webhook_attempts=2)
    hook, _ = _register(schema, small_graph, quick, receiver.url)
    receiver.failing = True
    sequences = write_lessons(small_graph, ["L-0001", "L-0002"], "d")

    def paused() -> bool:
        record = get_webhook(small_graph, hook)
        return record is not None and not record.active

    _run([DeliveryWorker(small_graph, quick)], paused)
    assert [r.sequence for r in receiver.got()] == [sequences[0]] * 2  # nothing overtook
    state = _deliveries(schema, small_graph, quick, hook)
    assert state["active"] is False
    assert "failed 2 times" in state["pausedReason"]
    assert "HTTP 500" in state["pausedReason"]
    (failed,) = state["deliveries"]["nodes"]
    assert (failed["status"], failed["attempts"]) == ("FAILED", 2)
    assert failed["lastError"] == "the receiver answered HTTP 500"
    # A paused webhook is left alone.
    asyncio.run(DeliveryWorker(small_graph, quick).tick())
    assert len(receiver.got()) == 2

    receiver.failing = False
    replay = "mutation($id: ID!) { replayDelivery(input: {id: $id}) { delivery { status } } }"
    replayed = _admin(schema, small_graph, quick, replay, id=failed["id"])
    assert replayed["replayDelivery"]["delivery"]["status"] == "PENDING"
    _run([DeliveryWorker(small_graph, quick)], lambda: len(receiver.delivered()) >= 2)
    assert receiver.delivered() == sequences
    resumed = _deliveries(schema, small_graph, quick, hook)
    assert resumed["active"] is True and resumed["pausedReason"] is None
    assert receiver.got()[2].event["delivery"] == failed["id"]  # the same delivery, again


def test_a_receiver_that_does_not_answer_in_time_is_recorded_as_a_timeout(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings, webhook_timeout=0.3, webhook_attempts=1)
    hook, _ = _register(schema, small_graph, quick, receiver.url)
    receiver.delay = 3.0
    write_lessons(small_graph, ["L-0001"], "e")

    def failed() -> bool:
        record = get_webhook(small_graph, hook)
        return record is not None and not record.active

    _run([DeliveryWorker(small_graph, quick)], failed, timeout=20)
    (delivery,) = _deliveries(schema, small_graph, quick, hook)["deliveries"]["nodes"]
    assert delivery["status"] == "FAILED"
    assert delivery["lastError"] == f"no answer from {receiver.url} within 0.3 s"
    assert delivery["lastStatus"] is None


def test_replaying_a_webhook_sends_everything_from_a_sequence_again_in_order(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings)
    hook, _ = _register(schema, small_graph, quick, receiver.url)
    s1, s2, s3 = write_lessons(small_graph, ["L-0001", "L-0002", "L-0003"], "f")
    _run([DeliveryWorker(small_graph, quick)], lambda: len(receiver.delivered()) >= 3)
    replay = """mutation($id: ID!, $from: Int!) {
      replayWebhook(input: {id: $id, fromSequence: $from}) { webhook { cursor } } }"""
    moved = _admin(schema, small_graph, quick, replay, id=hook, **{"from": s2})
    assert moved["replayWebhook"]["webhook"]["cursor"] == s2 - 1
    _run([DeliveryWorker(small_graph, quick)], lambda: len(receiver.delivered()) >= 5)
    assert receiver.delivered() == [s1, s2, s3, s2, s3]
    state = _deliveries(schema, small_graph, quick, hook)
    assert state["deliveries"]["totalCount"] == 5 and state["cursor"] == s3


def test_only_one_of_many_racing_workers_gets_the_lease(
    schema: Schema, small_graph: Graph, settings: Settings
) -> None:
    hook, _ = _register(schema, small_graph, settings, "http://127.0.0.1:9/x")
    won: list[str] = []
    start = threading.Barrier(6)

    def race(owner: str) -> None:
        start.wait(timeout=30)
        if claim_webhook(small_graph, hook, owner, 10.0) is not None:
            won.append(owner)

    threads = [threading.Thread(target=race, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(won) == 1, won
    others = [f"w{n}" for n in range(6) if f"w{n}" != won[0]]
    assert claim_webhook(small_graph, hook, others[0], 10.0) is None
    assert claim_webhook(small_graph, hook, won[0], 0.3) is not None  # renewed, shorter
    time.sleep(0.5)  # ... and run out
    assert claim_webhook(small_graph, hook, others[0], 10.0) is not None
    release_webhook(small_graph, hook, others[0])
    assert claim_webhook(small_graph, hook, others[1], 10.0) is not None


def test_two_workers_on_one_graph_never_send_an_entry_twice(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings)
    _register(schema, small_graph, quick, receiver.url)
    receiver.delay = 0.03
    sequences = write_lessons(small_graph, ["L-0001", "L-0002", "L-0003"] * 3, "g")
    workers = [DeliveryWorker(small_graph, quick, owner=name) for name in ("a", "b")]
    _run(workers, lambda: len(receiver.got()) >= len(sequences))
    rounds = iter(range(5))  # a few more rounds of both: nothing is sent again
    _run(workers, lambda: next(rounds, None) is None)
    assert receiver.delivered() == sequences
    assert sum(w.attempted for w in workers) == len(sequences)


ADMIN_TOKEN_QUERY = """mutation($url: String!) {
  registerWebhook(input: {url: $url, kinds: ["Lesson"]}) { secret webhook { id } } }"""


@pytest.mark.slow
def test_delivery_is_at_least_once_and_in_order_across_a_sigkill_of_the_app(
    small_graph: Graph, test_env: dict[str, str], tmp_path: Path, receiver: Receiver
) -> None:
    _, token = create_token(small_graph, "hooks-admin", "admin")
    env = {
        **test_env, "KB_INDEX_DIR": str(tmp_path / "index"), "KB_WEBHOOKS": "true",
        "KB_WEBHOOK_POLL": "0.1", "KB_WEBHOOK_BACKOFF": "0.1", "KB_WEBHOOK_BACKOFF_MAX": "0.3",
        "KB_WEBHOOK_ATTEMPTS": "100", "KB_WEBHOOK_TIMEOUT": "1", "KB_WEBHOOK_LEASE": "2",
    }  # fmt: skip
    served = start_serve(env, tmp_path / "serve-1.log")
    try:
        served.wait_ready()
        response = httpx.post(
            f"{served.base}/graphql",
            json={"query": ADMIN_TOKEN_QUERY, "variables": {"url": receiver.url}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        body = response.json()
        assert "errors" not in body, body
        secret = body["data"]["registerWebhook"]["secret"]
        written = write_lessons(small_graph, ["L-0001", "L-0002"], "before")
        receiver.wait_for(lambda got: len([r for r in got if r.ok]) >= 2)
        receiver.failing = True
        written += write_lessons(small_graph, ["L-0003", "L-0001", "L-0002"], "failing")
        receiver.wait_for(lambda got: len([r for r in got if not r.ok]) >= 3)
        served.kill()  # SIGKILL while the receiver fails: the third entry is not through
    finally:
        served.kill()
    written += write_lessons(small_graph, ["L-0003", "L-0002"], "while down")
    receiver.failing = False
    again = start_serve(env, tmp_path / "serve-2.log")
    try:
        again.wait_ready()
        receiver.wait_for(lambda got: len({r.sequence for r in got if r.ok}) >= 7, timeout=60)
    finally:
        again.stop()
    delivered = receiver.delivered()
    # At least once, in order: repeats only of the sequence just delivered.
    collapsed = [s for i, s in enumerate(delivered) if i == 0 or s != delivered[i - 1]]
    assert collapsed == written, delivered
    assert all(r.signed_with(secret) for r in receiver.got())
    assert next(r.sequence for r in receiver.got() if not r.ok) == written[2]


def test_a_round_of_deliveries_costs_one_write_each_and_a_few_statements_more(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings)
    _register(schema, small_graph, quick, receiver.url)
    keys = ["L-0001", "L-0002", "L-0003", "L-0001"] * 2
    sequences = write_lessons(small_graph, keys, "h")
    worker = DeliveryWorker(small_graph, quick)
    before = small_graph.query_count
    assert asyncio.run(worker.tick()) == len(sequences)  # all in one round (one lease)
    spent = small_graph.query_count - before
    assert receiver.delivered() == sequences
    # One write per delivery (its first attempt), plus: the due webhooks, the claim (two
    # statements), the cursor with the log's head, one batch of the log, the release.
    assert spent <= len(sequences) + 6, spent


def test_an_entry_sent_again_after_a_lost_record_has_the_same_delivery_id(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    # As if the process died between the receiver's 2xx and its record: the lease is
    # taken from it while the POST is answered, so the attempt is not written.
    quick = _quick(settings)
    hook, _ = _register(schema, small_graph, quick, receiver.url)
    (sequence,) = write_lessons(small_graph, ["L-0002"], "i")
    stolen: list[bool] = []

    def steal_once() -> None:
        if not stolen:
            stolen.append(True)
            small_graph.write("MATCH (w:Webhook {id: $id}) SET w.leaseOwner = 'other'", id=hook)

    receiver.on_request = steal_once
    first = DeliveryWorker(small_graph, quick, owner="first")
    assert asyncio.run(first.tick()) == 1
    assert _deliveries(schema, small_graph, quick, hook)["deliveries"]["totalCount"] == 0
    small_graph.write("MATCH (w:Webhook {id: $id}) REMOVE w.leaseOwner, w.leaseUntil", id=hook)
    _run([DeliveryWorker(small_graph, quick, owner="second")], lambda: len(receiver.got()) >= 2)
    again, resent = receiver.got()
    assert again.sequence == resent.sequence == sequence
    assert again.headers["x-kb-delivery"] == resent.headers["x-kb-delivery"]
    assert again.body == resent.body
    recorded = _deliveries(schema, small_graph, quick, hook)
    (delivery,) = recorded["deliveries"]["nodes"]
    assert delivery["id"] == resent.headers["x-kb-delivery"]
    assert (delivery["status"], delivery["attempts"], recorded["cursor"]) == (
        "DELIVERED", 1, sequence
    )  # fmt: skip


def test_after_a_rotation_deliveries_are_signed_with_the_new_secret(
    schema: Schema, small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings)
    hook, old = _register(schema, small_graph, quick, receiver.url, kinds=["Lesson"])
    rotate = """mutation($id: ID!) { updateWebhook(input: {id: $id, rotateSecret: true,
      states: ["CO"]}) { secret } }"""
    new = _admin(schema, small_graph, quick, rotate, id=hook)["updateWebhook"]["secret"]
    sequences = write_lessons(small_graph, ["L-0001", "L-0003"], "j")
    _run([DeliveryWorker(small_graph, quick)], lambda: len(receiver.got()) >= 1)
    (got,) = receiver.got()
    assert got.sequence == sequences[1]  # L-0001 is from UT: the new filter skips it
    assert got.signed_with(new) and not got.signed_with(old)


def test_readyz_shows_the_worker_s_counters(
    small_graph: Graph, settings: Settings, receiver: Receiver
) -> None:
    quick = _quick(settings, webhook_worker=True, webhook_backoff=0.2)
    create_webhook(small_graph, receiver.url, ["Lesson"], [], [], "test")
    receiver.fail_next = 1
    (sequence,) = write_lessons(small_graph, ["L-0001"], "k")
    with TestClient(create_app(quick, small_graph, search=False)) as client:
        receiver.wait_for(lambda got: any(r.ok for r in got), timeout=30)
        deadline = time.monotonic() + 10
        while (body := client.get("/readyz").json())["webhooks"]["delivered"] < 1:
            assert time.monotonic() < deadline, body
            time.sleep(0.05)
    counters = body["webhooks"]
    assert receiver.delivered() == [sequence]
    assert {k: counters[k] for k in ("attempted", "delivered", "retrying", "failed")} == {
        "attempted": 2, "delivered": 1, "retrying": 1, "failed": 0
    }  # fmt: skip
    assert datetime.fromisoformat(counters["lastErrorAt"]) <= datetime.now(UTC)
