"""One-time form submissions: a web form posted twice writes once.

Each form page carries a random submission id. The first post to send it claims it
(``MERGE`` on the id, unique by ``schema/008_pages.cypher``, so two racing posts cannot
both claim it); a later post with the same id finds the claim and what it wrote. A claim
whose write was refused (a field to fix) is released, so the corrected form can be sent
with the same id. Claims older than a day are dropped.

Example:
    >>> claim_submission(graph, "9f...", "token-1", "/lessons/L-0901").claimed
    True
    >>> complete_submission(graph, "9f...", "/lessons/L-0901")
    >>> claim_submission(graph, "9f...", "token-1", "/lessons/L-0901").state
    'done'
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import LiteralString

from kb.graph.db import Graph

_CLAIM: LiteralString = (
    "MERGE (s:FormSubmission {id: $id}) "
    "ON CREATE SET s.claim = $claim, s.tokenId = $token, s.target = $target, "
    "  s.state = 'pending', s.at = datetime() "
    "RETURN s.claim = $claim AS claimed, s.state AS state, s.target AS target, "
    "  s.tokenId AS tokenId"
)
_DONE: LiteralString = (
    "MATCH (s:FormSubmission {id: $id}) SET s.state = 'done', s.target = $target, "
    "s.doneAt = datetime()"
)
_RELEASE: LiteralString = "MATCH (s:FormSubmission {id: $id, state: 'pending'}) DELETE s"
_EXPIRE: LiteralString = (
    "MATCH (s:FormSubmission) WHERE s.at < datetime() - duration('P1D') WITH s LIMIT 100 DELETE s"
)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a submission id: ``claimed`` by this post, or the state
    (``pending`` or ``done``) and the record address of the post that claimed it first,
    by the token ``token_id``."""

    claimed: bool
    state: str
    target: str
    token_id: str


def claim_submission(graph: Graph, submission: str, token_id: str, target: str) -> Claim:
    """Claim ``submission`` for a post by ``token_id`` that will write ``target`` (the
    record's page), or report the post that claimed it first."""
    graph.write(_EXPIRE)
    rows = graph.write(
        _CLAIM, id=submission, claim=secrets.token_hex(8), token=token_id, target=target
    )
    row = rows[0]
    return Claim(bool(row["claimed"]), str(row["state"]), str(row["target"]), str(row["tokenId"]))


def complete_submission(graph: Graph, submission: str, target: str) -> None:
    """Mark ``submission`` as written, at the record page ``target``."""
    graph.write(_DONE, id=submission, target=target)


def release_submission(graph: Graph, submission: str) -> None:
    """Drop a pending claim whose write was refused, so that the form can be sent again."""
    graph.write(_RELEASE, id=submission)
