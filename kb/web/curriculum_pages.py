"""Pages for trainers: the list of curricula, one curriculum, and a builder.

Reading is open (like the API). Building needs an editor token: ``/signin`` turns it into
a session cookie (see :mod:`kb.web.session`), and every form posts a CSRF token. Each
builder action runs one GraphQL mutation in-process as the signed-in viewer, then
redirects back (303) so that a reload never repeats it.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kb.api.auth import viewer_for_token
from kb.api.exports import EXPORT_FORMATS, curriculum_export
from kb.api.ids import encode_id
from kb.web.forms_common import (
    csrf_for,
    run_as,
    session_key,
    signed_in_of,
    to_signin,
    unreadable,
)
from kb.web.history_section import history_section
from kb.web.pages import PageError, error_page, render, run_query
from kb.web.session import (
    COOKIE,
    MAX_FIELD,
    FormFieldError,
    SignedIn,
    csrf_ok,
    new_session,
    read_form,
    same_secret,
    set_cookie,
)

LIST = """query { curricula(first: 100) { totalCount nodes {
  key title audience level description illustrative itemCount } } }"""

VIEW = """query($id: ID!) { curriculum(id: $id) {
  key title audience level description source illustrative itemCount updatedAt updatedBy
  certifications { code name }
  modules { key position title objectives items { kind key title position
    node { ... on Practice { summary source illustrative }
           ... on Lesson { lesson source illustrative } } } }
  warnings { kind message item prerequisite }
  suggestedOrder { kind key title }
  coverage { gaps
    domains { key name group covered suggestions { slug title } }
    categories { key name covered suggestions { slug title } }
    alliances { key name covered suggestions { slug title } } }
} }"""

FIND = """query($q: String!) {
  search(query: $q, where: {kinds: ["practice", "lesson"]}, first: 10) {
    totalCount hits { kind key title } } }"""

ACTIONS: dict[str, tuple[str, str]] = {
    "add-module": ("addModule", "AddModuleInput"),
    "move-module": ("moveModule", "MoveModuleInput"),
    "remove-module": ("removeModule", "RemoveModuleInput"),
    "add-item": ("addItem", "AddItemInput"),
    "move-item": ("moveItem", "MoveItemInput"),
    "remove-item": ("removeItem", "RemoveItemInput"),
}

KINDS = {"practice": "Practice", "lesson": "Lesson", "PRACTICE": "Practice", "LESSON": "Lesson"}


async def curricula_list(request: Request) -> Response:
    try:
        data = await run_query(request, request.app.state.schema, LIST)
    except PageError as error:
        return error_page(request, error)
    signed_in = await signed_in_of(request)
    return render(
        request,
        "curricula.html",
        title="Curricula",
        items=data["curricula"],
        signed_in=signed_in,
        csrf=csrf_for(request, signed_in),
    )


async def _load(request: Request, key: str) -> dict[str, Any]:
    if len(key) > 100:
        raise PageError(400, "That address is too long", "Keys are at most 100 characters.")
    data = await run_query(request, request.app.state.schema, VIEW, {"id": key})
    if data["curriculum"] is None:
        raise PageError(404, "No such curriculum", f"There is no curriculum {key!r}.")
    return dict(data["curriculum"])


async def curriculum_view(request: Request) -> Response:
    try:
        item = await _load(request, request.path_params["key"])
        schema = request.app.state.schema
        history = await history_section(request, schema, "curriculum", "id", item["key"])
    except PageError as error:
        return error_page(request, error)
    return render(request, "curriculum.html", title=item["title"], item=item, history=history)


async def builder(request: Request) -> Response:
    signed_in = await signed_in_of(request)
    key = request.path_params["key"]
    if signed_in.session is None:
        return to_signin(request, f"/curricula/{key}/builder", signed_in.expired)
    try:
        item = await _load(request, key)
        found = None
        q = request.query_params.get("q", "").strip()[:200]
        if q:
            found = (await run_query(request, request.app.state.schema, FIND, {"q": q}))["search"]
    except PageError as error:
        return error_page(request, error)
    return render(
        request,
        "builder.html",
        title=f"Build: {item['title']}",
        item=item,
        q=q,
        found=found,
        csrf=csrf_for(request, signed_in),
        viewer=signed_in.viewer,
        message=request.query_params.get("message", "")[:300],
        problem=request.query_params.get("problem", "")[:500],
    )


#: The fields a builder form may post, with the longest value each may hold.
BUILDER_FIELDS = {
    "csrf": MAX_FIELD,
    "action": MAX_FIELD,
    "title": MAX_FIELD,
    "objectives": 20_000,
    "module": MAX_FIELD,
    "position": MAX_FIELD,
    "kind": MAX_FIELD,
    "item": MAX_FIELD,
}
SIGNIN_FIELDS = {"csrf": MAX_FIELD, "token": MAX_FIELD}


def _int(form: dict[str, str], name: str) -> int:
    raw = form[name].strip()
    # isdigit() also holds for '²' (which int() refuses) and other scripts' digits.
    if not (raw.lstrip("-").isascii() and raw.lstrip("-").isdigit() and len(raw) < 10):
        raise PageError(400, "That change cannot be made", f"{name}={raw!r} is not a number.")
    return int(raw)


def _mutation_input(action: str, key: str, form: dict[str, str]) -> dict[str, Any]:
    """The GraphQL input of a builder form (validated by the mutation itself)."""
    curriculum = key
    if action == "add-module":
        objectives = [o.strip() for o in form["objectives"].splitlines() if o.strip()]
        return {
            "curriculum": curriculum,
            "title": form["title"],
            "objectives": objectives,
        }
    if action == "move-module":
        return {
            "curriculum": curriculum,
            "module": form["module"],
            "position": _int(form, "position"),
        }
    if action == "remove-module":
        return {"curriculum": curriculum, "module": form["module"]}
    kind = KINDS.get(form["kind"])
    if kind is None:
        raise PageError(400, "That change cannot be made", "kind must be practice or lesson.")
    item = encode_id(kind, form["item"])
    if action == "add-item":
        return {"curriculum": curriculum, "module": form["module"], "item": item}
    if action == "move-item":
        return {"curriculum": curriculum, "item": item, "position": _int(form, "position")}
    return {"curriculum": curriculum, "item": item}


async def builder_post(request: Request) -> Response:
    key = request.path_params["key"]
    signed_in = await signed_in_of(request)
    if signed_in.session is None:
        return to_signin(request, f"/curricula/{key}/builder", signed_in.expired)
    try:
        form = await read_form(request, BUILDER_FIELDS)
    except FormFieldError as error:
        return error_page(request, unreadable(error))
    return await _apply(request, key, signed_in, form)


async def _apply(request: Request, key: str, signed_in: SignedIn, form: dict[str, str]) -> Response:
    """Check the builder form's CSRF token and action, then run its mutation."""
    if not csrf_ok(signed_in, session_key(request), form["csrf"]):
        return error_page(
            request,
            PageError(
                403,
                "This form has expired",
                "The form's security token is missing or wrong; nothing was changed. "
                "Reload the page and try again.",
            ),
        )
    action = form["action"]
    if action not in ACTIONS:
        expected = ", ".join(ACTIONS)
        message = f"action={action!r} is not known; expected one of {expected}."
        return error_page(request, PageError(400, "That change cannot be made", message))
    field, input_type = ACTIONS[action]
    try:
        variables = {"input": _mutation_input(action, key, form)}
    except PageError as error:
        return error_page(request, error)
    document = (
        f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ curriculum {{ key }} }} }}"
    )
    result = await run_as(request, signed_in.viewer, document, variables)
    back = f"/curricula/{quote(key)}/builder"
    if result.errors:
        problem = "; ".join(e.message for e in result.errors)
        return RedirectResponse(f"{back}?{urlencode({'problem': problem})}", status_code=303)
    return RedirectResponse(f"{back}?{urlencode({'message': 'Saved.'})}", status_code=303)


