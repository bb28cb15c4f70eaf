"""The webhook API: registration (secret shown once), lists, deletes, replays, who may,
and bad input named by field and value. The schema runs directly against the real Neo4j;
deliveries themselves are in test_webhook_delivery.py."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from api_support import EDITOR, READER, Result, execute
from webhook_support import build_small_graph

from kb.api.cache_deps import dependencies
from kb.api.context import Viewer
from kb.api.schema import Schema
from kb.config import PROJECT_ROOT, Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph

ADMIN = Viewer("test-admin", "admin", "t3")

REGISTER = """mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) {
    secret webhook { id url kinds states categories active cursor createdBy }
  }
}"""
LIST = "{ webhooks { id url kinds active cursor } }"
ONE = """query($id: ID!) { webhook(id: $id) { id url
  deliveries(first: 5) { totalCount nodes { id sequence status } } } }"""
DELETE = "mutation($id: ID!) { deleteWebhook(input: {id: $id}) { deletedId } }"
UPDATE = """mutation($input: UpdateWebhookInput!) {
  updateWebhook(input: $input) { secret webhook { id url kinds states categories cursor } }
}"""
REPLAY_WEBHOOK = """mutation($id: ID!, $from: Int!) {
  replayWebhook(input: {id: $id, fromSequence: $from}) { webhook { id cursor active } }
}"""
REPLAY_DELIVERY = "mutation($id: ID!) { replayDelivery(input: {id: $id}) { delivery { id } } }"


@pytest.fixture
def small_graph(graph: Graph) -> Graph:
    build_small_graph(graph)
    return graph


@pytest.fixture
def as_admin(schema: Schema, small_graph: Graph, settings: Settings) -> Any:
    def run(query: str, variables: dict[str, Any] | None = None, **changed: Any) -> Result:
        chosen = dataclasses.replace(settings, **changed) if changed else settings
        return execute(schema, small_graph, chosen, query, variables, ADMIN)

    return run


def _register(as_admin: Any, **input: Any) -> dict[str, Any]:
    result = as_admin(REGISTER, {"input": {"url": "http://127.0.0.1:9/hook", **input}})
    assert result.errors == [], result.errors
    registered: dict[str, Any] = result.data["registerWebhook"]
    return registered


def test_registering_returns_the_secret_once_and_the_cursor_at_the_newest_change(
    as_admin: Any, small_graph: Graph
) -> None:
    registered = _register(as_admin, kinds=["Lesson"], states=["ut"], categories=["IT"])
    hook = registered["webhook"]
    assert len(registered["secret"]) >= 32
    assert hook["kinds"] == ["Lesson"] and hook["states"] == ["UT"]
    assert hook["categories"] == ["IT"] and hook["active"] is True
    assert hook["cursor"] == last_sequence(small_graph) > 0
    assert hook["createdBy"] == "token:test-admin"
    listed = as_admin(LIST).data["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]]
    # The secret is not a field of Webhook: it cannot be read back.
    again = as_admin("{ webhooks { secret } }")
    assert again.codes == ["BAD_USER_INPUT"]
    assert "secret" in again.errors[0]["message"]


def test_each_bad_field_is_named_with_its_value(as_admin: Any) -> None:
    result = as_admin(
        REGISTER,
        {"input": {"url": "ftp://127.0.0.1/x", "kinds": ["Lesson", "Widget"],
                   "states": ["UT", "XX"], "categories": ["NOPE"]}},
    )  # fmt: skip
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.data == {"registerWebhook": None}
    fields = {f["field"]: f["message"] for f in result.errors[0]["extensions"]["fields"]}
    assert set(fields) == {"input.url", "input.kinds", "input.states", "input.categories"}
    assert "'ftp://127.0.0.1/x' is not an http(s) URL" in fields["input.url"]
    assert "'Widget' is not a record type" in fields["input.kinds"]
    assert "'XX' is not a state code" in fields["input.states"]
    assert "'NOPE' is not a category code" in fields["input.categories"]
    assert as_admin(LIST).data["webhooks"] == []  # nothing was written


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("127.0.0.1/hook", "is not an http(s) URL"),
        ("http:///hook", "has no host"),
        ("http://127.0.0.1:99999/hook", "has a bad port"),
        ("javascript:alert(1)", "is not an http(s) URL"),
    ],
)
def test_a_url_that_is_not_http_is_refused(as_admin: Any, url: str, problem: str) -> None:
    result = as_admin(REGISTER, {"input": {"url": url}})
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "input.url"
    assert problem in result.errors[0]["message"]


def test_a_non_loopback_host_is_refused_only_when_loopback_only(as_admin: Any) -> None:
    url = {"input": {"url": "https://hooks.example.org/kb"}}
    refused = as_admin(REGISTER, url, webhook_loopback_only=True)
    assert refused.codes == ["BAD_USER_INPUT"]
    assert "host 'hooks.example.org'" in refused.errors[0]["message"]
    assert "not a loopback address" in refused.errors[0]["message"]
    for loopback in ("http://localhost:8/x", "http://[::1]:8/x", "http://127.0.0.2/x"):
        assert as_admin(REGISTER, {"input": {"url": loopback}}).errors == []
    # Without the setting the same URL is accepted (no request is made on registration).
    accepted = as_admin(REGISTER, url, webhook_loopback_only=False)
    assert accepted.errors == []
    assert accepted.data["registerWebhook"]["webhook"]["url"] == "https://hooks.example.org/kb"


def test_an_empty_filter_list_is_refused(as_admin: Any) -> None:
    result = as_admin(REGISTER, {"input": {"url": "http://127.0.0.1:9/x", "states": []}})
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "input.states"


@pytest.mark.parametrize("viewer", [EDITOR, READER], ids=["editor", "reader"])
def test_editors_and_readers_are_forbidden_everything(
    schema: Schema, small_graph: Graph, settings: Settings, as_admin: Any, viewer: Viewer
) -> None:
    hook = _register(as_admin)["webhook"]["id"]
    documents: list[tuple[str, dict[str, Any]]] = [
        (REGISTER, {"input": {"url": "http://127.0.0.1:9/x"}}),
        (LIST, {}),
        (ONE, {"id": hook}),
        (DELETE, {"id": hook}),
        (UPDATE, {"input": {"id": hook, "rotateSecret": True}}),
        (REPLAY_WEBHOOK, {"id": hook, "from": 1}),
        (REPLAY_DELIVERY, {"id": "nope"}),
    ]
    for query, variables in documents:
        result = execute(schema, small_graph, settings, query, variables, viewer)
        assert result.codes == ["FORBIDDEN"], (query, result.errors)
        assert "needs 'admin'" in result.errors[0]["message"]
    anonymous = execute(schema, small_graph, settings, LIST, None, Viewer())
    assert anonymous.codes == ["UNAUTHENTICATED"]
    assert [h["id"] for h in as_admin(LIST).data["webhooks"]] == [hook]  # still there


def test_delete_removes_the_webhook_and_a_second_delete_is_not_found(as_admin: Any) -> None:
    hook = _register(as_admin)["webhook"]["id"]
    assert as_admin(ONE, {"id": hook}).data["webhook"]["id"] == hook
    assert as_admin(DELETE, {"id": hook}).data == {"deleteWebhook": {"deletedId": hook}}
    assert as_admin(ONE, {"id": hook}).data == {"webhook": None}
    again = as_admin(DELETE, {"id": hook})
    assert again.codes == ["NOT_FOUND"]
    assert hook in again.errors[0]["message"]


def test_replay_checks_its_sequence_and_ids(as_admin: Any, small_graph: Graph) -> None:
    hook = _register(as_admin)["webhook"]["id"]
    last = last_sequence(small_graph)
    for bad in (0, last + 2):
        result = as_admin(REPLAY_WEBHOOK, {"id": hook, "from": bad})
        assert result.codes == ["BAD_USER_INPUT"]
        assert f"fromSequence: {bad} is not a change sequence" in result.errors[0]["message"]
    result = as_admin(REPLAY_WEBHOOK, {"id": hook, "from": last})
    moved = result.data["replayWebhook"]["webhook"]
    assert moved["cursor"] == last - 1 and moved["active"] is True
    missing = as_admin(REPLAY_WEBHOOK, {"id": "wh-none", "from": 1})
    assert missing.codes == ["NOT_FOUND"]
    assert as_admin(REPLAY_DELIVERY, {"id": "no-such"}).codes == ["NOT_FOUND"]


def test_webhook_reads_are_never_kept_by_the_response_cache(schema: Schema) -> None:
    # Deliveries change them without a change-log entry that would drop a cached answer.
    graphql = schema._schema
    assert dependencies(graphql, LIST, None, None).cacheable is False
    assert dependencies(graphql, ONE, None, {"id": "x"}).cacheable is False
    assert dependencies(graphql, "{ states { totalCount } }", None, None).cacheable is True


def test_the_guide_s_webhook_examples_run_as_an_admin(as_admin: Any, small_graph: Graph) -> None:
    guide = (PROJECT_ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    block = re.search(r"```graphql \(as an admin[^\n]*\n(.*?)```", guide, re.DOTALL)
    assert block is not None, "docs/api.md lost its webhook examples"
    register, read, replay, update = re.split(r"\n\n(?=query|mutation)", block.group(1).strip())
    # The example's host is not a loopback address: accepted without the test setting.
    made = as_admin(register, webhook_loopback_only=False)
    assert made.errors == [], made.errors
    hook = made.data["registerWebhook"]["webhook"]["id"]
    example_id = re.search(r'"(wh-[0-9a-f]+)"', read).group(1)  # type: ignore[union-attr]
    for document in (read, replay.replace("812", str(last_sequence(small_graph))), update):
        result = as_admin(document.replace(example_id, hook))
        assert result.errors == [], (document, result.errors)
        assert all(value is not None for value in result.data.values())


def _secret_of(graph: Graph, hook: str) -> str:
    return str(graph.read("MATCH (w:Webhook {id: $id}) RETURN w.secret AS s", id=hook)[0]["s"])


def test_update_changes_what_is_given_and_rotates_the_secret_when_asked(
    as_admin: Any, small_graph: Graph
) -> None:
    registered = _register(as_admin, kinds=["Lesson"], states=["UT"], categories=["IT"])
    hook, first = registered["webhook"], registered["secret"]
    assert _secret_of(small_graph, hook["id"]) == first
    changed = as_admin(
        UPDATE, {"input": {"id": hook["id"], "url": " http://127.0.0.1:8/new ", "states": ["co"]}}
    )
    assert changed.errors == [], changed.errors
    payload = changed.data["updateWebhook"]
    assert payload["secret"] is None  # not rotated: nothing to show
    kept = {k: hook[k] for k in ("id", "kinds", "categories", "cursor")}
    assert payload["webhook"] == {**kept, "url": "http://127.0.0.1:8/new", "states": ["CO"]}
    assert _secret_of(small_graph, hook["id"]) == first
    # null clears a filter; the secret rotates, shown this once.
    rotated = as_admin(
        UPDATE, {"input": {"id": hook["id"], "kinds": None, "rotateSecret": True}}
    ).data["updateWebhook"]
    assert rotated["webhook"]["kinds"] == [] and rotated["webhook"]["categories"] == ["IT"]
    assert len(rotated["secret"]) >= 32 and rotated["secret"] != first
    assert _secret_of(small_graph, hook["id"]) == rotated["secret"]
    listed = as_admin(LIST).data["webhooks"]
    assert [(h["url"], h["kinds"]) for h in listed] == [("http://127.0.0.1:8/new", [])]


def test_update_names_each_bad_field_and_writes_nothing(as_admin: Any, small_graph: Graph) -> None:
    registered = _register(as_admin, states=["UT"])
    hook = registered["webhook"]
    bad = {"id": hook["id"], "url": "ftp://x/y", "kinds": ["Widget"], "states": ["XX"],
           "categories": [], "rotateSecret": True}  # fmt: skip
    result = as_admin(UPDATE, {"input": bad})
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.data == {"updateWebhook": None}
    fields = {f["field"]: f["message"] for f in result.errors[0]["extensions"]["fields"]}
    assert set(fields) == {"input.url", "input.kinds", "input.states", "input.categories"}
    assert "'ftp://x/y' is not an http(s) URL" in fields["input.url"]
    assert "'Widget' is not a record type" in fields["input.kinds"]
    assert "'XX' is not a state code" in fields["input.states"]
    assert "give 1 to 100 values" in fields["input.categories"]
    null_url = as_admin(UPDATE, {"input": {"id": hook["id"], "url": None}})
    assert null_url.codes == ["BAD_USER_INPUT"]
    assert null_url.errors[0]["extensions"]["field"] == "input.url"
    assert as_admin(LIST).data["webhooks"] == [
        {"id": hook["id"], "url": hook["url"], "kinds": [], "active": True,
         "cursor": hook["cursor"]}
    ]  # fmt: skip
    assert _secret_of(small_graph, hook["id"]) == registered["secret"]  # not rotated
    missing = as_admin(UPDATE, {"input": {"id": "wh-none", "rotateSecret": True}})
    assert missing.codes == ["NOT_FOUND"]
    assert missing.errors[0]["extensions"]["field"] == "input.id"
