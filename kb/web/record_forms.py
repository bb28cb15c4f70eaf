"""Forms for editors to submit and edit lessons and practices from the web.

The form posts become the ``createLesson`` / ``updateLesson`` / ``createPractice`` /
``updatePractice`` mutations, executed in-process as the signed-in editor: the checks
are the API's own (``plan_node`` and the graph's refusals), and each problem the API
names (``extensions.fields``) is shown next to its field. Every post carries the
session's CSRF token; a reader cannot sign in, so cannot post. After a write the search
index catches up before the redirect, so the new record is found at once.

Each form page also carries a one-time submission id (:mod:`kb.api.submissions`): a form
sent twice (a double click, a reload that re-posts, two tabs) writes once, and the
second post is redirected to the record, or told that the first is still being saved. A
post without a live session is a 401 page and one over
:data:`~kb.web.forms_common.MAX_FORM_BYTES` a 413 page; neither writes anything.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kb.api import submissions
from kb.domain.vocabularies import FocusArea
from kb.web import queries
from kb.web.forms_common import (
    PostedForm,
    check_csrf,
    csrf_for,
    not_signed_in,
    read_bounded_form,
    run_as,
    signed_in_of,
    to_signin,
)
from kb.web.pages import PageError, error_page, render, run_query
from kb.web.session import MAX_FIELD, SignedIn

LONG = 20_000  # characters of a multi-line field (the API refuses what is too long)
#: A submission id: what :func:`secrets.token_hex` makes of 16 bytes.
SUBMISSION = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Field:
    """One form field: its GraphQL input name, label, and kind: ``text``, ``area``,
    ``date``, ``choice`` (of ``options``), ``list`` (comma-separated words), ``ref`` or
    ``refs`` (keys of ``node`` nodes, sent as global IDs), ``check`` (a checkbox)."""

    name: str
    label: str
    kind: str = "text"
    options: tuple[str, ...] = ()
    node: str = ""
    hint: str = ""


@dataclass(frozen=True)
class RecordForm:
    """The forms of one kind of record."""

    label: str  # Lesson, Practice
    key: Field
    fields: tuple[Field, ...]
    path: str  # /lessons
    document: str  # the record page's query (for the current values)
    field: str  # its root field
    param: str  # its key variable

    def current(self, item: dict[str, Any]) -> dict[str, str]:
        """The form's values for a record as the page query returns it."""
        values: dict[str, str] = {}
        for f in self.fields:
            value = item.get(f.name)
            if f.kind == "ref":
                value = (value or {}).get("code") or (value or {}).get("slug")
            elif f.kind == "refs":
                nodes = (value or {}).get("nodes", [])
                value = ", ".join(n.get("code") or n.get("slug") for n in nodes)
            elif f.kind == "list":
                value = ", ".join(value or [])
            elif f.kind == "check":
                value = "true" if value else ""
            values[f.name] = "" if value is None else str(value)
        return values


def _global_id(label: str, key: str) -> str:
    return base64.b64encode(f"{label}:{key}".encode()).decode()


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def _input(form: RecordForm, values: PostedForm, creating: bool) -> dict[str, Any]:
    """The mutation's input: every non-empty field, as the API expects it. On an edit, a
    field the form sent empty is cleared (``null``, or no links); one it did not send at
    all keeps its value."""
    result: dict[str, Any] = {}
    for f in form.fields:
        text = values[f.name].strip()
        if f.kind == "check":
            if f.name in values.present:
                result[f.name] = text == "true"
            continue
        if not text:
            if not creating and f.name in values.present:
                result[f.name] = [] if f.kind in ("list", "refs") else None
            continue
        if f.kind == "list":
            result[f.name] = _words(text)
        elif f.kind == "ref":
            result[f.name] = _global_id(f.node, text)
        elif f.kind == "refs":
            result[f.name] = [_global_id(f.node, key) for key in _words(text)]
        else:
            result[f.name] = text
    return result


_AT = re.compile(r"at '?input\.(\w+)")