LOGIN_CSRF = "kb_signin_csrf"


def _signin_form(request: Request, back: str, message: str, status: int = 200) -> Response:
    # Before there is a session, the sign-in form is protected by a double-submit token:
    # a random value in an HttpOnly cookie that the form must echo.
    token = secrets.token_hex(16)
    response = render(
        request, "signin.html", status, title="Sign in", next=back, message=message, csrf=token
    )
    response.set_cookie(
        LOGIN_CSRF,
        token,
        max_age=1800,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/signin",
    )
    return response


async def signin(request: Request) -> Response:
    back = request.query_params.get("next", "/curricula")
    if not back.startswith("/") or back.startswith("//"):
        back = "/curricula"  # never redirect off-site
    if request.method == "GET":
        return _signin_form(request, back, request.query_params.get("message", "")[:200])
    try:
        form = await read_form(request, SIGNIN_FIELDS)
    except FormFieldError as error:
        return error_page(request, unreadable(error))
    sent, secret = form["csrf"], form["token"].strip()
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not same_secret(expected, sent):
        message = "The form's security token is missing or wrong; nothing was changed."
        return error_page(request, PageError(403, "This form has expired", message))
    viewer = await viewer_for_token(request.state.graph, secret) if secret else None
    if viewer is None or viewer.token_id is None or viewer.role not in ("editor", "admin"):
        reason = (
            "That token is unknown or revoked."
            if viewer is None
            else f"The token {viewer.name!r} has role {viewer.role!r}; building needs editor."
        )
        return _signin_form(request, back, reason, 401)
    response = RedirectResponse(back, status_code=303)
    set_cookie(
        response, new_session(viewer.token_id), session_key(request), request.url.scheme == "https"
    )
    return response


