"""Sign-in for the trainer pages: a token becomes a session in a signed HttpOnly cookie,
and every form carries a CSRF token bound to that session.

The cookie holds the token's id, an expiry and a random nonce, signed with HMAC-SHA256
under a secret key (``KB_SECRET_KEY``, else a random key kept in the data directory
with mode 0600). Each request re-reads the token, so revoking it ends its sessions.

Posted forms are read with :func:`read_form`: whatever a client sends (a file where text
is expected, any charset, text no encoder can write, a megabyte in a one-line field) is
either a clean string or a :class:`FormFieldError` the page answers with a 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kb.api.auth import viewer_for_token_id
from kb.api.context import ANONYMOUS, Viewer
from kb.config import Settings

COOKIE = "kb_session"
LIFETIME = 8 * 3600  # seconds: a working day
#: The longest value of a one-line form field (tokens, keys, titles).
MAX_FIELD = 2000


class FormFieldError(ValueError):
    """A posted form field that cannot be used; the message names it."""


async def read_form(request: Request, limits: Mapping[str, int]) -> dict[str, str]:
    """The text of each field named in ``limits`` (at most that many characters), read
    with :func:`form_text`; the form, and any file the client sent, is closed before this
    returns.

    Raises:
        FormFieldError: a named field cannot be used.
    """
    async with request.form() as form:
        return {name: form_text(form, name, limit) for name, limit in limits.items()}


def form_text(form: FormData, name: str, limit: int = MAX_FIELD) -> str:
    """The text of field ``name`` ("" when absent), at most ``limit`` characters.

    Raises:
        FormFieldError: the field is a file, too long, or holds a lone surrogate
            (what a UTF-7 body can decode to), which nothing downstream can encode.
    """
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FormFieldError(f"the field {name!r} must be text, not a file")
    if len(value) > limit:
        raise FormFieldError(
            f"the field {name!r} holds {len(value)} characters; at most {limit} are accepted"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FormFieldError(f"the field {name!r} is not valid text; send UTF-8") from None
    return value


def same_secret(expected: str, sent: str) -> bool:
    """``sent == expected`` in constant time, for any text (``hmac.compare_digest``
    refuses non-ASCII strings, so both are compared as UTF-8 bytes)."""
    encode = "utf-8", "surrogatepass"
    return hmac.compare_digest(expected.encode(*encode), sent.encode(*encode))


def secret_key(settings: Settings) -> bytes:
    """The key that signs sessions: ``KB_SECRET_KEY``, or one kept in the data dir."""
    configured = os.environ.get("KB_SECRET_KEY")
    if configured:
        return configured.encode()
    path = Path(settings.data_dir) / "web-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def _sign(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Session:
    """A signed-in trainer: who, until when, and the nonce CSRF tokens derive from."""

    token_id: str
    expires: int
    nonce: str

    def encode(self, key: bytes) -> str:
        raw = json.dumps({"t": self.token_id, "e": self.expires, "n": self.nonce}).encode()
        body = base64.urlsafe_b64encode(raw).decode()
        return f"{body}.{_sign(key, raw)}"

    @classmethod
    def decode(cls, value: str, key: bytes) -> Session | None:
        body, _, signature = value.partition(".")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            if not hmac.compare_digest(signature, _sign(key, raw)):
                return None
            data = json.loads(raw)
            return cls(str(data["t"]), int(data["e"]), str(data["n"]))
        except (ValueError, KeyError, TypeError):
            return None

    def csrf(self, key: bytes) -> str:
        """The CSRF token every form of this session must send back."""
        return _sign(key, f"csrf:{self.nonce}".encode())

    @property
    def expired(self) -> bool:
        return self.expires < time.time()


def new_session(token_id: str) -> Session:
    return Session(token_id, int(time.time()) + LIFETIME, secrets.token_hex(16))


def set_cookie(response: Response, session: Session, key: bytes, secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        session.encode(key),
        max_age=LIFETIME,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )


@dataclass(frozen=True)
class SignedIn:
    """What a page knows of the person: the session (if any) and the viewer it maps to."""

    session: Session | None
    viewer: Viewer
    expired: bool = False


async def current(request: Request, key: bytes) -> SignedIn:
    """The session in the request's cookie, checked: signature, expiry, token still live
    (asked of the API's :func:`~kb.api.auth.viewer_for_token_id`, on the request's graph)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return SignedIn(None, ANONYMOUS)
    session = Session.decode(value, key)
    if session is None:
        return SignedIn(None, ANONYMOUS)
    if session.expired:
        return SignedIn(None, ANONYMOUS, expired=True)
    viewer = await viewer_for_token_id(request.state.graph, session.token_id)
    if viewer is None:
        return SignedIn(None, ANONYMOUS, expired=True)
    return SignedIn(session, viewer)


def csrf_ok(signed_in: SignedIn, key: bytes, sent: str | None) -> bool:
    """True when ``sent`` is this session's CSRF token."""
    if signed_in.session is None or not sent:
        return False
    return same_secret(signed_in.session.csrf(key), sent)
