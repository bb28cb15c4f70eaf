"""Safe deletes: refused while others depend on the node (dependents listed), detach only
by an admin and never for a link a node cannot be without, every delete in the change
log, nothing left pointing at nothing, and a clear error for unknown or raced deletes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from api_support import Result, execute

from kb.api.context import Viewer
from kb.api.ids import encode_id
from kb.api.schema import Schema
from kb.app import create_app
from kb.config import Settings
from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.graph.stats import graph_stats
from kb.graph.tokens import create_token
from kb.neo4j_local import free_port

ADMIN = Viewer("test-admin", "admin", "t3")
DELETE = "mutation($input: DeleteInput!) { %s(input: $input) { deletedId detached { type relationship count keys } } }"  # noqa: E501


@pytest.fixture
def admin(schema: Schema, seeded_graph: Graph, settings: Settings) -> Any:
    def run(query: str, variables: dict[str, Any]) -> Result:
        return execute(schema, seeded_graph, settings, query, variables, ADMIN)

    return run


def _snapshot(graph: Graph) -> tuple[Any, int]:
    return graph_stats(graph), last_sequence(graph)


def _dangling(run: Any) -> list[str]:
    """What the API shows pointing at nothing: contracts without an alliance, lessons
    without a state (both required when written)."""
    found = []
    for root, field in (("contracts", "alliance"), ("lessons", "state")):
        after = None
        for _ in range(50):  # bounded: 50 pages of 100
            page = run(
                f"query($after: String) {{ {root}(first: 100, after: $after) {{ "
                f"pageInfo {{ hasNextPage endCursor }} nodes {{ key {field} {{ key }} }} }} }}",
                {"after": after},
            )
            assert page.errors == [], page.errors
            connection = page.data[root]
            found += [f"{root[:-1]} {n['key']}" for n in connection["nodes"] if n[field] is None]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
    return found


def test_delete_of_a_node_others_use_is_refused_and_lists_them(
    admin: Any, seeded_graph: Graph
) -> None:
    before = _snapshot(seeded_graph)
    result = admin(DELETE % "deleteAlliance", {"input": {"id": encode_id("Alliance", "tips")}})
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.data == {"deleteAlliance": None}
    error = result.errors[0]
    assert error["extensions"]["field"] == "input.id"
    assert "the Alliance 'tips' is still used by" in error["message"]
    dependents = {(d["type"], d["relationship"]): d for d in error["extensions"]["dependents"]}
    contracts = dependents[("Contract", "AWARDED")]
    assert "tips-facilities-construction" in contracts["keys"]
    assert contracts["count"] == len(contracts["keys"]) and contracts["required"] is True
    assert "TX" in dependents[("State", "MEMBER_OF")]["keys"]
    assert _snapshot(seeded_graph) == before


def test_detach_never_removes_a_link_its_holder_needs(admin: Any, seeded_graph: Graph) -> None:
    before = _snapshot(seeded_graph)
    result = admin(
        DELETE % "deleteAlliance",
        {"input": {"id": encode_id("Alliance", "tips"), "detach": True}},
    )
    assert result.codes == ["BAD_USER_INPUT"]
    assert "cannot be detached" in result.errors[0]["message"]
    dependents = result.errors[0]["extensions"]["dependents"]
    assert {(d["type"], d["relationship"]) for d in dependents} == {("Contract", "AWARDED")}
    assert _snapshot(seeded_graph) == before


# The node of each label that others link to most (by links that belong to the others).
_MOST_LINKED = {
    label: "MATCH (n:" + label + ")" + links + "() WITH n, count(r) AS links RETURN n.id AS id "
    "ORDER BY links DESC, id LIMIT 1"
    for label, links in (
        ("Category", "<-[r:COVERS|APPLIES_TO|ABOUT|CHILD_OF]-"),
        ("Practice", "<-[r:PART_OF|RELATED_TO]-"),
        ("Contract", "<-[r:PARTICIPATES_IN|REFERENCES|ABOUT]-"),
    )
}
_CURRICULUM = """mutation($input: CreateCurriculumInput!) {
  createCurriculum(input: $input) { curriculum { key } } }"""
_FIELD = {"Category": "deleteCategory", "Practice": "deletePractice", "Lesson": "deleteLesson",
          "Contract": "deleteContract", "Alliance": "deleteAlliance"}  # fmt: skip


@pytest.mark.parametrize("label", ["Category", "Practice", "Lesson", "Contract", "Alliance"])
def test_an_allowed_delete_leaves_nothing_dangling_and_is_logged(
    admin: Any, seeded_graph: Graph, label: str
) -> None:
    if label == "Alliance":
        # Its contracts need an alliance: move them to another one first.
        key = "tips"
        contracts = seeded_graph.read(
            "MATCH (:Alliance {id: 'tips'})-[:AWARDED]->(c:Contract) RETURN c.id AS id"
        )
        move = """mutation($i: UpdateContractInput!) {
          updateContract(input: $i) { contract { alliance { key } } } }"""
        for row in contracts:
            moved = admin(move, {"i": {"id": encode_id("Contract", row["id"]),
                                       "alliance": encode_id("Alliance", "naspo")}})  # fmt: skip
            assert moved.errors == []
    elif label == "Lesson":
        key = "L-0001"
        course = {"key": "uses-a-lesson", "title": "Uses a lesson", "audience": "Buyers",
                  "level": "INTRODUCTORY",
                  "modules": [{"title": "One", "items": [encode_id("Lesson", key)]}]}  # fmt: skip
        assert admin(_CURRICULUM, {"input": course}).errors == []
    else:
        key = seeded_graph.read(_MOST_LINKED[label])[0]["id"]
    node_id = encode_id(label, key)
    refused = admin(DELETE % _FIELD[label], {"input": {"id": node_id}})
    assert refused.codes == ["BAD_USER_INPUT"], f"{label} {key} has dependents to refuse on"
    listed = refused.errors[0]["extensions"]["dependents"]
    seq = last_sequence(seeded_graph)

    done = admin(DELETE % _FIELD[label], {"input": {"id": node_id, "detach": True}})
    assert done.errors == []
    payload = done.data[_FIELD[label]]
    assert payload["deletedId"] == node_id
    assert sorted(payload["detached"], key=str) == sorted(
        [{k: d[k] for k in ("type", "relationship", "count", "keys")} for d in listed], key=str
    )
    assert (
        seeded_graph.read("MATCH (n {id: $id}) WHERE $l IN labels(n) RETURN n", id=key, l=label)
        == []
    )
    changes = seeded_graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq RETURN c.label AS label, c.id AS id, c.op AS op, "
        "c.author AS author ORDER BY c.seq",
        seq=seq,
    )
    assert changes[-1] == {"label": label, "id": key, "op": "DELETE", "author": "token:test-admin"}
    upserted = {(c["label"], c["id"]) for c in changes if c["op"] == "UPSERT"}
    for dependent in listed:
        for holder in dependent["keys"]:
            assert (dependent["type"], holder) in upserted
    assert _dangling(admin) == []


def test_delete_of_an_unknown_id_names_it_and_changes_nothing(
    admin: Any, seeded_graph: Graph
) -> None:
    before = _snapshot(seeded_graph)
    result = admin(DELETE % "deleteContract", {"input": {"id": encode_id("Contract", "no-such")}})
    assert result.codes == ["NOT_FOUND"]
    assert result.errors[0]["message"] == "there is no Contract 'no-such'"
    assert result.errors[0]["extensions"]["field"] == "input.id"
    assert _snapshot(seeded_graph) == before


@pytest.fixture
def live_app(seeded_graph: Graph, settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 (a real HTTP server, in a thread)."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, seeded_graph, search=False), host="127.0.0.1", port=port,
        log_level="warning", lifespan="on",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _post(
    base: str, headers: dict[str, str], body: dict[str, Any], barrier: threading.Barrier,
    answers: list[dict[str, Any]],
) -> None:  # fmt: skip
    """POST ``body`` once both threads are ready (so the two requests overlap)."""
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        barrier.wait()
        answers.append(client.post("/graphql", json=body).json())


def test_the_same_node_deleted_twice_at_once_is_deleted_once(
    live_app: str, seeded_graph: Graph
) -> None:
    secret = create_token(seeded_graph, "race-admin", "admin")[1]
    headers = {"authorization": f"Bearer {secret}"}
    create = (
        """mutation($i: CreateCategoryInput!) { createCategory(input: $i) { category { key } } }"""
    )
    for round_ in range(3):  # bounded: three races
        code = f"RACE{round_}"
        with httpx.Client(base_url=live_app, headers=headers, timeout=60) as client:
            category = {"code": code, "name": f"Race {round_}", "kind": "GROUP",
                        "illustrative": True}  # fmt: skip
            made = client.post("/graphql", json={"query": create, "variables": {"i": category}})
            assert made.json() == {"data": {"createCategory": {"category": {"key": code}}}}
        barrier = threading.Barrier(2, timeout=30)
        answers: list[dict[str, Any]] = []
        body = {"query": DELETE % "deleteCategory",
                "variables": {"input": {"id": encode_id("Category", code)}}}  # fmt: skip
        threads = [
            threading.Thread(target=_post, args=(live_app, headers, body, barrier, answers))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        assert len(answers) == 2
        won = [a for a in answers if "errors" not in a]
        lost = [a for a in answers if "errors" in a]
        assert len(won) == 1 and len(lost) == 1, answers
        error = lost[0]["errors"][0]
        assert lost[0]["data"] == {"deleteCategory": None}
        assert error["extensions"]["code"] == "NOT_FOUND"
        assert f"there is no Category '{code}'" in error["message"]
        entries = seeded_graph.read(
            "MATCH (c:Change {label: 'Category', id: $id, op: 'DELETE'}) RETURN count(*) AS n",
            id=code,
        )
        assert entries == [{"n": 1}]