async def signout(request: Request) -> Response:
    signed_in = await signed_in_of(request)
    try:
        sent = (await read_form(request, {"csrf": MAX_FIELD}))["csrf"]
    except FormFieldError as error:
        return error_page(request, unreadable(error))
    if signed_in.session is not None and not csrf_ok(signed_in, session_key(request), sent):
        message = "The form's security token is missing or wrong; you are still signed in."
        return error_page(request, PageError(403, "This form has expired", message))
    response = RedirectResponse("/curricula", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


async def export(request: Request) -> Response:
    """The curriculum as Markdown or a printable HTML page (what `kb curriculum export`
    writes: the same renderer)."""
    key, fmt = request.path_params["key"], request.path_params["fmt"]
    if fmt not in EXPORT_FORMATS:
        message = f"format {fmt!r} is not offered; expected {' or '.join(EXPORT_FORMATS)}."
        return error_page(request, PageError(404, "No such export", message))
    text = await curriculum_export(request.state.graph, key[:100], fmt)
    if text is None:
        message = f"There is no curriculum {key[:100]!r}."
        return error_page(request, PageError(404, "No such curriculum", message))
    if fmt == "html":
        return HTMLResponse(text)
    headers = {"Content-Disposition": f'inline; filename="{key}.md"'}
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8", headers=headers)


def curriculum_routes() -> list[BaseRoute]:
    """Routes of the trainer pages (they read the schema from ``app.state.schema``)."""
    return [
        Route("/curricula", curricula_list),
        Route("/curricula/{key}", curriculum_view),
        Route("/curricula/{key}/export.{fmt}", export),
        Route("/curricula/{key}/builder", builder, methods=["GET"]),
        Route("/curricula/{key}/builder", builder_post, methods=["POST"]),
        Route("/signin", signin, methods=["GET", "POST"]),
        Route("/signout", signout, methods=["POST"]),
    ]
