"""A catalogue of malformed page requests and form posts over real HTTP (the real app on
the seeded test Neo4j): each is answered below 500 with an HTML page, and none leaves a
traceback in the log."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kb.app import create_app
from kb.bootstrap import seed_graph
from kb.config import Settings
from kb.graph.db import Graph
from kb.graph.tokens import create_token
from kb.web.session import COOKIE, Session, secret_key

HTML = {"accept": "text/html"}
FORM = "application/x-www-form-urlencoded"
CURRICULUM = "new-buyer-onboarding"
BUILDER = f"/curricula/{CURRICULUM}/builder"


def _multipart(fields: dict[str, bytes], charset: str = "") -> dict[str, Any]:
    boundary = "kbBOUNDARY"
    body = (
        b"".join(
            b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (boundary.encode(), name.encode(), value)
            for name, value in fields.items()
        )
        + b"--%s--\r\n" % boundary.encode()
    )
    kind = f"multipart/form-data; boundary={boundary}" + (f"; charset={charset}" if charset else "")
    return {"content": body, "headers": {"content-type": kind}}


def _raw(body: bytes, kind: str = FORM) -> dict[str, Any]:
    return {"content": body, "headers": {"content-type": kind}}


#: name -> (method, path, request keywords, expected status). ``{csrf}`` in a body is
#: replaced by the form's real CSRF token, so that the field checks are reached.
# fmt: off
CATALOGUE: dict[str, tuple[str, str, dict[str, Any], int]] = {
    # /signin, as the user reported it, and its neighbours.
    "signin non-ASCII csrf": ("POST", "/signin", {"data": {"csrf": "é€", "token": "x"}}, 403),
    "signin latin-1 body": ("POST", "/signin", _raw(b"csrf=caf\xe9&token=\xe9\xff"), 403),
    "signin percent-encoded latin-1": ("POST", "/signin", _raw(b"csrf=caf%E9&token=%FF"), 403),
    "signin charset latin-1": (
        "POST", "/signin", _raw(b"csrf=\xe9", FORM + "; charset=latin-1"), 403),
    "signin non-ASCII token": ("POST", "/signin", {"data": {"csrf": "{csrf}", "token": "clé"}}, 401),  # noqa: E501
    "signin token of control characters": (
        "POST", "/signin", {"data": {"csrf": "{csrf}", "token": "\x00\x1b[2J"}}, 401),
    "signin UTF-7 lone surrogate token": (
        "POST", "/signin", _multipart({"csrf": b"{csrf}", "token": b"+2AA-"}, "utf-7"), 400),
    "signin UTF-7 lone surrogate csrf": (
        "POST", "/signin", _multipart({"csrf": b"+2AA-"}, "utf-7"), 400),
    "signin unknown charset": ("POST", "/signin", _multipart({"csrf": b"\xe9"}, "klingon"), 403),
    "signin csrf as a file": (
        "POST", "/signin", {"files": {"csrf": ("c.txt", b"x")}, "data": {"token": "x"}}, 400),
    "signin multipart garbage": (
        "POST", "/signin", _raw(b"\x00\xffgarbage--kb\r\n\r\n", "multipart/form-data; boundary=kb"), 400),  # noqa: E501
    "signin multipart without boundary": (
        "POST", "/signin", _raw(b"--x\r\n", "multipart/form-data"), 400),
    "signin JSON body": ("POST", "/signin", _raw(b'{"csrf": "x"}', "application/json"), 403),
    "signin missing fields": ("POST", "/signin", {"data": {}}, 403),
    "signin empty body": ("POST", "/signin", _raw(b""), 403),
    "signin huge token field": (
        "POST", "/signin", {"data": {"csrf": "{csrf}", "token": "t" * 50_000}}, 400),
    "signin field over the parser's limit": (
        "POST", "/signin", {"data": {"csrf": "x", "token": "t" * 1_100_000}}, 400),
    "signin 2,000 fields": ("POST", "/signin", _raw(b"&".join(b"f%d=1" % i for i in range(2000))), 400),  # noqa: E501
    "signin odd next": ("POST", "/signin?next=%0d%0aSet-Cookie:x", {"data": {"csrf": "é"}}, 403),
    "signin PUT": ("PUT", "/signin", {}, 405),
    # The curriculum builder (signed in as an editor).
    "builder non-ASCII csrf": ("POST", BUILDER, {"data": {"csrf": "ü", "action": "add-module"}}, 403),  # noqa: E501
    "builder latin-1 body": ("POST", BUILDER, _raw(b"csrf=\xfc&action=add-module"), 403),
    "builder UTF-7 lone surrogate title": (
        "POST", BUILDER,
        _multipart({"csrf": b"{csrf}", "action": b"add-module", "title": b"+2AA-"}, "utf-7"), 400),
    "builder title as a file": (
        "POST", BUILDER,
        {"data": {"csrf": "{csrf}", "action": "add-module"}, "files": {"title": ("t", b"x")}}, 400),
    "builder non-ASCII action": ("POST", BUILDER, {"data": {"csrf": "{csrf}", "action": "ädd"}}, 400),  # noqa: E501
    "builder huge title": (
        "POST", BUILDER, {"data": {"csrf": "{csrf}", "action": "add-module", "title": "T" * 9000}}, 400),  # noqa: E501
    "builder unicode digits as position": (
        "POST", BUILDER,
        {"data": {"csrf": "{csrf}", "action": "move-module", "module": "m", "position": "²"}}, 400),
    "builder missing fields": ("POST", BUILDER, {"data": {"csrf": "{csrf}"}}, 400),
    "builder multipart garbage": (
        "POST", BUILDER, _raw(b"--kb\r\nbroken", "multipart/form-data; boundary=kb"), 403),
    "signout non-ASCII csrf": ("POST", "/signout", {"data": {"csrf": "ø"}}, 403),
    "signout UTF-7 lone surrogate": ("POST", "/signout", _multipart({"csrf": b"+2AA-"}, "utf-7"), 400),  # noqa: E501
    # Unknown addresses.
    "unknown path": ("GET", "/nowhere/at/all", {}, 404),
    "unknown path with unicode": ("GET", "/%C3%A9t%C3%A9/%ED%A0%80", {}, 404),
    "detail with a NUL": ("GET", "/states/%00", {}, 404),
    "detail with invalid UTF-8": ("GET", "/practices/%ED%A0%80%FF", {}, 404),
    "detail with a long key": ("GET", "/lessons/" + "L" * 5000, {}, 400),
    "static traversal": ("GET", "/static/../../../etc/passwd", {}, 404),
    "static missing": ("GET", "/static/nothing.css", {}, 404),
    "curriculum with a long key": ("GET", "/curricula/" + "c" * 500, {}, 400),
    "export in an unknown format": ("GET", f"/curricula/{CURRICULUM}/export.pdf", {}, 404),
    "POST to a listing": ("POST", "/states", {"data": {"a": "b"}}, 405),
    "DELETE a detail": ("DELETE", "/states/UT", {}, 405),
    # Bad query parameters.
    "search page zero": ("GET", "/?q=rfp&page=0", {}, 400),
    "search page unicode digit": ("GET", "/?q=rfp&page=%C2%B2", {}, 400),
    "search page arabic digit": ("GET", "/?q=rfp&page=%D9%A1", {}, 400),
    "search page huge": ("GET", "/?q=rfp&page=" + "9" * 5000, {}, 400),
    "search page float": ("GET", "/?q=rfp&page=1e3", {}, 400),
    "search invalid UTF-8": ("GET", "/?q=%ED%A0%80%FF%FE", {}, 200),
    "search NUL": ("GET", "/?q=%00", {}, 200),
    "search query syntax": ("GET", '/?q=%22((((%5B%5B*%3F%3A~%5E', {}, 200),
    "search unknown state": ("GET", "/?q=rfp&state=%C3%A9", {}, 400),
    "search year text": ("GET", "/?q=rfp&year=%D9%A1%D9%A2%D9%A3%D9%A4", {}, 400),
    "search long filter": ("GET", "/?q=rfp&kind=" + "k" * 500, {}, 400),
    "search repeated filters": ("GET", "/?q=rfp" + "&kind=practice" * 500, {}, 200),
    "listing with junk parameters": ("GET", "/states?first=-1&after=%ED%A0%80&where={", {}, 200),
    "curricula with junk parameters": ("GET", "/curricula?page=%00", {}, 200),
    "signin with a huge message": ("GET", "/signin?message=" + "m" * 10_000, {}, 200),
}
# fmt: on


@pytest.fixture(scope="module")
def app_settings(
    session_graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    session_graph.write("MATCH (n) DETACH DELETE n")
    seed_graph(session_graph, settings)
    index: Path = tmp_path_factory.mktemp("index")
    return dataclasses.replace(settings, index_dir=index)


@pytest.fixture(scope="module")
def anonymous(session_graph: Graph, app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings, session_graph), headers=HTML) as client:
        yield client


@pytest.fixture(scope="module")
def editor(session_graph: Graph, app_settings: Settings) -> Iterator[TestClient]:
    """A client signed in with an editor token."""
    secret = create_token(session_graph, "malformed-forms", "editor")[1]
    with TestClient(create_app(app_settings, session_graph), headers=HTML) as client:
        response = client.post(
            "/signin", data={"token": secret, "csrf": _csrf(client, "/signin")},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, response.text[:300]
        yield client


def _csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, re.findall(r"<main.*?</main>", page.text, re.S)
    return found.group(1)


def _session_csrf(client: TestClient, settings: Settings) -> str:
    """The CSRF token of the client's session (what the builder's forms carry; read
    from the cookie because the builder page itself is slow to build on a busy machine)."""
    key = secret_key(settings)
    # The cookie is sent quoted (its base64 holds '='); Starlette unquotes it likewise.
    session = Session.decode(client.cookies[COOKIE].strip('"'), key)
    assert session is not None
    return session.csrf(key)


def _with_csrf(
    client: TestClient, settings: Settings, path: str, request: dict[str, Any]
) -> dict[str, Any]:
    """``request`` with ``{csrf}`` replaced by the real token of the form at ``path``.
    Before a post to /signin the form is fetched, so that its CSRF cookie is set and the
    sent field is compared with it (what a browser does)."""
    signin = path.startswith("/signin")
    token = _csrf(client, "/signin") if signin else ""
    if "{csrf}" not in repr(request):
        return request
    token = token or _session_csrf(client, settings)
    if "content" in request:
        return {**request, "content": request["content"].replace(b"{csrf}", token.encode())}
    return {**request, "data": {k: v.replace("{csrf}", token) for k, v in request["data"].items()}}


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_malformed_page_request_is_an_html_page(
    anonymous: TestClient,
    editor: TestClient,
    app_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    method, path, request, status = CATALOGUE[name]
    client = editor if path.startswith(("/curricula", "/signout")) else anonymous
    request = _with_csrf(client, app_settings, path, request)
    response = client.request(method, path, follow_redirects=False, **request)
    assert response.status_code == status, response.text[:400]
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert "Traceback" not in response.text
    assert _tracebacks(caplog) == []


def test_unreadable_fields_are_named(anonymous: TestClient, app_settings: Settings) -> None:
    def text(client: TestClient, name: str) -> str:
        method, path, request, _ = CATALOGUE[name]
        request = _with_csrf(client, app_settings, path, request)
        return client.request(method, path, follow_redirects=False, **request).text

    assert "The field &#39;token&#39; is not valid text; send UTF-8" in text(
        anonymous, "signin UTF-7 lone surrogate token"
    )
    assert "The field &#39;csrf&#39; must be text, not a file" in text(
        anonymous, "signin csrf as a file"
    )
    assert "holds 50000 characters; at most 2000 are accepted" in text(
        anonymous, "signin huge token field"
    )
    assert "/states does not accept POST requests" in text(anonymous, "POST to a listing")
    assert "unknown or revoked" in text(anonymous, "signin non-ASCII token")


def test_unknown_path_answers_json_to_api_clients(anonymous: TestClient) -> None:
    response = anonymous.get("/nowhere", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.json() == {"error": "not found", "path": "/nowhere"}
