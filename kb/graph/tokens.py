"""API tokens: stored only as a SHA-256 hash, with a name and a role.

Example:
    >>> token, secret = create_token(graph, "ci", "editor")
    >>> find_token(graph, secret).role
    'editor'
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import LiteralString

from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx
from kb.graph.records import native

ROLES = ("reader", "editor", "admin")

_FIELDS: LiteralString = (
    "t.id AS id, t.name AS name, t.role AS role, t.createdAt AS createdAt, t.revokedAt AS revokedAt"
)


@dataclass(frozen=True)
class ApiToken:
    """A token's record (never its secret)."""

    id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: dict[str, object]) -> ApiToken:
        return cls(
            id=str(row["id"]),
            name=str(row["name"]),
            role=str(row["role"]),
            created_at=native(row["createdAt"]),
            revoked_at=native(row["revokedAt"]),
        )


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(graph: Graph, name: str, role: str, author: str = "cli") -> tuple[ApiToken, str]:
    """A new token and its secret (shown once; only its hash is kept)."""
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not accepted; expected one of {', '.join(ROLES)}")
    if not name.strip():
        raise ValueError("a token needs a non-empty name")
    secret = "kb_" + secrets.token_urlsafe(32)
    token_id = uuid.uuid4().hex[:12]

    def work(tx: Tx) -> ApiToken:
        rows = tx.run(
            "CREATE (t:ApiToken {id: $id, name: $name, role: $role, hash: $hash, createdAt: datetime()}) "
            "RETURN " + _FIELDS,
            id=token_id, name=name.strip(), role=role, hash=hash_secret(secret),
        )  # fmt: skip
        record_changes(tx, "ApiToken", [token_id], "UPSERT", author)
        return ApiToken.of(rows[0])

    return graph.execute_write(work), secret


def list_tokens(graph: Graph) -> list[ApiToken]:
    """Every token, oldest first (revoked ones included)."""
    rows = graph.read("MATCH (t:ApiToken) RETURN " + _FIELDS + " ORDER BY t.createdAt, t.id")
    return [ApiToken.of(row) for row in rows]


def revoke_token(graph: Graph, id_or_name: str, author: str = "cli") -> list[ApiToken]:
    """Revoke the live tokens with this id (or, failing that, this name)."""

    def work(tx: Tx) -> list[ApiToken]:
        rows = tx.run(
            "MATCH (t:ApiToken) WHERE t.revokedAt IS NULL AND (t.id = $key OR t.name = $key) "
            "SET t.revokedAt = datetime() RETURN " + _FIELDS,
            key=id_or_name,
        )
        record_changes(tx, "ApiToken", [str(row["id"]) for row in rows], "UPSERT", author)
        return [ApiToken.of(row) for row in rows]

    return graph.execute_write(work)


def find_token(graph: Graph, secret: str) -> ApiToken | None:
    """The live token with this secret, or None."""
    rows = graph.read(
        "MATCH (t:ApiToken {hash: $hash}) WHERE t.revokedAt IS NULL RETURN " + _FIELDS,
        hash=hash_secret(secret),
    )
    return ApiToken.of(rows[0]) if rows else None


def live_token(graph: Graph, id: str) -> ApiToken | None:
    """The token with this id, unless it was revoked (sessions check it on each request)."""
    rows = graph.read(
        "MATCH (t:ApiToken {id: $id}) WHERE t.revokedAt IS NULL RETURN " + _FIELDS, id=id
    )
    return ApiToken.of(rows[0]) if rows else None