def _problems(errors: list[Any]) -> tuple[dict[str, str], list[str]]:
    """The API's problems by form field, and those that name no field."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for error in errors:
        fields = (error.extensions or {}).get("fields") or []
        for problem in fields:
            name = str(problem["field"]).removeprefix("input.").split(".")[0]
            by_field.setdefault(name, str(problem["message"]))
        if not fields:
            named = str((error.extensions or {}).get("field") or "")
            found = _AT.search(error.message)
            if named.startswith("input."):
                by_field.setdefault(named.removeprefix("input.").split(".")[0], error.message)
            elif found:
                by_field.setdefault(found.group(1), error.message)
            else:
                general.append(error.message)
    return by_field, general


def _mutation(form: RecordForm, creating: bool) -> str:
    verb = "create" if creating else "update"
    key = form.key.name
    return (
        f"mutation($input: {verb.capitalize()}{form.label}Input!) "
        f"{{ {verb}{form.label}(input: $input) {{ {form.label.lower()} {{ {key}: key }} }} }}"
    )


async def _existing(request: Request, form: RecordForm, key: str) -> dict[str, str]:
    if len(key) > 100:
        raise PageError(400, "That address is too long", "Keys are at most 100 characters.")
    schema = request.app.state.schema
    data = await run_query(request, schema, form.document, {form.param: key})
    item = data.get(form.field)
    if item is None:
        raise PageError(
            404, f"No such {form.field}", f"There is no {form.field} {key!r} in the knowledge base."
        )
    return form.current(item)


def _show(
    request: Request,
    form: RecordForm,
    csrf: str,
    values: dict[str, str],
    key: str | None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    submission: str | None = None,
) -> Response:
    title = f"Edit {form.label.lower()} {key}" if key else f"New {form.label.lower()}"
    shown = form.fields if key else (form.key, *form.fields)
    errors = dict(errors or {})
    # A problem with a field the form does not show is said above the form, by name.
    general = list(general or []) + [
        f"{name}: {errors.pop(name)}"
        for name in list(errors)
        if name not in {f.name for f in shown}
    ]
    return render(
        request,
        "record_form.html",
        422 if errors or general else 200,
        title=title,
        form=form,
        fields=shown,
        values=values,
        errors=errors,
        general=general,
        csrf=csrf,
        submission=submission or secrets.token_hex(16),
        action=_here(form, key),
        back=f"{form.path}/{quote(key)}" if key else form.path,
    )


def _here(form: RecordForm, key: str | None) -> str:
    return f"{form.path}/{quote(key)}/edit" if key else f"{form.path}/new"


def _limits(form: RecordForm, creating: bool) -> dict[str, int]:
    limits = {f.name: LONG if f.kind == "area" else MAX_FIELD for f in form.fields}
    limits["csrf"] = limits["submission"] = MAX_FIELD
    if creating:
        limits[form.key.name] = MAX_FIELD
    return limits


def _check_post(request: Request, signed_in: SignedIn, sent: PostedForm) -> str:
    """The post's submission id, once its CSRF token and the id itself are checked."""
    check_csrf(request, signed_in, sent["csrf"])
    submission = sent["submission"]
    if not SUBMISSION.fullmatch(submission):
        raise PageError(
            400,
            "This form is incomplete",
            f"The form's submission id {submission[:40]!r} is not one this site makes "
            "(32 hexadecimal digits); nothing was saved. Reload the page and try again.",
        )
    return submission


async def _claim(request: Request, signed_in: SignedIn, submission: str, target: str) -> None:
    """Claim the submission for this post; a post of a form already sent raises a
    :class:`_Sent` (to the record) or a :class:`PageError` (still being saved)."""
    assert signed_in.session is not None
    token = signed_in.session.token_id
    claim = await submissions.claim(request.state.graph, submission, token, target)
    if claim.claimed:
        return
    if claim.token_id != token:
        raise PageError(
            400,
            "This form belongs to another session",
            "Its submission id was sent from another sign-in; nothing was saved. "
            "Reload the page and try again.",
        )
    if claim.state == "done":
        raise _Sent(claim.target)
    raise PageError(
        409,
        "This form is already being saved",
        f"The same form was sent a moment ago and is still being saved; it is saved once. "
        f"Open {claim.target} in a few seconds.",
    )


