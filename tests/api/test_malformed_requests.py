"""A catalogue of malformed requests to ``/graphql`` over real HTTP (the real app on the
test Neo4j): each is answered below 500 with a GraphQL JSON error carrying a code, or
accepted, and none leaves a traceback in the log. Then the last-resort safety net."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from kb.api.request_json import MAX_DEPTH
from kb.app import create_app
from kb.config import Settings
from kb.graph.db import Graph

CODES = {
    "BAD_USER_INPUT", "NOT_FOUND", "UNAUTHENTICATED", "FORBIDDEN", "QUERY_TOO_COMPLEX",
    "RATE_LIMITED", "DATABASE_UNAVAILABLE", "INTERNAL",
}  # fmt: skip
JSON = {"content-type": "application/json"}
BAD = "BAD_USER_INPUT"
TYPENAME = '{"query": "{ __typename }"}'


def _post(body: str | bytes, **headers: str) -> dict[str, Any]:
    return {"method": "POST", "content": body, "headers": {**JSON, **headers}}


def _get(**params: str) -> dict[str, Any]:
    return {"method": "GET", "params": params}


def _nested(depth: int) -> str:
    return '{"query": "query($a: String) { __typename }", "variables": {"a": ' + \
        "[" * depth + "]" * depth + "}}"  # fmt: skip


def _query(query: str, **extra: Any) -> str:
    return json.dumps({"query": query, **extra})


#: name -> (request, expected status, expected code or None when the request is accepted)
# fmt: off
CATALOGUE: dict[str, tuple[dict[str, Any], int, str | None]] = {
    # What the user reported.
    "unknown operationName": (_post(_query("{ __typename }", operationName="X")), 400, BAD),
    "JSON nested 5,000 deep": (_post(_nested(5000)), 400, BAD),
    "JSON nested past the depth limit": (_post(_nested(MAX_DEPTH + 1)), 400, BAD),
    "lone surrogate in a String variable": (
        _post('{"query": "query($c: String!) { state(code: $c) { name } }", '
              '"variables": {"c": "\\ud800"}}'), 400, BAD),
    "lone surrogate in a variable name": (
        _post('{"query": "{ __typename }", "variables": {"\\udfff": 1}}'), 400, BAD),
    "lone surrogate in the query": (_post('{"query": "{ __typename } # \\ud800"}'), 400, BAD),
    "lone surrogate in a query string literal": (
        _post('{"query": "{ state(code: \\"\\ud83d\\") { name } }"}'), 400, BAD),
    "lone surrogate in operationName": (
        _post('{"query": "{ __typename }", "operationName": "\\ud800"}'), 400, BAD),
    "GraphQL escape of a lone surrogate": (
        _post(_query('{ state(code: "\\uD800") { name } }')), 200, BAD),
    "invalid UTF-8": (_post(b'{"query": "{ __typename } # \xff\xfe"}'), 400, BAD),
    "overlong UTF-8": (_post(b'{"query": "{ __typename } # \xc0\xaf"}'), 400, BAD),
    "UTF-16 body": (_post(TYPENAME.encode("utf-16")), 400, BAD),
    "byte order mark": (_post(b"\xef\xbb\xbf" + TYPENAME.encode()), 200, None),
    # Content types and charsets.
    "charset utf-8": (_post(TYPENAME, **{"content-type": "application/json; charset=UTF-8"}), 200, None),  # noqa: E501
    "charset latin-1": (
        _post(TYPENAME, **{"content-type": "application/json; charset=latin-1"}), 415, BAD),
    "charset garbage": (
        _post(TYPENAME, **{"content-type": 'application/json; charset="; x'}), 415, BAD),
    "text/plain": (_post(TYPENAME, **{"content-type": "text/plain"}), 415, BAD),
    "application/graphql": (
        _post("{ __typename }", **{"content-type": "application/graphql"}), 415, BAD),
    "no content type": ({"method": "POST", "content": TYPENAME}, 415, BAD),
    "content type of parameters only": (_post(TYPENAME, **{"content-type": ";;;"}), 415, BAD),
    "multipart": (
        {"method": "POST", "files": {"query": ("q", b"{ __typename }")}}, 415, BAD),
    # Bodies that are JSON but not a request.
    "empty body": (_post(b""), 400, BAD),
    "whitespace body": (_post(b"  \n "), 400, BAD),
    "body null": (_post("null"), 400, BAD),
    "body a number": (_post("42"), 400, BAD),
    "body a string": (_post('"{ __typename }"'), 400, BAD),
    "body true": (_post("true"), 400, BAD),
    "body a list (batch)": (_post(f"[{TYPENAME}]"), 400, BAD),
    "trailing garbage": (_post(TYPENAME + " }"), 400, BAD),
    "truncated JSON": (_post(TYPENAME[:-3]), 400, BAD),
    "duplicate keys (the last wins)": (_post('{"query": 1, "query": "{ __typename }"}'), 200, None),
    "query missing": (_post('{"variables": {}}'), 400, BAD),
    "query a number": (_post('{"query": 42}'), 400, BAD),
    "query a list": (_post('{"query": ["{ __typename }"]}'), 400, BAD),
    "query blank": (_post('{"query": "   "}'), 400, BAD),
    "variables a string": (_post('{"query": "{ __typename }", "variables": "{}"}'), 400, BAD),
    "variables a list": (_post('{"query": "{ __typename }", "variables": [1]}'), 400, BAD),
    "variables null": (_post('{"query": "{ __typename }", "variables": null}'), 200, None),
    "operationName a number": (_post(_query("{ __typename }", operationName=7)), 400, BAD),
    "operationName empty": (_post(_query("{ __typename }", operationName="")), 200, None),
    "operationName 10,000 long": (_post(_query("query A { __typename }", operationName="A" * 10_000)), 400, BAD),  # noqa: E501
    "extensions a string": (_post(_query("{ __typename }", extensions="x")), 200, None),
    # Numbers.
    "huge integer literal": (_post(_query("{ states(first: 99999999999999999999999) { totalCount } }")), 200, BAD),  # noqa: E501
    "5,000-digit integer literal": (_post(_query("{ states(first: " + "9" * 5000 + ") { totalCount } }")), 200, BAD),  # noqa: E501
    "huge integer variable": (
        _post(_query("query($n: Int) { states(first: $n) { totalCount } }", variables={"n": 10**30})),  # noqa: E501
        200, BAD),
    "5,000-digit integer variable": (_post('{"query": "{ __typename }", "variables": {"n": 1' + "0" * 5000 + "}}"), 400, BAD),  # noqa: E501
    "float overflowing to infinity": (_post('{"query": "{ __typename }", "variables": {"f": 1e400}}'), 400, BAD),  # noqa: E501
    "NaN in variables": (_post('{"query": "{ __typename }", "variables": {"f": NaN}}'), 400, BAD),
    "-Infinity in variables": (_post('{"query": "{ __typename }", "variables": {"f": -Infinity}}'), 400, BAD),  # noqa: E501
    "NaN literal": (_post(_query("{ states(first: NaN) { totalCount } }")), 200, BAD),
    "Infinity float literal": (_post(_query("{ states(first: 1e400) { totalCount } }")), 200, BAD),
    # Documents.
    "syntax error": (_post(_query("{ states { ")), 200, BAD),
    "NUL in the query": (_post(_query("{ __typename \u0000 }")), 200, BAD),
    "duplicated operation names": (
        _post(_query("query A { __typename } query A { __typename }", operationName="A")), 200, BAD),  # noqa: E501
    "two operations and no operationName": (
        _post(_query("query A { __typename } query B { __typename }")), 400, BAD),
    "two operations, one named": (
        _post(_query("query A { __typename } query B { __typename }", operationName="B")), 200, None),  # noqa: E501
    "only a fragment": (_post(_query("fragment F on Query { __typename }")), 400, BAD),
    "subscription": (_post(_query("subscription { __typename }")), 400, BAD),  # WebSocket only
    "nested 900 deep": (_post(_query("{" + "a{" * 900 + "}" * 901)), 200, BAD),
    "list literal nested 900 deep": (
        _post(_query("{ states(where: " + "[" * 900 + "]" * 900 + ") { totalCount } }")), 200, BAD),
    "hundreds of directives": (_post(_query("{ __typename" + " @aa" * 300 + " }")), 200, "QUERY_TOO_COMPLEX"),  # noqa: E501
    # GET.
    "GET with bad variables JSON": (_get(query="{ __typename }", variables="{nope"), 400, BAD),
    "GET with variables a list": (_get(query="{ __typename }", variables="[1]"), 400, BAD),
    "GET with a lone surrogate escape": (
        _get(query="{ __typename }", variables='{"a": "\\ud800"}'), 400, BAD),
    "GET with deep variables": (
        _get(query="{ __typename }", variables="[" * 3000 + "]" * 3000), 400, BAD),
    "GET with NaN variables": (_get(query="{ __typename }", variables='{"a": NaN}'), 400, BAD),
    "GET without a query": (_get(variables="{}"), 400, BAD),
    "GET with invalid percent-encoding": (
        {"method": "GET", "url": "/graphql?query=%7B%20__typename%20%7D%ED%A0%80%FF"}, 200, BAD),
    "GET with unknown operationName": (_get(query="{ __typename }", operationName="Q"), 400, BAD),
    "GET mutation": (_get(query='mutation { deleteLesson(input: {id: "x"}) { deletedId } }'), 405, BAD),  # noqa: E501
    # Headers and methods.
    "Accept text/csv": (_post(TYPENAME, accept="text/csv"), 406, BAD),
    "Accept 20,000 characters": (_post(TYPENAME, accept="x/y, " * 4000), 406, BAD),
    "Accept with junk parameters": (_post(TYPENAME, accept="application/json;q=;;=,,*/*;q=x"), 200, None),  # noqa: E501
    "Accept graphql-response with a lone surrogate": (
        _post('{"query": "{ __typename } # \\ud800"}', accept="application/graphql-response+json"), 400, BAD),  # noqa: E501
    "Authorization not bearer": (_post(TYPENAME, authorization="Basic YTpi"), 401, "UNAUTHENTICATED"),  # noqa: E501
    "Authorization bearer latin-1": (
        {"method": "POST", "content": TYPENAME, "headers": [
            (b"content-type", b"application/json"), (b"authorization", b"Bearer \xe9\xff")]},
        401, "UNAUTHENTICATED"),
    "PUT": ({"method": "PUT", "content": TYPENAME, "headers": JSON}, 405, BAD),
    "OPTIONS": ({"method": "OPTIONS"}, 405, BAD),
    "a path under /graphql": ({"method": "GET", "url": "/graphql/nothing"}, 404, "NOT_FOUND"),
}
# fmt: on


@pytest.fixture(scope="module")
def client(session_graph: Graph, settings: Settings) -> Iterator[TestClient]:
    # Nothing here reads data: the graph is used as it is, and search is not needed.
    with TestClient(create_app(settings, session_graph, search=False)) as client:
        yield client


def _send(client: TestClient, request: dict[str, Any]) -> Any:
    request = dict(request)
    return client.request(request.pop("method"), request.pop("url", "/graphql"), **request)


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_malformed_request_is_a_coded_json_error(
    client: TestClient, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    request, status, code = CATALOGUE[name]
    response = _send(client, request)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].split(";")[0] in (
        "application/json",
        "application/graphql-response+json",
    )
    body = response.json()
    if code is None:
        assert "data" in body, body
        assert all(e["extensions"]["code"] in CODES for e in body.get("errors", []))
    else:
        codes = [error["extensions"]["code"] for error in body["errors"]]
        assert code in codes and set(codes) <= CODES, body
        assert all(error["message"] for error in body["errors"])
    assert _tracebacks(caplog) == []


def test_errors_name_what_is_wrong(client: TestClient) -> None:
    def message(name: str) -> str:
        return str(_send(client, CATALOGUE[name][0]).json()["errors"][0]["message"])

    assert message("unknown operationName") == (
        "operationName 'X' is not in the document; it defines (anonymous)"
    )
    assert "variables.c holds a lone UTF-16 surrogate (U+D800)" in message(
        "lone surrogate in a String variable"
    )
    assert f"at most {MAX_DEPTH} levels" in message("JSON nested 5,000 deep")
    assert "not valid UTF-8 (byte 0xff at offset 28)" in message("invalid UTF-8")
    assert "several operations ('A', 'B')" in message("two operations and no operationName")
    assert "charset 'latin-1' is not accepted; send UTF-8" in message("charset latin-1")
    assert "NaN is not a JSON value" in message("NaN in variables")
    assert "an integer of 5001 digits; at most 100" in message("5,000-digit integer variable")
    assert "at most 5 are allowed on one location" in message("hundreds of directives")


def test_accepted_requests_answer_data(client: TestClient) -> None:
    for name in ("byte order mark", "charset utf-8", "operationName empty"):
        assert _send(client, CATALOGUE[name][0]).json() == {"data": {"__typename": "Query"}}
    named = _send(client, CATALOGUE["two operations, one named"][0])
    assert named.json() == {"data": {"__typename": "Query"}}


def _boom(request: Request) -> Response:
    raise RuntimeError("secret detail of a bug")


@pytest.fixture(scope="module")
def buggy(session_graph: Graph, settings: Settings) -> Iterator[TestClient]:
    """The real app with two routes that fail as a bug would: one under the API's path,
    one a page."""
    app = create_app(settings, session_graph, search=False)
    app.router.routes += [Route("/graphql/boom", _boom), Route("/boom", _boom)]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_safety_net_answers_an_api_bug_with_a_masked_graphql_error(
    buggy: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = buggy.get("/graphql/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    incident = error["extensions"]["errorId"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert error["message"] == f"Unexpected error (id {incident})."
    assert "secret" not in response.text
    [record] = [r for r in caplog.records if r.name == "kb.api.safety"]
    assert incident in record.getMessage() and record.exc_info is not None


def test_safety_net_answers_a_page_bug_with_an_html_page(
    buggy: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = buggy.get("/boom", headers={"accept": "text/html"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in response.text
    assert "secret" not in response.text
    [record] = [r for r in caplog.records if r.name == "kb.api.safety"]
    incident = record.getMessage().split()[2]
    assert len(incident) == 12 and f"incident {incident}" in response.text


def test_http_errors_of_the_router_are_graphql_errors_under_graphql(client: TestClient) -> None:
    response = client.options("/graphql")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert response.json()["errors"][0]["message"] == "OPTIONS /graphql: Method Not Allowed"
