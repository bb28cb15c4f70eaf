"""What every signed-in form of the pages shares: the session, running GraphQL as the
signed-in viewer, the way back to ``/signin``, and reading a posted form within a size
bound.

The curriculum builder (:mod:`kb.web.curriculum_pages`), the record forms
(:mod:`kb.web.record_forms`) and the saved searches (:mod:`kb.web.saved_searches`) build
on these, so that none of them imports another's internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Message

from kb.api.context import Context, Viewer
from kb.api.schema import Schema
from kb.web.pages import PageError
from kb.web.session import FormFieldError, SignedIn, csrf_ok, current, form_text, secret_key

#: The largest form body a page reads (bytes); a bigger post is a 413 page, unread.
MAX_FORM_BYTES = 512 * 1024


def session_key(request: Request) -> bytes:
    """The key that signs this site's sessions."""
    return secret_key(request.state.settings)


async def signed_in_of(request: Request) -> SignedIn:
    """Who sent ``request`` (see :func:`kb.web.session.current`)."""
    return await current(request, session_key(request))


def csrf_for(request: Request, who: SignedIn) -> str:
    """The CSRF token the forms of ``who``'s session carry ("" when not signed in)."""
    return who.session.csrf(session_key(request)) if who.session else ""


async def run_as(request: Request, viewer: Viewer, document: str, variables: dict[str, Any]) -> Any:
    """Run ``document`` as ``viewer`` (:func:`kb.web.pages.run_query` runs as nobody) and
    return the execution result, errors included."""
    context = Context(
        request.state.graph, request.state.settings, viewer, getattr(request.state, "search", None)
    )
    schema: Schema = request.app.state.schema
    return await schema.execute(document, variable_values=variables, context_value=context)


def to_signin(request: Request, back: str, expired: bool) -> Response:
    """A redirect to ``/signin`` that comes back to ``back`` (saying why, when the
    session has expired)."""
    query = {"next": back}
    if expired:
        query["message"] = "Your session has expired; sign in again."
    return RedirectResponse(f"/signin?{urlencode(query)}", status_code=303)


def check_csrf(request: Request, who: SignedIn, sent: str) -> None:
    """Refuse (403) a post whose CSRF token is not ``who``'s session's.

    Raises:
        PageError: the token is missing or wrong.
    """
    if not csrf_ok(who, session_key(request), sent):
        raise PageError(
            403,
            "This form has expired",
            "The form's security token is missing or wrong; nothing was saved. "
            "Reload the page and try again.",
        )


def not_signed_in(back: str, expired: bool) -> PageError:
    """The 401 page of a form posted without a live session: nothing was saved, and a
    sign-in link that comes back to the form."""
    link = f"/signin?{urlencode({'next': back})}"
    why = "Your session has expired" if expired else "You are not signed in"
    return PageError(
        401,
        "Sign in again to save" if expired else "Sign in to save",
        f"{why}; nothing was saved. Sign in at {link} and send the form again.",
    )


def unreadable(error: FormFieldError) -> PageError:
    """The 400 page of a form field that cannot be used (the message names it)."""
    text = str(error)
    return PageError(400, "That form cannot be read", f"{text[:1].upper()}{text[1:]}.")


def too_large(size: int | None, limit: int) -> PageError:
    """The 413 page of a form over ``limit`` bytes."""
    told = f"{size} bytes" if size is not None else f"over {limit} bytes"
    return PageError(
        413,
        "That form is too large",
        f"The form sent {told}; at most {limit} bytes are accepted, so nothing was saved. "
        "Shorten the longest fields and send it again.",
    )


class PostedForm(dict[str, str]):
    """The text of each field a page reads ("" when absent), and which were ``present``."""

    present: frozenset[str] = frozenset()


async def read_bounded_form(
    request: Request, limits: Mapping[str, int], max_bytes: int = MAX_FORM_BYTES
) -> PostedForm:
    """The fields named in ``limits``, each read with :func:`kb.web.session.form_text`,
    from a body of at most ``max_bytes``: a declared ``Content-Length`` over it is refused
    before anything is read, and a body sent without one is read no further than the bound.

    Raises:
        PageError: 413 for a body over ``max_bytes``, 400 for a field that cannot be used.
    """
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise too_large(int(declared), max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(None, max_bytes)
        chunks.append(chunk)
    body = b"".join(chunks)

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(request.scope, replay).form() as form:
            posted = PostedForm({name: form_text(form, name, n) for name, n in limits.items()})
            posted.present = frozenset(name for name in limits if name in form)
    except FormFieldError as error:
        raise unreadable(error) from None
    return posted