class _Sent(Exception):
    """A form that was saved already: the answer is a redirect to its record."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def form_page(form: RecordForm, creating: bool) -> Any:
    """The handler of ``/<kind>/new`` or ``/<kind>/<key>/edit`` (GET shows, POST saves)."""

    async def page(request: Request) -> Response:
        key = None if creating else str(request.path_params["key"])
        here = _here(form, key)
        signed_in = await signed_in_of(request)
        try:
            if signed_in.session is None:
                if request.method == "GET":
                    return to_signin(request, here, signed_in.expired)
                raise not_signed_in(here, signed_in.expired)
            blank = {f.name: "" for f in (form.key, *form.fields)}
            values = blank if key is None else await _existing(request, form, key)
            if request.method == "GET":
                return _show(request, form, csrf_for(request, signed_in), values, key)
            sent = await read_bounded_form(request, _limits(form, creating))
            submission = _check_post(request, signed_in, sent)
            record = sent[form.key.name].strip() if creating else str(key)
            await _claim(request, signed_in, submission, f"{form.path}/{quote(record)}")
        except PageError as error:
            return error_page(request, error)
        except _Sent as sent_before:
            return RedirectResponse(sent_before.target, status_code=303)
        variables = _input(form, sent, creating)
        if creating:
            variables[form.key.name] = record
        else:
            variables["id"] = _global_id(form.label, record)
        try:
            result = await run_as(
                request, signed_in.viewer, _mutation(form, creating), {"input": variables}
            )
        except Exception:
            await submissions.release(request.state.graph, submission)
            raise
        if result.errors:
            await submissions.release(request.state.graph, submission)
            errors, general = _problems(result.errors)
            if creating and "key" in errors and form.key.name != "key":
                errors[form.key.name] = errors.pop("key")
            csrf = csrf_for(request, signed_in)
            return _show(request, form, csrf, sent, key, errors, general, submission)
        saved = result.data[f"{'create' if creating else 'update'}{form.label}"]
        target = f"{form.path}/{quote(saved[form.label.lower()][form.key.name])}"
        await submissions.complete(request.state.graph, submission, target)
        search = getattr(request.state, "search", None)
        if search is not None:
            await run_in_threadpool(search.catch_up)
        return RedirectResponse(target, status_code=303)

    return page


#: The focus areas as the API names them.
FOCUS_AREAS = tuple(area.name for area in FocusArea)
ILLUSTRATIVE = Field(
    "illustrative", "Illustrative", "check", hint="Tick when no public source confirms it."
)


LESSON_FORM = RecordForm(
    label="Lesson",
    key=Field("key", "Lesson id", hint="For example L-0101."),
    fields=(
        Field("title", "Title"),
        Field("context", "What happened", "area"),
        Field("lesson", "What was learned", "area"),
        Field("recommendation", "What to do next time", "area"),
        Field("recordedOn", "Recorded on", "date"),
        Field("status", "Status", "choice", ("OBSERVATION", "LESSON_IDENTIFIED", "LESSON_LEARNED")),
        Field("tags", "Tags", "list", hint="Separated by commas."),
        Field("state", "State", "ref", node="State", hint="A state code, e.g. UT."),
        Field("practice", "Practice", "ref", node="Practice", hint="A practice slug."),
        Field("categories", "Categories", "refs", node="Category", hint="Codes, e.g. 920, 209."),
        Field("alliances", "Alliances", "refs", node="Alliance", hint="Slugs, e.g. sourcewell."),
        Field("contracts", "Contracts", "refs", node="Contract", hint="Contract slugs."),
        Field("source", "Source", hint="A public address a reader can open."),
        ILLUSTRATIVE,
    ),
    path="/lessons",
    document=queries.LESSON,
    field="lesson",
    param="id",
)

PRACTICE_FORM = RecordForm(
    label="Practice",
    key=Field("slug", "Slug", hint="Lower-case letters, digits and hyphens."),
    fields=(
        Field("title", "Title"),
        Field("summary", "Summary", "area"),
        Field("body", "Body (Markdown)", "area"),
        Field("focusArea", "Focus area", "choice", FOCUS_AREAS),
        Field("tags", "Tags", "list", hint="Separated by commas."),
        Field("publishedOn", "Published on", "date"),
        Field("states", "Shared by states", "refs", node="State", hint="Codes, e.g. UT, CO."),
        Field("categories", "Categories", "refs", node="Category", hint="Codes, e.g. 920."),
        Field("alliances", "Shared by alliances", "refs", node="Alliance", hint="Slugs."),
        Field("contracts", "Contracts it references", "refs", node="Contract", hint="Slugs."),
        Field("related", "Related practices", "refs", node="Practice", hint="Practice slugs."),
        Field("prerequisites", "Read first", "refs", node="Practice", hint="Practice slugs."),
        Field("source", "Source", hint="A public address a reader can open."),
        ILLUSTRATIVE,
    ),
    path="/practices",
    document=queries.PRACTICE,
    field="practice",
    param="slug",
)


def record_form_routes() -> list[BaseRoute]:
    """The new and edit forms; they go before the record pages (``/lessons/new``)."""
    routes: list[BaseRoute] = []
    for form in (LESSON_FORM, PRACTICE_FORM):
        methods = ["GET", "POST"]
        routes.append(Route(f"{form.path}/new", form_page(form, True), methods=methods))
        routes.append(Route(f"{form.path}/{{key}}/edit", form_page(form, False), methods=methods))
    return routes
