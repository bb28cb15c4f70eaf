"""Write an import or a seed in batches, each its own transaction, all or nothing.

One transaction for a whole import holds every row in the server's memory at once (a
100k-row CSV ran a 512 MB Neo4j out of memory); batches bound that to ``batch_size``
rows. Atomicity comes from the undo journal (:mod:`kb.graph.journal`): each batch
journals what it creates and the previous state of what it replaces, in its own
transaction; when a batch fails, the batches already committed are undone and the
caller gets one :class:`BulkWriteError` naming the source and the batch.

The statements that write the records are ``kb.graph.load_writes``' own (the same upsert,
the same ``seedHash``, the same change-log entries), so a batched import and a seed
write identical records.

Example:
    >>> batches = [Batch("Lesson", rows, "register.csv lines 2-1001")]
    >>> report = write_batches(graph, batches, source="register.csv")
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from neo4j.exceptions import DriverError, Neo4jError

from kb.graph import journal
from kb.graph.db import DatabaseUnavailableError, Graph, Tx
from kb.graph.journal import MEMBERSHIP, ImportAbortedError
from kb.graph.load_writes import LoadReport, write_rows
from kb.graph.recovery import STALE_AFTER, recover_imports

log = logging.getLogger(__name__)

#: Rows per batch transaction unless the caller says otherwise.
BATCH_SIZE = 1000
#: Seconds one batch may take before Neo4j aborts it.
BATCH_TIMEOUT = 120.0

#: Called with the number of rows of each batch once it is committed.
Progress = Callable[[int], None]

#: What a failing database looks like from the driver.
DATABASE_ERRORS = (Neo4jError, DriverError, DatabaseUnavailableError, ImportAbortedError)


@dataclass(frozen=True)
class Batch:
    """Rows of one label (from :func:`kb.graph.load_rows.seed_rows`, or membership rows under
    the label ``MEMBER_OF``) to write in one transaction; ``where`` names them for
    messages (``register.csv lines 2-1001``)."""

    label: str
    rows: list[dict[str, Any]]
    where: str


class BulkWriteError(RuntimeError):
    """A batch failed in the database. ``rolled_back`` says whether the batches before it
    were undone; if not, the next import or seed undoes them."""

    def __init__(self, message: str, import_id: str, rolled_back: bool) -> None:
        super().__init__(message)
        self.import_id = import_id
        self.rolled_back = rolled_back


def describe(error: BaseException) -> str:
    """A database error in one line: Neo4j's short code and the first line of its text."""
    if isinstance(error, Neo4jError):
        code = (error.code or "Neo4jError").rsplit(".", 1)[-1]
        text = (error.message or "").strip().splitlines()
        return f"{code}: {text[0][:300]}" if text else code
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:300]}" if text else type(error).__name__


def write_batches(
    graph: Graph,
    batches: Iterable[Batch],
    *,
    source: str,
    kind: str = "import",
    author: str = "import",
    batch_timeout: float = BATCH_TIMEOUT,
    stale_after: float = STALE_AFTER,
    progress: Progress | None = None,
) -> LoadReport:
    """Write every batch, or (when any fails) none: see the module docstring.

    ``batches`` may be a generator that reads its source as it goes; an exception it
    raises rolls the write back too, and is raised again unchanged.

    Raises:
        BulkWriteError: a batch (or the commit) failed in the database.
        ImportInProgressError: another bulk write is running.
    """
    for line in recover_imports(graph, stale_after):
        log.warning("%s", line)
    import_id = journal.begin(graph, kind, source)
    report = LoadReport()
    number, where = 0, "the commit"
    try:
        for batch in batches:
            number, where = number + 1, batch.where

            def work(tx: Tx, batch: Batch = batch, number: int = number) -> LoadReport:
                journal.heartbeat(tx, import_id, number)
                created = journal.record_batch(
                    tx, import_id, number, batch.label, batch.where, batch.rows
                )
                if batch.label == MEMBERSHIP:
                    part = write_rows(tx, {}, batch.rows, author)
                else:
                    part = write_rows(tx, {batch.label: batch.rows}, [], author)
                part.created = {batch.label: created}
                return part

            _merge(report, graph.execute_write(work, timeout=batch_timeout))
            if progress is not None:
                progress(len(batch.rows))
        where = "the commit"
        journal.commit(graph, import_id)
    except BaseException as error:
        outcome = _roll_back(graph, import_id, author, batch_timeout)
        if outcome == "committed":
            return _finish(graph, import_id, report)
        rolled_back = outcome.startswith("nothing")
        if rolled_back and not isinstance(error, DATABASE_ERRORS):
            raise  # e.g. the source changed while it was read: the caller's own error
        at = f"batch {number} ({where})" if where != "the commit" else "the commit"
        cause = describe(error) if isinstance(error, DATABASE_ERRORS) else str(error)
        raise BulkWriteError(
            f"{source}: {kind} failed at {at}: {cause}; {outcome}",
            import_id,
            rolled_back,
        ) from error
    return _finish(graph, import_id, report)


def _roll_back(graph: Graph, import_id: str, author: str, timeout: float) -> str:
    try:
        # Undoing must not give up where writing did: a short batch timeout is a limit
        # for the write, not for its undo.
        undo_timeout = max(timeout, BATCH_TIMEOUT)
        if journal.roll_back(graph, import_id, f"{author}-rollback", undo_timeout) == "committed":
            return "committed"
    except DATABASE_ERRORS as error:
        log.error("rolling back import %s failed: %s", import_id, describe(error))
        return (
            f"the rollback could not finish ({describe(error)}); the next `kb import` or "
            f"`kb seed` rolls import {import_id} back"
        )
    return "nothing from it remains (the batches before it were rolled back)"


def _finish(graph: Graph, import_id: str, report: LoadReport) -> LoadReport:
    try:
        journal.forget(graph, import_id)
    except DATABASE_ERRORS as error:
        # Committed: what is left is only the journal, which the next bulk write deletes.
        log.warning("import %s committed; its journal is left: %s", import_id, describe(error))
    return report


def _merge(total: LoadReport, part: LoadReport) -> None:
    for label, seen in part.seen.items():
        total.seen[label] = total.seen.get(label, 0) + seen
        total.changed[label] = total.changed.get(label, 0) + part.changed.get(label, 0)
    for label, created in part.created.items():
        total.created[label] = total.created.get(label, 0) + created
    total.memberships_changed += part.memberships_changed
