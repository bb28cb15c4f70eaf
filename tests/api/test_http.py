"""GraphQL over HTTP: methods, media types, status codes, body limits, bearer tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from kb.api.http import MAX_BODY
from kb.app import create_app
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token, revoke_token

GR = "application/graphql-response+json"
QUERY = '{ state(code: "UT") { name } }'


@pytest.fixture
def client(read_graph: Graph, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, read_graph)) as client:
        yield client


def test_post_json_answers_data(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": QUERY})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"state": {"name": "Utah"}}}


def test_get_runs_queries(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": "query($c: String!) { state(code: $c) { name } }",  # noqa: E501
                                              "variables": json.dumps({"c": "CO"})})  # fmt: skip
    assert response.json() == {"data": {"state": {"name": "Colorado"}}}


def test_mutation_over_get_is_405_with_allow(client: TestClient) -> None:
    response = client.get(
        "/graphql", params={"query": 'mutation { deleteLesson(input: {id: "x"}) { deletedId } }'}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_graphql_response_json_uses_spec_status_codes(client: TestClient) -> None:
    ok = client.post("/graphql", json={"query": QUERY}, headers={"accept": GR})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith(GR)
    bad = client.post("/graphql", json={"query": "{ states { nmae } }"}, headers={"accept": GR})
    assert bad.status_code == 400
    assert "data" not in bad.json()
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    legacy = client.post("/graphql", json={"query": "{ states { nmae } }"})
    assert legacy.status_code == 200


def test_form_and_multipart_bodies_are_415(client: TestClient) -> None:
    form = client.post("/graphql", data={"query": QUERY})
    assert form.status_code == 415
    multipart = client.post("/graphql", files={"query": ("q", QUERY.encode())})
    assert multipart.status_code == 415


def test_oversized_body_is_413(client: TestClient) -> None:
    body = json.dumps({"query": QUERY, "variables": {"pad": "x" * (MAX_BODY + 1)}})
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_batching_is_refused(client: TestClient) -> None:
    response = client.post("/graphql", json=[{"query": QUERY}, {"query": QUERY}])
    assert response.status_code == 400
    assert "batching" in response.json()["errors"][0]["message"]


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    assert (
        client.post("/graphql", json={"query": QUERY}, headers={"accept": "text/csv"}).status_code
        == 406
    )


def test_graphiql_in_development_only(
    read_graph: Graph, settings: Settings, test_env: dict[str, str]
) -> None:
    with TestClient(create_app(settings, read_graph)) as client:
        page = client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    production = Settings.from_env({**test_env, "KB_ENV": "production"})
    with TestClient(create_app(production, read_graph)) as client:
        assert client.get("/graphql", headers={"accept": "text/html"}).status_code == 404
        intro = client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
        assert intro.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_bearer_tokens_and_roles(
    read_graph: Graph, settings: Settings, test_env: dict[str, str]
) -> None:
    closed = Settings.from_env({**test_env, "KB_PUBLIC_READ": "false"})
    reader, reader_secret = create_token(read_graph, "http-reader", "reader")
    _, admin_secret = create_token(read_graph, "http-admin", "admin")  # deletes seed records
    mutation = {
        "query": 'mutation { deleteLesson(input: {id: "TGVzc29uOkwtMDAwMQ=="}) { deletedId } }'
    }
    with TestClient(create_app(closed, read_graph)) as client:
        anonymous = client.post("/graphql", json={"query": QUERY})
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        auth = {"authorization": f"Bearer {reader_secret}"}
        assert client.post("/graphql", json={"query": QUERY}, headers=auth).json() == {
            "data": {"state": {"name": "Utah"}}
        }
        forbidden = client.post("/graphql", json=mutation, headers=auth)
        assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        wrong = client.post(
            "/graphql", json={"query": QUERY}, headers={"authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401
        revoke_token(read_graph, reader.id)
        assert client.post("/graphql", json={"query": QUERY}, headers=auth).status_code == 401
        deleted = client.post(
            "/graphql", json=mutation, headers={"authorization": f"Bearer {admin_secret}"}
        )
        assert deleted.json() == {"data": {"deleteLesson": {"deletedId": "TGVzc29uOkwtMDAwMQ=="}}}
    stored = read_graph.read("MATCH (t:ApiToken) RETURN t.hash AS hash")
    assert all(len(row["hash"]) == 64 and not row["hash"].startswith("kb_") for row in stored)
    assert reader_secret not in {row["hash"] for row in stored}
