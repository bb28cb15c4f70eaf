"""Safe deletes: a node others depend on stays unless an admin detaches it, and nothing
is ever left pointing at nothing.

A delete runs in one write transaction that first takes the node's write lock (so two
requests deleting the same node at once are ordered: the second finds it gone), checks
who created it (editors delete only their own), lists the nodes holding a link to it
(:data:`kb.graph.writes.DEPENDENT_LINKS`) and refuses while there are any. With
``detach`` those links are removed first (each holder gets a change entry, so the search
index sees it), except links a holder cannot be without (a contract's alliance, a
lesson's state): those holders must be moved or deleted first. The delete itself is
recorded in the change log like any write, with the record's title and links as they
were (:mod:`kb.graph.tombstones`), for the feeds and the change stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import LiteralString

from neo4j.exceptions import ClientError

from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx
from kb.graph.tombstones import keep, snapshot
from kb.graph.writes import DEPENDENT_LINKS, LinkSpec, MissingNodeError, WriteError

#: The labels the API deletes (curricula have their own store).
DELETABLE: tuple[LiteralString, ...] = ("Alliance", "Contract", "Category", "Practice", "Lesson")

_LOCK: dict[str, LiteralString] = {
    label: "MATCH (n:" + label + " {id: $id}) SET n.deletedBy = $author "
    "RETURN n.createdBy AS createdBy"
    for label in DELETABLE
}
_STILL_THERE: dict[str, LiteralString] = {
    label: "MATCH (n:" + label + " {id: $id}) RETURN count(n) AS n" for label in DELETABLE
}
_DELETE: dict[str, LiteralString] = {
    label: "MATCH (n:" + label + " {id: $id}) DETACH DELETE n RETURN count(*) AS n"
    for label in DELETABLE
}
_REL = re.compile(r"x:([A-Z_]+)")


@dataclass(frozen=True)
class Dependent:
    """Nodes of one label holding one kind of link to the node being deleted."""

    label: str
    relationship: str
    count: int
    keys: tuple[str, ...]
    required: bool

    def describe(self) -> str:
        shown = ", ".join(repr(k) for k in self.keys)
        more = f" and {self.count - len(self.keys)} more" if self.count > len(self.keys) else ""
        return f"{self.count} {self.label} ({self.relationship}: {shown}{more})"


class NotOwnerError(WriteError):
    """The viewer may delete only what it created, and did not create this."""


class DependentsError(WriteError):
    """Other nodes depend on the node; ``dependents`` lists them."""

    def __init__(self, message: str, dependents: list[Dependent]) -> None:
        super().__init__(message, "input.id")
        self.dependents = dependents


class ConcurrentDeleteError(MissingNodeError):
    """Another transaction deleted the node while this one was deleting it."""


def _links_to(label: str) -> list[LinkSpec]:
    return [link for link in DEPENDENT_LINKS if link.target == label]


def _dependents(tx: Tx, label: str, key: str) -> list[tuple[LinkSpec, Dependent]]:
    found = []
    for link in _links_to(label):
        row = tx.run(link.holders, id=key)[0]
        if row["count"]:
            match = _REL.search(link.pattern)
            rel = match.group(1) if match else "?"
            dependent = Dependent(
                link.holder, rel, int(row["count"]), tuple(row["keys"]), link.required
            )
            found.append((link, dependent))
    return found


def _refuse(label: str, key: str, dependents: list[Dependent], detach: bool) -> None:
    listed = "; ".join(d.describe() for d in dependents)
    if detach:
        message = (
            f"the {label} {key!r} cannot be detached: {listed} cannot be without it; "
            "point them at another one or delete them first"
        )
    else:
        message = (
            f"the {label} {key!r} is still used by {listed}; remove those links first, "
            "or, as an admin, delete with detach: true"
        )
    raise DependentsError(message, dependents)


def delete_node(
    graph: Graph, label: str, key: str, author: str, owner: str | None = None,
    detach: bool = False,
) -> list[Dependent]:  # fmt: skip
    """Delete the ``label`` node ``key``; returns the links removed with it (``detach``).

    Raises MissingNodeError when it is absent (or another request deleted it first),
    NotOwnerError when ``owner`` is given and did not create it, DependentsError when
    others depend on it (always, for holders that need it)."""
    if label not in _LOCK:
        raise WriteError(f"a {label} cannot be deleted here", "input.id")

    def work(tx: Tx) -> list[Dependent]:
        rows = tx.run(_LOCK[label], id=key, author=author)
        if not rows:
            raise MissingNodeError(f"there is no {label} {key!r}", "input.id")
        # The lock may have been granted only once another transaction had deleted the
        # node; a new statement sees what that one committed.
        if not tx.run(_STILL_THERE[label], id=key)[0]["n"]:
            raise _raced(label, key)
        if owner is not None and rows[0]["createdBy"] != owner:
            raise _not_owner(label, key, rows[0]["createdBy"], owner)
        found = _dependents(tx, label, key)
        tombstone = snapshot(tx, label, key)  # before any link goes: feeds need them
        required = [d for _, d in found if d.required]
        if required or (found and not detach):
            _refuse(label, key, required if detach else [d for _, d in found], detach)
        for link, _ in found:
            holders = tx.run(link.detach, id=key)[0]["keys"]
            record_changes(tx, link.holder, sorted(holders), "UPSERT", author)
        if not tx.run(_DELETE[label], id=key)[0]["n"]:
            raise _raced(label, key)
        record_changes(tx, label, [key], "DELETE", author)
        if tombstone is not None:
            keep(tx, label, key, tombstone)
        return [d for _, d in found]

    try:
        return graph.execute_write(work)
    except ClientError as error:
        # The same race, seen by Neo4j itself (an entity gone under the statement).
        if "EntityNotFound" in str(error.code):
            raise _raced(label, key) from None
        raise


def _raced(label: str, key: str) -> ConcurrentDeleteError:
    return ConcurrentDeleteError(
        f"there is no {label} {key!r}: another request deleted it at the same time", "input.id"
    )


_CREATOR: LiteralString = (
    "MATCH (n {id: $id}) WHERE $label IN labels(n) RETURN n.createdBy AS createdBy"
)


def check_owner(graph: Graph, label: str, key: str, owner: str) -> None:
    """NotOwnerError unless ``owner`` created the ``label`` node ``key`` (for stores that
    delete by themselves, e.g. curricula; an absent node passes, the delete reports it)."""
    rows = graph.read(_CREATOR, id=key, label=label)
    if rows and rows[0]["createdBy"] != owner:
        raise _not_owner(label, key, rows[0]["createdBy"], owner)


def _not_owner(label: str, key: str, creator: str | None, owner: str) -> NotOwnerError:
    return NotOwnerError(
        f"the {label} {key!r} was created by {creator or 'the seed data'}, not {owner}; "
        "an editor deletes only what it created (an admin may delete any)",
        "input.id",
    )
