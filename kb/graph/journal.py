"""The undo journal of a bulk write (an import or a seed) committed batch by batch.

A bulk write too large for one transaction goes in as a series of batches, each its own
transaction. So that a failure leaves nothing half-written, each batch also writes, in
its own transaction, what it takes to undo it:

- an ``ImportBatch`` node naming the keys the batch created;
- for each existing record the batch changes, an ``ImportUndo`` node holding a copy of
  its properties, and one ``ImportUndoLink`` node per link the batch replaces (type,
  end nodes, properties), or per membership whose properties it changes.

The ``Import`` node says where the write stands: ``writing`` while batches go in (with a
heartbeat, the host and the process id), ``committed`` once every batch is in. Setting
``committed`` is the commit point, a one-node write; after it, the journal is garbage
to delete. Rolling back undoes batches newest first, each in one transaction that also
deletes that batch's journal and records the change entries of the undo, so an
interrupted rollback resumes where it stopped and the search index follows.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx
from kb.graph.load_writes import KEYS, clear_links
from kb.graph.tombstones import keep_all, snapshot_all

#: The pseudo-label of a batch of MEMBER_OF relationships (keys are ``state|alliance``).
MEMBERSHIP = "MEMBER_OF"

#: Links each label owns: those a load removes and writes again (see kb.graph.load_writes).
_OWNED: dict[str, list[str]] = {
    "State": [],
    "Alliance": ["(n)-[x:ARM_OF]->()"],
    "Category": ["(n)-[x:CHILD_OF]->()"],
    "Contract": ["(n)-[x:AWARDED|LEADS|PARTICIPATES_IN|COVERS]-()"],
    "Practice": [
        "(n)-[x:SHARED_BY|APPLIES_TO|REFERENCES|RELATED_TO]->()",
        "()-[x:PREREQUISITE_OF]->(n)",
    ],
    "Vendor": ["(n)-[x:AWARDED_UNDER]->()"],
    "Lesson": ["(n)-[x:FROM|ABOUT|PART_OF]->()"],
}

# The statements are built from the fixed tables above, never from input (mypy treats
# LiteralString as str).
_PRESENT = {
    label: f"UNWIND $rows AS r OPTIONAL MATCH (n:{label} {{{key}: r.id}}) "
    "RETURN r.id AS id, n IS NOT NULL AS present, "
    "coalesce(n.seedHash = r.hash, false) AND NOT coalesce(r.force, false) AS same"
    for label, key in KEYS.items()
}
_PRESENT[MEMBERSHIP] = (
    "UNWIND $rows AS r OPTIONAL MATCH (:State {id: r.state})-[m:MEMBER_OF]->(:Alliance {id: r.alliance}) "
    "RETURN r.state + '|' + r.alliance AS id, m IS NOT NULL AS present, "
    "coalesce(m.seedHash = r.hash, false) AND NOT coalesce(r.force, false) AS same"
)
_UNDO = "undoImport: $import, undoBatch: $batch"
_SNAPSHOT_NODES = {
    label: f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) CREATE (u:ImportUndo) "
    f"SET u += properties(n), u += {{{_UNDO}, undoNode: elementId(n), undoKey: k}}"
    for label, key in KEYS.items()
}
_SNAPSHOT_LINKS = {
    label: [
        f"UNWIND $keys AS k MATCH (n:{label} {{{KEYS[label]}: k}}) MATCH {pattern} "
        f"CREATE (v:ImportUndoLink) SET v += properties(x), v += {{{_UNDO}, undoType: type(x), "
        "undoStart: elementId(startNode(x)), undoEnd: elementId(endNode(x))}"
        for pattern in patterns
    ]
    for label, patterns in _OWNED.items()
}
_SNAPSHOT_LINKS[MEMBERSHIP] = [
    "UNWIND $keys AS k WITH split(k, '|') AS p "
    "MATCH (:State {id: p[0]})-[m:MEMBER_OF]->(:Alliance {id: p[1]}) "
    f"CREATE (v:ImportUndoLink) SET v += properties(m), v += {{{_UNDO}, undoRel: elementId(m)}}"
]
_DELETE_CREATED = {
    label: f"MATCH (n:{label}) WHERE n.{key} IN $keys DETACH DELETE n"
    for label, key in KEYS.items()
}
_DELETE_CREATED[MEMBERSHIP] = (
    "UNWIND $keys AS k WITH split(k, '|') AS p "
    "MATCH (:State {id: p[0]})-[m:MEMBER_OF]->(:Alliance {id: p[1]}) DELETE m"
)
_RESTORE_NODES = (
    "MATCH (u:ImportUndo {undoImport: $import, undoBatch: $batch}) "
    "MATCH (n) WHERE elementId(n) = u.undoNode "
    "SET n = u {.*, undoImport: null, undoBatch: null, undoNode: null, undoKey: null} "
    "RETURN n.id AS id"
)
_RESTORE_LINKS = (
    "MATCH (v:ImportUndoLink {undoImport: $import, undoBatch: $batch}) WHERE v.undoRel IS NULL "
    "MATCH (a) WHERE elementId(a) = v.undoStart MATCH (b) WHERE elementId(b) = v.undoEnd "
    "CREATE (a)-[x:$(v.undoType)]->(b) "
    "SET x = v {.*, undoImport: null, undoBatch: null, undoType: null, undoStart: null, undoEnd: null}"
)
_RESTORE_RELS = (
    "MATCH (v:ImportUndoLink {undoImport: $import, undoBatch: $batch}) WHERE v.undoRel IS NOT NULL "
    "MATCH ()-[m]->() WHERE elementId(m) = v.undoRel "
    "SET m = v {.*, undoImport: null, undoBatch: null, undoRel: null} "
    "RETURN startNode(m).id AS state, endNode(m).id AS alliance"
)
_FORGET_BATCH = [
    "MATCH (u:ImportUndo {undoImport: $import, undoBatch: $batch}) DELETE u",
    "MATCH (v:ImportUndoLink {undoImport: $import, undoBatch: $batch}) DELETE v",
    "MATCH (b:ImportBatch {importId: $import, number: $batch}) DELETE b",
]
_GARBAGE = [
    "MATCH (u:ImportUndo {undoImport: $import}) WITH u LIMIT $limit DELETE u RETURN count(*) AS n",
    "MATCH (v:ImportUndoLink {undoImport: $import}) WITH v LIMIT $limit DELETE v RETURN count(*) AS n",
    "MATCH (b:ImportBatch {importId: $import}) WITH b LIMIT $limit DELETE b RETURN count(*) AS n",
]


class ImportAbortedError(RuntimeError):
    """The bulk write's ``Import`` node is gone or no longer ``writing``: another process
    judged it dead and rolled it back."""


def begin(graph: Graph, kind: str, source: str) -> str:
    """Open a bulk write; returns its id (also the ``importId`` of its journal)."""
    import_id = uuid.uuid4().hex[:16]
    graph.write(
        "CREATE (:Import {id: $id, kind: $kind, source: $source, status: 'writing', "
        "host: $host, pid: $pid, startedAt: datetime(), heartbeat: datetime(), batches: 0})",
        id=import_id,
        kind=kind,
        source=source,
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    return import_id


def heartbeat(tx: Tx, import_id: str, number: int) -> None:
    """Mark the write alive (first statement of each batch; it also locks the node, so a
    concurrent recovery waits for the batch)."""
    rows = tx.run(
        "MATCH (i:Import {id: $id}) WHERE i.status = 'writing' "
        "SET i.heartbeat = datetime(), i.batches = $number RETURN i.id AS id",
        id=import_id,
        number=number,
    )
    if not rows:
        raise ImportAbortedError(f"import {import_id} was rolled back by another process")


def record_batch(
    tx: Tx, import_id: str, number: int, label: str, where: str, rows: list[dict[str, Any]]
) -> int:
    """Journal batch ``number`` before it is written; returns how many keys are new."""
    created: list[str] = []
    changed: list[str] = []
    for row in tx.run(_PRESENT[label], rows=rows):
        if not row["present"]:
            created.append(row["id"])
        elif not row["same"]:
            changed.append(row["id"])
    params = {"import": import_id, "batch": number, "keys": changed}
    if changed:
        if label != MEMBERSHIP:
            tx.run(_SNAPSHOT_NODES[label], **params)
        for query in _SNAPSHOT_LINKS[label]:
            tx.run(query, **params)
    tx.run(
        "CREATE (:ImportBatch {importId: $import, number: $batch, label: $label, "
        "where: $where, created: $created})",
        created=created,
        label=label,
        where=where,
        **{"import": import_id, "batch": number},
    )
    return len(created)


def commit(graph: Graph, import_id: str) -> None:
    """The commit point: every batch is in."""
    rows = graph.write(
        "MATCH (i:Import {id: $id}) WHERE i.status = 'writing' "
        "SET i.status = 'committed' RETURN i.id AS id",
        id=import_id,
    )
    if not rows:
        raise ImportAbortedError(f"import {import_id} was rolled back by another process")


def forget(graph: Graph, import_id: str, limit: int = 5000) -> None:
    """Delete the journal of a committed write, in bounded transactions, then its node."""
    for query in _GARBAGE:
        while graph.write(query, limit=limit, **{"import": import_id})[0]["n"]:
            pass
    graph.write("MATCH (i:Import {id: $id}) DELETE i", id=import_id)


def roll_back(graph: Graph, import_id: str, author: str, timeout: float | None = None) -> str:
    """Undo every batch of a write that did not commit, newest first.

    Returns ``"rolled back"``, or ``"committed"`` when the write turned out to have
    reached its commit point (then it is kept, and its journal deleted).
    """
    status = graph.write(
        "MATCH (i:Import {id: $id}) SET i.status = CASE i.status WHEN 'committed' "
        "THEN 'committed' ELSE 'failed' END RETURN i.status AS status",
        id=import_id,
    )
    if status and status[0]["status"] == "committed":
        forget(graph, import_id)
        return "committed"
    numbers = graph.read(
        "MATCH (b:ImportBatch {importId: $id}) RETURN b.number AS n ORDER BY n DESC", id=import_id
    )
    for row in numbers:

        def undo(tx: Tx, number: int = row["n"]) -> None:
            _undo_batch(tx, import_id, number, author)

        graph.execute_write(undo, timeout=timeout)
    forget(graph, import_id)
    return "rolled back"


def _undo_batch(tx: Tx, import_id: str, number: int, author: str) -> None:
    params = {"import": import_id, "batch": number}
    found = tx.run(
        "MATCH (b:ImportBatch {importId: $import, number: $batch}) "
        "RETURN b.label AS label, b.created AS created",
        **params,
    )
    if not found:
        return  # undone by an earlier, interrupted rollback
    label, created = found[0]["label"], list(found[0]["created"])
    # What the created records were linked to, kept on their DELETE entries below, so
    # feeds and filtered subscribers learn of the undo as they learnt of the creation.
    tombstones = snapshot_all(tx, label, created)
    if created:
        tx.run(_DELETE_CREATED[label], keys=created)
    if label == MEMBERSHIP:
        ends = [key.split("|", 1) for key in created]
        ends += [[row["state"], row["alliance"]] for row in tx.run(_RESTORE_RELS, **params)]
        # Both ends of each membership put back: readers of either learn of it.
        record_changes(tx, "State", sorted({end[0] for end in ends}), "UPSERT", author)
        record_changes(tx, "Alliance", sorted({end[-1] for end in ends}), "UPSERT", author)
    else:
        record_changes(tx, label, created, "DELETE", author)
        keep_all(tx, label, tombstones)
        restored = [row["id"] for row in tx.run(_RESTORE_NODES, **params)]
        clear_links(tx, label, restored)
        tx.run(_RESTORE_LINKS, **params)
        record_changes(tx, label, restored, "UPSERT", author)
    for query in _FORGET_BATCH:
        tx.run(query, **params)
